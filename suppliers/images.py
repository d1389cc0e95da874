"""Scanned supplier invoices: checked by content, never by name or declared type (PRODUCT.md section 6).

Images (JPEG, PNG, WebP, GIF) are opened by Pillow restricted to those formats. Their size is read from the header
and refused before any pixel is decoded: more than 40 megapixels, a side over 12,000 px, a side more than 20 times
the other, or a first frame whose decoding would take more than `DECODE_BUDGET` (a WebP is measured before Pillow
even opens it: libwebp allocates its canvases when the file is opened). Only the first frame is decoded (a JPEG at
the smallest scale that still covers the output, `Image.draft`); it is scaled to at most 4096 px on its longest side
in horizontal strips, so that besides the decoded frame only the output and one strip are ever in memory; laid on
white if transparent, turned upright by its EXIF orientation and re-encoded to WebP from a fresh image that carries
no metadata at all. PDFs (recognised by their `%PDF-` header) are kept byte for byte. Anything else is refused.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from PIL import ExifTags, Image, UnidentifiedImageError

from workspaces.errors import ValidationFailed

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_INPUT_SIDE = 12_000
MAX_RATIO = 20
MAX_SIDE = 4096  # of the stored WebP
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
PDF_MAGIC = b"%PDF-"
WEBP_QUALITY = 85

# What decoding one frame may allocate. A 40-megapixel PNG, GIF or baseline JPEG fits (4 bytes a pixel at most);
# a progressive JPEG (libjpeg keeps every coefficient, 2 bytes a sample) or a WebP (libwebp's two canvases, the
# frame it hands over and Pillow's copy: 16 bytes a pixel) fits only while smaller.
DECODE_BUDGET = 200 * 1024 * 1024
WEBP_BYTES_PER_PIXEL = 16
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}  # every other mode: 4
STRIP_ROWS = 128  # output rows scaled at a time
_LANCZOS_SUPPORT = 3.0

_DECODING_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    struct.error,
    UnidentifiedImageError,
    Image.DecompressionBombError,
)
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class ProcessedFile:
    content: bytes
    extension: str  # "webp" or "pdf"
    content_type: str


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"file": [message]})


def _unreadable() -> ValidationFailed:
    return _refuse(_("Upload a JPEG, PNG, WebP or GIF image, or a PDF."))


def process_invoice_file(upload: BinaryIO, size: int) -> ProcessedFile:
    """The file to store, or a 400 on `file` saying why not. Reads at most 10 MB."""
    if size > MAX_BYTES:
        raise _refuse(_("The file is larger than 10 MB."))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is larger than 10 MB."))
    if not data:
        raise _refuse(_("The file is empty."))
    if data.startswith(PDF_MAGIC):
        return ProcessedFile(content=data, extension="pdf", content_type="application/pdf")
    return ProcessedFile(content=_to_webp(data), extension="webp", content_type="image/webp")


def check_dimensions(width: int, height: int) -> None:
    """The rules read from the header, before decoding (PRODUCT.md section 6, "Images")."""
    if width * height > MAX_PIXELS:
        raise _refuse(_("The image has more than 40 megapixels."))
    if max(width, height) > MAX_INPUT_SIDE:
        raise _refuse(_("A side of the image is longer than 12,000 pixels."))
    if max(width, height) > MAX_RATIO * min(width, height):
        raise _refuse(_("One side of the image is more than 20 times as long as the other."))


def _too_large() -> ValidationFailed:
    return _refuse(_("The image needs too much memory to process: send it at a lower resolution."))


def webp_size(data: bytes) -> tuple[int, int] | None:
    """The canvas of a WebP file from its first 30 bytes (RIFF header, then a VP8, VP8L or VP8X chunk)."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _precheck(data: bytes) -> None:
    """A WebP is refused before Pillow opens it: its decoder allocates two canvases when it is created."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return
    size = webp_size(data)
    if size is None:
        raise _unreadable()
    check_dimensions(*size)
    if size[0] * size[1] * WEBP_BYTES_PER_PIXEL > DECODE_BUDGET:
        raise _too_large()


def fit(width: int, height: int, box: int = MAX_SIDE) -> tuple[int, int]:
    """The size within `box`×`box` keeping the aspect, rounded as `Image.thumbnail` rounds it."""
    if width <= box and height <= box:
        return width, height
    aspect = width / height

    def nearest(exact: float, ratio) -> int:
        return max(min(math.floor(exact), math.ceil(exact), key=lambda n: abs(aspect - ratio(n))), 1)

    if aspect >= 1:
        return box, nearest(box / aspect, lambda n: box / n)
    return nearest(box * aspect, lambda n: n / box), box


def _jpeg_coefficients(image: Image.Image) -> int:
    """What libjpeg keeps for a progressive JPEG: every DCT coefficient of the full-size image, 2 bytes each."""
    if image.format != "JPEG" or not image.info.get("progressive"):
        return 0
    width, height = image.size
    layers = image.layer  # type: ignore[attr-defined]  # (id, horizontal, vertical sampling, table) a component
    most_across = max(layer[1] for layer in layers) or 1
    most_down = max(layer[2] for layer in layers) or 1
    return sum(
        math.ceil(width * across / most_across) * math.ceil(height * down / most_down) * 2
        for _id, across, down, _table in layers
    )


def _frame_bytes(image: Image.Image) -> int:
    width, height = image.size
    return width * height * _BYTES_PER_PIXEL.get(image.mode, 4)


def _open(data: bytes) -> Image.Image:
    _precheck(data)
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning is superseded by the stricter limits below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise _refuse(_("The image has more than 40 megapixels.")) from exc
    except _DECODING_ERRORS as exc:
        raise _unreadable() from exc
    try:
        check_dimensions(*image.size)  # from the header: nothing is decoded yet
    except ValidationFailed:
        image.close()
        raise
    return image


def _to_webp(data: bytes) -> bytes:
    image = _open(data)
    try:
        coefficients = _jpeg_coefficients(image)
        if image.format == "JPEG":
            # Decoded at 1/2, 1/4 or 1/8 of its size when that still covers the output.
            image.draft(None, fit(*image.size))
        if coefficients + _frame_bytes(image) > DECODE_BUDGET:
            raise _too_large()
        image.load()  # the first frame only: a GIF's or WebP's later frames are never decoded
        transpose = _ORIENTATION.get(image.getexif().get(ExifTags.Base.Orientation, 1))
        pixels = _scaled(image)
    except _DECODING_ERRORS as exc:
        raise _unreadable() from exc
    finally:
        image.close()  # frees the decoded frame before encoding (leaving a `with` block would not)
    if transpose is not None:
        pixels = pixels.transpose(transpose)
    out = io.BytesIO()
    pixels.save(out, format="WEBP", quality=WEBP_QUALITY)
    return out.getvalue()


def _scaled(image: Image.Image) -> Image.Image:
    """A fresh RGB image of at most `MAX_SIDE` px a side, written strip by strip: a strip is cut from the decoded
    frame (with the rows its filter reaches), flattened and scaled alone, so no full-size copy is ever made."""
    width, height = image.size
    out_width, out_height = fit(width, height)
    out = Image.new("RGB", (out_width, out_height))  # no EXIF, XMP, ICC profile or comment can follow
    flatten = image.has_transparency_data
    if (out_width, out_height) == (width, height):
        for top in range(0, height, STRIP_ROWS):
            strip = image.crop((0, top, width, min(height, top + STRIP_ROWS)))
            out.paste(_opaque(strip, flatten), (0, top))
        return out
    scale = height / out_height
    reach = math.ceil(_LANCZOS_SUPPORT * max(scale, 1.0)) + 2
    for out_top in range(0, out_height, STRIP_ROWS):
        rows = min(STRIP_ROWS, out_height - out_top)
        source_top, source_bottom = out_top * scale, (out_top + rows) * scale
        first = max(0, math.floor(source_top) - reach)
        last = min(height, math.ceil(source_bottom) + reach)
        strip = _opaque(image.crop((0, first, width, last)), flatten)
        box = (0.0, source_top - first, float(width), source_bottom - first)
        out.paste(strip.resize((out_width, rows), Image.Resampling.LANCZOS, box=box), (0, out_top))
    return out


def _opaque(strip: Image.Image, flatten: bool) -> Image.Image:
    """RGB; a transparent image is laid on white, as the page of a scan is (libwebp needs twice the memory to
    encode an alpha plane, ~230 MB at 4096 px)."""
    if not flatten:
        return strip.convert("RGB")
    rgba = strip.convert("RGBA")
    page = Image.new("RGB", rgba.size, "white")
    page.paste(rgba, (0, 0), rgba)
    return page
