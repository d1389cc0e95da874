"""Scanned supplier invoices: checked by content, never by name or declared type (PRODUCT.md section 6).

Images (JPEG, PNG, WebP, GIF) are opened by Pillow restricted to those formats; their size is read from the
header and more than 40 megapixels is refused before any pixel is decoded. The first frame, turned upright by its
EXIF orientation and scaled to at most 4096 px on its longest side, is re-encoded to WebP with no metadata at all.
PDFs (recognised by their `%PDF-` header) are kept byte for byte. Anything else is refused.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from workspaces.errors import ValidationFailed

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 4096
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
PDF_MAGIC = b"%PDF-"
WEBP_QUALITY = 85


@dataclass(frozen=True)
class ProcessedFile:
    content: bytes
    extension: str  # "webp" or "pdf"
    content_type: str


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"file": [message]})


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


def _to_webp(data: bytes) -> bytes:
    unreadable = _("Upload a JPEG, PNG, WebP or GIF image, or a PDF.")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning is superseded by the stricter limit below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise _refuse(_("The image has more than 40 megapixels.")) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _refuse(unreadable) from exc
    with image:
        width, height = image.size  # from the header: nothing is decoded yet
        if width * height > MAX_PIXELS:
            raise _refuse(_("The image has more than 40 megapixels."))
        try:
            image.seek(0)
            upright = ImageOps.exif_transpose(image)  # decodes the first frame; a truncated file fails here
            if upright is None:
                upright = image
            upright.load()
            if upright.mode not in ("RGB", "RGBA"):
                has_alpha = upright.mode in ("LA", "PA", "P") and (
                    upright.mode != "P" or "transparency" in upright.info
                )
                upright = upright.convert("RGBA" if has_alpha or upright.mode == "LA" else "RGB")
            upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            # A fresh image carries pixels only: no EXIF, XMP, ICC profile or comment can follow.
            clean = Image.new(upright.mode, upright.size)
            clean.paste(upright)
            out = io.BytesIO()
            clean.save(out, format="WEBP", quality=WEBP_QUALITY)
        except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
            raise _refuse(unreadable) from exc
    return out.getvalue()
