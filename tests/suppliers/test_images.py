"""Invoice image upload: checked by content, re-encoded to WebP without metadata, PDFs kept, nothing left behind."""

import io
import os
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from suppliers import images

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def picture(fmt: str, size=(64, 32), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red").save(out, format=fmt, **save)
    return out.getvalue()


@pytest.fixture
def upload_url(base_url, supplier):
    return f"{base_url}/suppliers/{supplier.pk}/invoice-image"


def post(client, url, content: bytes, name: str, content_type="application/octet-stream", **extra):
    return client.post(
        url, {"file": SimpleUploadedFile(name, content, content_type)}, format="multipart", **extra
    )


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_images_come_back_as_webp(fmt, accountant_client, upload_url, workspace, media):
    response = post(accountant_client, upload_url, picture(fmt), f"scan.{fmt.lower()}", "image/png")
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert list(response.json()) == ["url"]
    # Served by the members-only file view; stored under the workspace's own prefix.
    assert url.startswith(f"http://testserver/v1/workspace/{workspace.pk}/files/") and url.endswith(".webp")
    (name,) = stored_files(media)
    assert name == f"supplier-invoices/{workspace.pk}/{url.rsplit('/', 1)[1]}"
    assert len(os.path.basename(name)) >= 32 + len(".webp")  # 192 random bits: not guessable
    with Image.open(media / name) as stored:
        assert (stored.format, stored.size) == ("WEBP", (64, 32))


def test_exif_orientation_is_applied_and_metadata_stripped(accountant_client, upload_url, media):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show upright
    exif[0x010F] = "SecretCam"
    content = picture("JPEG", size=(60, 20), exif=exif.tobytes())
    assert post(accountant_client, upload_url, content, "scan.jpg").status_code == 201
    (name,) = stored_files(media)
    with Image.open(media / name) as stored:
        assert stored.size == (20, 60)
        assert not stored.getexif()
        assert "exif" not in stored.info and "icc_profile" not in stored.info and "xmp" not in stored.info


def test_longest_side_is_scaled_to_4096(accountant_client, upload_url, media):
    content = picture("PNG", size=(5000, 1000))  # 5000×100 was the example before sides were limited to 20:1
    assert post(accountant_client, upload_url, content, "wide.png").status_code == 201
    (name,) = stored_files(media)
    with Image.open(media / name) as stored:
        assert stored.size == (4096, 819)


def test_pdf_is_kept_as_it_is(accountant_client, upload_url, media):
    content = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    response = post(accountant_client, upload_url, content, "invoice.bin")
    assert response.status_code == 201
    assert response.json()["url"].endswith(".pdf")
    (name,) = stored_files(media)
    assert (media / name).read_bytes() == content


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims the given size (a decompression bomb's shape): a few bytes of pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + _chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"just some text, not an image", "scan.png", "Upload a JPEG, PNG, WebP or GIF image, or a PDF."),
        (
            picture("PNG", size=(300, 300))[:200],
            "truncated.png",
            "Upload a JPEG, PNG, WebP or GIF image, or a PDF.",
        ),
        (
            picture("JPEG", size=(300, 300))[:300],
            "truncated.jpg",
            "Upload a JPEG, PNG, WebP or GIF image, or a PDF.",
        ),
        (_png_header_only(8000, 6000), "bomb.png", "The image has more than 40 megapixels."),
        (_png_header_only(20000, 20000), "bigger-bomb.png", "The image has more than 40 megapixels."),
        (picture("BMP"), "scan.bmp", "Upload a JPEG, PNG, WebP or GIF image, or a PDF."),
        (b"", "empty.png", None),
    ],
    ids=[
        "text-named-png",
        "truncated-png",
        "truncated-jpeg",
        "48-megapixels",
        "400-megapixels",
        "bmp",
        "empty",
    ],
)
def test_rejections_are_400_and_leave_no_file(content, name, message, accountant_client, upload_url, media):
    response = post(accountant_client, upload_url, content, name, "image/png")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["errors"]) == ["file"]
    if message:
        assert body["errors"]["file"] == [message]
    assert stored_files(media) == []


