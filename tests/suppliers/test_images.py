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
    assert url.startswith(f"http://testserver/media/supplier-invoices/{workspace.pk}/") and url.endswith(
        ".webp"
    )
    (name,) = stored_files(media)
    assert url.endswith(name)
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
    content = picture("PNG", size=(5000, 100))
    assert post(accountant_client, upload_url, content, "wide.png").status_code == 201
    (name,) = stored_files(media)
    with Image.open(media / name) as stored:
        assert stored.size == (4096, 82)


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

    from workspaces.models import IdempotencyRecord

    with mock.patch.object(
        IdempotencyRecord.objects, "create", side_effect=OperationalError("connection lost")
    ):
        response = post(accountant_client, upload_url, picture("PNG"), "a.png", HTTP_IDEMPOTENCY_KEY="scan-x")
    assert response.status_code == 503
    assert stored_files(media) == []
    # And a retry with the same key stores it once.
    retried = post(accountant_client, upload_url, picture("PNG"), "a.png", HTTP_IDEMPOTENCY_KEY="scan-x")
    assert retried.status_code == 201
    assert len(stored_files(media)) == 1
