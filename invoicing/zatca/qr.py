"""The phase-2 QR of a tax document: a base64 TLV (tag, length, value) sequence of nine tags.

    tag 1  seller name (UTF-8)               tag 6  the invoice hash, its base64 text
    tag 2  seller VAT number                 tag 7  the ECDSA signature, its base64 text
    tag 3  ``IssueDate``T``IssueTime``       tag 8  the public key, DER (SubjectPublicKeyInfo) bytes
    tag 4  total with VAT (TaxInclusive)     tag 9  the certificate's own signature, DER bytes
    tag 5  VAT total

Tag 9 belongs to simplified documents only: the QR of a standard one (as the SDK writes it, and as ZATCA stamps it
at clearance) ends with tag 8.  Each field is one tag byte, one length byte (so a value has at most 255 bytes) and the value.  Tags 4 and 5 are
the XML's amount texts as written (the signer reads them from the XML).  The whole base64 text has at most 700
characters.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

__all__ = ["MAX_QR_CHARACTERS", "QrFields", "decode_tlv", "qr_base64", "tlv"]

MAX_QR_CHARACTERS = 700
_MAX_VALUE_BYTES = 255


@dataclass(frozen=True)
class QrFields:
    seller_name: str
    vat_number: str
    timestamp: str
    total_with_vat: str
    vat_total: str
    invoice_hash: str
    signature: str
    public_key: bytes
    certificate_signature: bytes | None  # None on a standard document: no tag 9

    def values(self) -> tuple[bytes, ...]:
        """The values of tags 1 to 9 (1 to 8 without a certificate signature), in order."""
        texts = (
            self.seller_name,
            self.vat_number,
            self.timestamp,
            self.total_with_vat,
            self.vat_total,
            self.invoice_hash,
            self.signature,
        )
        values = (*(text.encode("utf-8") for text in texts), self.public_key)
        return values if self.certificate_signature is None else (*values, self.certificate_signature)


def tlv(tag: int, value: bytes) -> bytes:
    """One TLV field; ValueError when ``value`` is longer than 255 bytes."""
    if len(value) > _MAX_VALUE_BYTES:
        raise ValueError(f"QR tag {tag} is {len(value)} bytes long; the limit is {_MAX_VALUE_BYTES}.")
    return bytes((tag, len(value))) + value


def qr_base64(fields: QrFields) -> str:
    """The base64 text of the QR; ValueError past 700 characters or for a value longer than 255 bytes."""
    payload = b"".join(tlv(tag, value) for tag, value in enumerate(fields.values(), start=1))
    text = base64.b64encode(payload).decode("ascii")
    if len(text) > MAX_QR_CHARACTERS:
        raise ValueError(f"The QR is {len(text)} characters long; the limit is {MAX_QR_CHARACTERS}.")
    return text


def decode_tlv(text: str) -> dict[int, bytes]:
    """The tags of a base64 TLV text (the last value wins for a repeated tag); ValueError if truncated."""
    payload = base64.b64decode(text, validate=True)
    tags: dict[int, bytes] = {}
    index = 0
    while index < len(payload):
        if index + 2 > len(payload):
            raise ValueError("Truncated TLV header.")
        tag, length = payload[index], payload[index + 1]
        value = payload[index + 2 : index + 2 + length]
        if len(value) != length:
            raise ValueError(f"Truncated TLV value of tag {tag}.")
        tags[tag] = value
        index += 2 + length
    return tags