def test_pillow_decompression_bomb_error_is_a_400():
    """Over Pillow's own hard limit, `Image.open` raises DecompressionBombError itself: still a 400."""
    with pytest.raises(images.ValidationFailed) as refused:
        images.process_invoice_file(io.BytesIO(_png_header_only(30000, 30000)), 100)
    assert refused.value.errors == {"file": ["The image has more than 40 megapixels."]}


def test_more_than_10_mb_is_400(accountant_client, upload_url, media):
    content = b"%PDF-" + b"0" * (10 * 1024 * 1024)
    response = post(accountant_client, upload_url, content, "big.pdf")
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": ["The file is larger than 10 MB."]}
    assert stored_files(media) == []


def test_a_body_over_12_mb_is_413_before_it_is_read(accountant_client, upload_url, media):
    response = accountant_client.post(
        upload_url,
        data=b"x",
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(13 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_missing_file_is_400_and_json_is_415(accountant_client, upload_url):
    missing = accountant_client.post(upload_url, {"other": "x"}, format="multipart")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"file": ["No file was submitted."]}
    assert accountant_client.post(upload_url, {"file": "x"}, format="json").status_code == 415


def test_viewer_cannot_upload_and_foreign_supplier_is_404(
    viewer_client, accountant_client, base_url, upload_url, other_workspace, media
):
    from suppliers.models import Supplier

    assert post(viewer_client, upload_url, picture("PNG"), "a.png").status_code == 403
    foreign = Supplier.objects.create(workspace=other_workspace, name="x")
    response = post(
        accountant_client, f"{base_url}/suppliers/{foreign.pk}/invoice-image", picture("PNG"), "a.png"
    )
    assert response.status_code == 404
    assert stored_files(media) == []


def test_idempotency_fingerprints_the_file(accountant_client, upload_url, media):
    """Multipart is fingerprinted from its fields and each file's SHA-256: the same file replays its URL, another
    file under the same key is refused."""
    first = post(accountant_client, upload_url, picture("PNG"), "a.png", HTTP_IDEMPOTENCY_KEY="scan-1")
    again = post(accountant_client, upload_url, picture("PNG"), "a.png", HTTP_IDEMPOTENCY_KEY="scan-1")
    other = post(accountant_client, upload_url, picture("GIF"), "a.png", HTTP_IDEMPOTENCY_KEY="scan-1")
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert other.json()["code"] == "idempotency_key_reused"
    assert len(stored_files(media)) == 1


def test_storage_is_djangos_default_storage(accountant_client, upload_url, monkeypatch):
    saved = []
    real_save = default_storage.save
    monkeypatch.setattr(
        default_storage, "save", lambda name, content: saved.append(name) or real_save(name, content)
    )
    assert post(accountant_client, upload_url, picture("PNG"), "a.png").status_code == 201
    assert len(saved) == 1


def test_a_stored_file_goes_again_when_the_request_fails_after_storing_it(
    accountant_client, upload_url, media
):
    """The database cannot record the retry key after the file was stored: the request fails (503), its
    transaction rolls back, and the file does not stay behind."""
    from unittest import mock

    from django.db import OperationalError

    from workspaces.api import idempotency

    # The record's INSERT fails.
    with mock.patch.object(idempotency, "insert", side_effect=OperationalError("connection lost")):
        response = post(accountant_client, upload_url, picture("PNG"), "a.png", HTTP_IDEMPOTENCY_KEY="scan-x")
    assert response.status_code == 503
    assert stored_files(media) == []
    # And a retry with the same key stores it once.
    retried = post(accountant_client, upload_url, picture("PNG"), "a.png", HTTP_IDEMPOTENCY_KEY="scan-x")
    assert retried.status_code == 201
    assert len(stored_files(media)) == 1


# --- Refused from the header, decoding bounded (issue 15) ------------------------------------------------------


def _zero_rows_png(width: int, height: int) -> bytes:
    """A valid RGB PNG whose rows are all zero, built without compressing them all: the compressed segment of one
    million zero bytes, cut by a full flush (which resets the compressor, so the segment can be repeated), then
    the Adler-32 of that many zeros (1 + length·65536). 1×39,000,000 px: ~150 KB on disk, 156 MB of rows."""
    total = (1 + 3 * width) * height
    piece = 1_000_000
    compressor = zlib.compressobj(9)
    first = compressor.compress(b"\x00" * piece) + compressor.flush(zlib.Z_FULL_FLUSH)  # with the zlib header
    again = compressor.compress(b"\x00" * piece) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert first[2:] == again
    count, rest = divmod(total, piece)
    last = (compressor.compress(b"\x00" * rest) + compressor.flush())[
        :-4
    ]  # without the compressor's checksum
    stream = first + again * (count - 1) + last + struct.pack(">I", ((total % 65521) << 16) | 1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def _webp_header(width: int, height: int) -> bytes:
    """The first bytes of an extended (VP8X) WebP whose canvas is `width`×`height`: all the check reads."""
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    chunk = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + canvas
    return b"RIFF" + struct.pack("<I", 4 + len(chunk) + 100) + b"WEBP" + chunk + b"\x00" * 100


@pytest.fixture
def decoded(monkeypatch):
    """Every image file Pillow decodes during the test, as (format, size at decoding)."""
    from PIL import ImageFile

    decodings: list[tuple[str, tuple[int, int]]] = []
    real_load = ImageFile.ImageFile.load

    def load(self):
        if self._im is None:  # not decoded yet: this call decodes
            decodings.append((self.format, self.size))
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return decodings


def test_a_png_of_1_by_39_000_000_is_refused_from_its_header(accountant_client, upload_url, media, decoded):
    """The review's bomb: 39 megapixels (under the 40 allowed), ~150 KB, 156 MB of rows once decoded (1.2 GB and
    2.2 s of a worker before). Refused from the header: nothing decoded, nothing stored, in milliseconds."""
    import time

    content = _zero_rows_png(1, 39_000_000)
    assert len(content) < 200_000
    started = time.perf_counter()
    response = post(accountant_client, upload_url, content, "tall.png", "image/png")
    elapsed = time.perf_counter() - started
    assert response.status_code == 400, response.content
    assert response.json() == {
        "message": response.json()["message"],
        "code": "validation_error",
        "errors": {"file": ["A side of the image is longer than 12,000 pixels."]},
    }
    assert decoded == []
    assert stored_files(media) == []
    assert elapsed < 0.5


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((12_001, 1), "A side of the image is longer than 12,000 pixels."),
        ((1, 12_001), "A side of the image is longer than 12,000 pixels."),
        ((1000, 21), "One side of the image is more than 20 times as long as the other."),
        ((21, 1000), "One side of the image is more than 20 times as long as the other."),
        ((6400, 6251), "The image has more than 40 megapixels."),
    ],
    ids=["12001x1", "1x12001", "1000x21", "21x1000", "40-megapixels-and-a-row"],
)
def test_sides_and_ratio_are_refused_from_the_header(
    size, message, accountant_client, upload_url, media, decoded
):
    response = post(accountant_client, upload_url, _png_header_only(*size), "scan.png", "image/png")
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"file": [message]}
    assert decoded == []
    assert stored_files(media) == []


