"""ZATCA phase 1 QR code payload for Saudi simplified tax invoices.

The QR code of a simplified tax invoice holds a base64-encoded TLV (tag, length, value) sequence:

    tag 1  seller name
    tag 2  seller VAT registration number
    tag 3  invoice time stamp (ISO 8601, UTC: 2024-01-15T10:00:00Z)
    tag 4  invoice total including VAT
    tag 5  VAT total

Each field is one tag byte, one length byte (the value's length in bytes, so at most 255) and the
value encoded as UTF-8.  Amounts are plain decimal strings with two places ("1150.00").
`zatca_tlv_base64` is pure Python: no Django, no clock (the caller passes the invoice time). `workspace_qr` is
what a printed POS receipt or sales invoice shows, for the workspace as seller.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from invoicing.money import quantize_money

MAX_VALUE_BYTES = 255
# ZATCA's QR amounts are in Saudi riyals with halalas: the one rounding at SAR's two minor digits.
ZATCA_CURRENCY = "SAR"


def _tlv(tag: int, value: str) -> bytes:
    encoded = value.encode("utf-8")
    if len(encoded) > MAX_VALUE_BYTES:
        raise ValueError(
            f"ZATCA QR field {tag} is {len(encoded)} bytes long; the limit is {MAX_VALUE_BYTES}."
        )
    return bytes((tag, len(encoded))) + encoded


def _timestamp(value: datetime) -> str:
    if not isinstance(value, datetime):
        raise TypeError(f"timestamp must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must be timezone-aware.")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _amount(value: Decimal, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number.")
    return format(quantize_money(value, ZATCA_CURRENCY), "f")


def _text(value: str, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty.")
    return value


def fit_bytes(text: str, limit: int = MAX_VALUE_BYTES) -> str:
    """`text` cut to at most `limit` bytes of UTF-8 at a character boundary: a shop's legal name may be 200 Arabic
    letters (400 bytes), and the QR's field holds 255."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def workspace_qr(
    workspace: Any, *, timestamp: datetime, total_with_vat: Decimal, vat_total: Decimal
) -> str | None:
    """The phase-1 QR of a document the workspace issued (its legal name, else its name, cut to fit; its VAT
    number); None where the workspace has no VAT number."""
    if not workspace.vat_number:
        return None
    return zatca_tlv_base64(
        seller_name=fit_bytes(workspace.legal_name or workspace.name),
        vat_number=workspace.vat_number,
        timestamp=timestamp,
        total_with_vat=total_with_vat,
        vat_total=vat_total,
    )


def zatca_tlv_base64(
    *, seller_name: str, vat_number: str, timestamp: datetime, total_with_vat: Decimal, vat_total: Decimal
) -> str:
    """The base64 text to put in the QR code of a simplified tax invoice (tags 1 to 5, see module doc).

    Raises ValueError when a value is longer than 255 bytes in UTF-8, when the seller name or VAT
    number is empty, when the time stamp is naive or an amount is not finite; TypeError for values of
    the wrong type (floats are refused for amounts).
    """
    payload = b"".join(
        (
            _tlv(1, _text(seller_name, "seller_name")),
            _tlv(2, _text(vat_number, "vat_number")),
            _tlv(3, _timestamp(timestamp)),
            _tlv(4, _amount(total_with_vat, "total_with_vat")),
            _tlv(5, _amount(vat_total, "vat_total")),
        )
    )
    return base64.b64encode(payload).decode("ascii")
