"""ZATCA phase 2 (Saudi e-invoicing), the pure core: no Django, no database, no clock, no network.

- :mod:`~invoicing.zatca.documents`: the neutral input (seller, buyer, lines, totals, document) and the offline
  arithmetic checks; :mod:`~invoicing.zatca.mapping` builds lines and totals from the one totals calculator.
- :mod:`~invoicing.zatca.xml`: the UBL 2.1 writer (:func:`document_xml`).
- :mod:`~invoicing.zatca.hashing`: the invoice hash (:func:`invoice_hash`), and the first PIH.
- :mod:`~invoicing.zatca.signing`: ECDSA, XAdES and embedding (:func:`sign`, :func:`verify`).
- :mod:`~invoicing.zatca.qr`: the 9-tag QR and its decoder.
- :mod:`~invoicing.zatca.csr`: the device key, its CSR and CSID tokens; :mod:`~invoicing.zatca.sandbox_ca`: the
  sandbox's test CA; :mod:`~invoicing.zatca.secrets`: encryption of secrets at rest.

Every rule is proven against the signed samples of ZATCA's SDK (``tests/data/zatca``).
"""

from invoicing.zatca.documents import (
    Address,
    Buyer,
    Document,
    DocumentAllowance,
    Kind,
    Line,
    PaymentMeans,
    Seller,
    TaxSubtotal,
    Totals,
    TypeCode,
    VatCategory,
    arithmetic_errors,
)
from invoicing.zatca.hashing import FIRST_PREVIOUS_HASH, invoice_hash
from invoicing.zatca.mapping import SourceLine, lines_and_totals
from invoicing.zatca.qr import decode_tlv
from invoicing.zatca.signing import Signed, sign, verify
from invoicing.zatca.xml import document_xml

__all__ = [
    "FIRST_PREVIOUS_HASH",
    "Address",
    "Buyer",
    "Document",
    "DocumentAllowance",
    "Kind",
    "Line",
    "PaymentMeans",
    "Seller",
    "Signed",
    "SourceLine",
    "TaxSubtotal",
    "Totals",
    "TypeCode",
    "VatCategory",
    "arithmetic_errors",
    "decode_tlv",
    "document_xml",
    "invoice_hash",
    "lines_and_totals",
    "sign",
    "verify",
]