@pytest.mark.parametrize(
    "size", [(12_000, 600), (1000, 50), (600, 12_000)], ids=["12000x600", "1000x50", "600x12000"]
)
def test_the_limits_themselves_are_allowed(size):
    images.check_dimensions(*size)  # no refusal: 12,000 px and 20 times are still allowed


def test_a_webp_over_the_decoding_budget_is_refused_before_pillow_opens_it(monkeypatch):
    """libwebp allocates two canvases when the file is opened: the WebP's size is read by hand first."""
    opened = []
    monkeypatch.setattr(Image, "open", lambda *args, **kwargs: opened.append(args) or None)
    with pytest.raises(images.ValidationFailed) as refused:
        images.process_invoice_file(io.BytesIO(_webp_header(4000, 3500)), 200)  # 14 MP x 16 bytes > 200 MB
    assert refused.value.errors == {
        "file": ["The image needs too much memory to process: send it at a lower resolution."]
    }
    with pytest.raises(images.ValidationFailed) as refused:
        images.process_invoice_file(io.BytesIO(_webp_header(12_001, 100)), 200)
    assert refused.value.errors == {"file": ["A side of the image is longer than 12,000 pixels."]}
    assert opened == []


def test_a_progressive_jpeg_counts_its_coefficients(monkeypatch):
    """libjpeg keeps every coefficient of a progressive JPEG (2 bytes a sample) besides the decoded frame."""
    baseline, progressive = (
        picture("JPEG", size=(200, 200)),
        picture("JPEG", size=(200, 200), progressive=True),
    )
    # 200×200 RGB: 160,000 bytes decoded; 4:2:0 coefficients: 40,000·2 + 2·10,000·2 = 120,000 bytes more.
    monkeypatch.setattr(images, "DECODE_BUDGET", 200_000)
    images.process_invoice_file(io.BytesIO(baseline), len(baseline))
    with pytest.raises(images.ValidationFailed) as refused:
        images.process_invoice_file(io.BytesIO(progressive), len(progressive))
    assert refused.value.errors == {
        "file": ["The image needs too much memory to process: send it at a lower resolution."]
    }


def test_only_the_first_frame_of_an_animation_is_decoded(decoded):
    frames = [Image.new("RGB", (40, 30), color) for color in ("red", "lime", "blue")]
    for fmt in ("GIF", "WEBP", "PNG"):
        out = io.BytesIO()
        frames[0].save(out, format=fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
        decoded.clear()
        stored = images.process_invoice_file(io.BytesIO(out.getvalue()), len(out.getvalue()))
        assert decoded == [(fmt, (40, 30))]  # one frame decoded, once
        with Image.open(io.BytesIO(stored.content)) as result:
            red, green, blue = result.convert("RGB").getpixel((20, 15))
            assert red > 200 and green < 60 and blue < 60, fmt


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(decoded):
    """A JPEG twice the output's size or more is decoded at 1/2 (1/4, 1/8) by libjpeg (`draft`)."""
    content = picture("JPEG", size=(9000, 1000))
    stored = images.process_invoice_file(io.BytesIO(content), len(content))
    assert [size for fmt, size in decoded if fmt == "JPEG"] == [(4500, 500)]
    with Image.open(io.BytesIO(stored.content)) as result:
        assert result.size == (4096, 455)


def test_transparency_is_laid_on_white():
    content = picture("PNG", size=(40, 20), mode="RGBA")
    out = io.BytesIO()
    Image.new("RGBA", (40, 20), (0, 0, 0, 0)).save(out, format="PNG")
    stored = images.process_invoice_file(io.BytesIO(out.getvalue()), len(out.getvalue()))
    with Image.open(io.BytesIO(stored.content)) as result:
        assert result.mode == "RGB"
        assert all(channel > 245 for channel in result.getpixel((10, 10)))
    assert images.process_invoice_file(io.BytesIO(content), len(content)).extension == "webp"


@pytest.mark.parametrize("size", [(5000, 1300), (1300, 5000), (4100, 4097)])
def test_scaling_in_strips_matches_one_resize(size):
    """The strips (each with the rows its filter reaches) give the picture one LANCZOS resize would: equal but
    where Pillow's two passes, run in the other order on a short strip, round an overshoot differently."""
    from PIL import ImageChops, ImageDraw, ImageStat

    image = Image.effect_mandelbrot(size, (-2, -1.2, 0.8, 1.2), 100).convert("RGB")
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 37):
        draw.line((x, 0, x, size[1]), fill=(0, 0, 0), width=2)
    strips = images._scaled(image)
    whole = image.resize(images.fit(*size), Image.Resampling.LANCZOS)
    assert strips.size == whole.size
    assert max(ImageStat.Stat(ImageChops.difference(strips, whole)).mean) < 0.2
