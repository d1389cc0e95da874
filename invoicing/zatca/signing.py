"""The signature of a tax document: ECDSA, XAdES signed properties, the QR, and their place in the XML.

What is signed (proven by the SDK samples, whose ``ds:SignatureValue`` verifies this way): the 32 bytes of the
invoice hash (:mod:`invoicing.zatca.hashing`), with ECDSA over secp256k1 and SHA-256 (so the signed message is the
hash bytes, hashed once more by ECDSA-SHA256), not ``ds:SignedInfo``.  The signature is the DER ECDSA value,
written in base64.

The XAdES signed properties follow the SDK exactly:

- ``SigningTime``: ``YYYY-MM-DDTHH:MM:SS`` in UTC, without a zone designator;
- ``CertDigest``: the base64 of the hex SHA-256 of the certificate's **base64 text** (the SDK hashes the text of
  ``ds:X509Certificate``, not the DER bytes; the samples prove it);
- ``IssuerSerial``: the issuer's RDNs from the last to the first, joined by ``", "``, and the serial in decimal;
- the reference digest of ``xades:SignedProperties``: the base64 of the hex SHA-256 of the element's text as it is
  indented in the document, with ``xmlns:xades`` declared on it and ``xmlns:ds`` on every ``ds:`` element in it.

Embedding adds ``ext:UBLExtensions`` first in the root, then the QR ``cac:AdditionalDocumentReference`` and
``cac:Signature`` right after the PIH reference; each new element takes no text of its own (the text that was at
its place follows it), so the hash of the signed XML is the hash of the unsigned one.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from invoicing.zatca import templates
from invoicing.zatca.documents import Document
from invoicing.zatca.hashing import hash_bytes, invoice_hash, parse
from invoicing.zatca.qr import QrFields, decode_tlv, qr_base64
from invoicing.zatca.xml import document_xml

__all__ = [
    "Signed",
    "certificate_base64",
    "certificate_digest",
    "issuer_name",
    "properties_digest_of_text",
    "qr_fields",
    "sign",
    "sign_hash",
    "signature_valid",
    "signed_properties_digest",
    "signing_time_text",
    "verify",
]

_NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xades": "http://uri.etsi.org/01903/v1.3.2#",
}
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_WRAPPER = (
    '<Invoice xmlns="{inv}" xmlns:cac="{cac}" xmlns:cbc="{cbc}" xmlns:ext="{ext}">'.format(**_NS)
    + "{}</Invoice>"
)
_SIGNED_PROPERTIES = re.compile(r"<xades:SignedProperties .*?</xades:SignedProperties>", re.S)


@dataclass(frozen=True)
class Signed:
    """A signed document: the XML bytes and the figures they hold (base64 texts)."""

    xml: bytes
    invoice_hash: str
    signature: str
    qr: str


def certificate_base64(certificate: x509.Certificate) -> str:
    """The certificate's DER in base64, one line: the text of ``ds:X509Certificate``."""
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


def certificate_digest(certificate: x509.Certificate) -> str:
    """``xades:CertDigest``: base64 of the hex SHA-256 of the certificate's base64 text (as the SDK does)."""
    digest = hashlib.sha256(certificate_base64(certificate).encode("ascii")).hexdigest()
    return base64.b64encode(digest.encode("ascii")).decode("ascii")


def issuer_name(certificate: x509.Certificate) -> str:
    """``ds:X509IssuerName``: the issuer's RDNs, last first, joined by ``", "`` (``CN=..., DC=..., DC=...``)."""
    return ", ".join(rdn.rfc4514_string() for rdn in reversed(certificate.issuer.rdns))


def signing_time_text(moment: datetime) -> str:
    """``xades:SigningTime`` of an aware datetime: UTC, ``YYYY-MM-DDTHH:MM:SS``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("The signing time must be timezone-aware.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _render_extensions(**values: str) -> str:
    return templates.UBL_EXTENSIONS.format(**{name: _escape(value) for name, value in values.items()})


def properties_digest_of_text(extensions_text: str) -> str:
    """The signed-properties digest of the first ``xades:SignedProperties`` in ``extensions_text``, as written."""
    found = _SIGNED_PROPERTIES.search(extensions_text)
    if found is None:
        raise ValueError("The text has no xades:SignedProperties.")
    text = found.group(0)
    text = text.replace(
        "<xades:SignedProperties ", f'<xades:SignedProperties xmlns:xades="{_NS["xades"]}" ', 1
    )
    text = re.sub(r"<ds:(\w+)", lambda match: f'<ds:{match.group(1)} xmlns:ds="{_NS["ds"]}"', text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return base64.b64encode(digest.encode("ascii")).decode("ascii")


def signed_properties_digest(
    *, signing_time: str, certificate_digest: str, issuer: str, serial_number: str
) -> str:
    """The ``#xadesSignedProperties`` reference digest of these signed properties (see the module docstring)."""
    text = _render_extensions(
        invoice_digest="",
        properties_digest="",
        signature_value="",
        certificate="",
        signing_time=signing_time,
        certificate_digest=certificate_digest,
        issuer_name=issuer,
        serial_number=serial_number,
    )
    return properties_digest_of_text(text)


def sign_hash(digest: bytes, private_key: ec.EllipticCurvePrivateKey) -> str:
    """The base64 DER ECDSA-SHA256 signature of the invoice hash's 32 bytes."""
    return base64.b64encode(private_key.sign(digest, ec.ECDSA(hashes.SHA256()))).decode("ascii")


def signature_valid(invoice_hash_b64: str, signature_b64: str, certificate: x509.Certificate) -> bool:
    """Whether ``signature_b64`` is the certificate key's ECDSA-SHA256 signature of the hash's 32 bytes."""
    try:
        certificate.public_key().verify(
            base64.b64decode(signature_b64, validate=True),
            base64.b64decode(invoice_hash_b64, validate=True),
            ec.ECDSA(hashes.SHA256()),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _text(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=_NS)
    if not found:
        raise ValueError(f"The XML has no {path}.")
    return str(found[0])


def qr_fields(
    xml: bytes, *, invoice_hash_b64: str, signature_b64: str, certificate: x509.Certificate
) -> QrFields:
    """The QR values of the document ``xml``: tags 1-5 read from its text, 6-9 from the signature.

    Tag 9 (the certificate's signature) only on a simplified document (``InvoiceTypeCode/@name`` ``02...``).
    """
    root = parse(xml).getroot()
    simplified = _text(root, "cbc:InvoiceTypeCode/@name").startswith("02")
    supplier = "cac:AccountingSupplierParty/cac:Party"
    return QrFields(
        seller_name=_text(root, f"{supplier}/cac:PartyLegalEntity/cbc:RegistrationName/text()"),
        vat_number=_text(root, f"{supplier}/cac:PartyTaxScheme/cbc:CompanyID/text()"),
        timestamp=f"{_text(root, 'cbc:IssueDate/text()')}T{_text(root, 'cbc:IssueTime/text()')}",
        total_with_vat=_text(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount/text()"),
        vat_total=_text(root, "cac:TaxTotal[1]/cbc:TaxAmount/text()"),
        invoice_hash=invoice_hash_b64,
        signature=signature_b64,
        public_key=certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        certificate_signature=certificate.signature if simplified else None,
    )


def _fragment(text: str) -> etree._Element:
    element = etree.fromstring(_WRAPPER.format(text).encode("utf-8"))[0]
    element.tail = None
    return element


def _embed(xml: bytes, extensions_text: str, qr: str) -> bytes:
    tree = parse(xml)
    root = tree.getroot()
    if root.xpath(
        "ext:UBLExtensions | cac:Signature | cac:AdditionalDocumentReference[cbc:ID='QR']", namespaces=_NS
    ):
        raise ValueError("The document is already signed.")
    pih = root.xpath("cac:AdditionalDocumentReference[cbc:ID='PIH']", namespaces=_NS)
    if not pih:
        raise ValueError("The document has no PIH reference.")
    extensions = _fragment(extensions_text)
    extensions.tail, root.text = root.text, None
    root.insert(0, extensions)
    signature = _fragment(templates.SIGNATURE)
    pih[0].addnext(signature)
    pih[0].addnext(_fragment(templates.QR_REFERENCE.format(qr=qr)))
    return _DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False) + b"\n"


def sign(
    document: Document | bytes,
    private_key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
    signing_time: datetime,
) -> Signed:
    """Sign ``document`` (a :class:`Document` or its unsigned XML) with the device key and its certificate.

    Returns the signed XML with its hash, signature and QR (base64 texts).  The signed XML hashes to the hash of
    the unsigned one (checked here).  Raises ValueError for an XML already signed or without a PIH reference,
    for a naive signing time, and for a QR over 700 characters.
    """
    unsigned = document_xml(document) if isinstance(document, Document) else document
    digest = hash_bytes(unsigned)
    hash_b64 = base64.b64encode(digest).decode("ascii")
    signature_b64 = sign_hash(digest, private_key)
    qr = qr_base64(
        qr_fields(unsigned, invoice_hash_b64=hash_b64, signature_b64=signature_b64, certificate=certificate)
    )
    values = {
        "signing_time": signing_time_text(signing_time),
        "certificate_digest": certificate_digest(certificate),
        "issuer_name": issuer_name(certificate),
        "serial_number": str(certificate.serial_number),
    }
    properties_digest = signed_properties_digest(
        signing_time=values["signing_time"],
        certificate_digest=values["certificate_digest"],
        issuer=values["issuer_name"],
        serial_number=values["serial_number"],
    )
    extensions_text = _render_extensions(
        invoice_digest=hash_b64,
        properties_digest=properties_digest,
        signature_value=signature_b64,
        certificate=certificate_base64(certificate),
        **values,
    )
    signed = _embed(unsigned, extensions_text, qr)
    if invoice_hash(signed) != hash_b64:  # pragma: no cover - the embedding rule guarantees it
        raise AssertionError("Signing changed the hashed content.")
    return Signed(xml=signed, invoice_hash=hash_b64, signature=signature_b64, qr=qr)


def verify(xml: bytes, certificate: x509.Certificate) -> bool:
    """Whether ``xml`` is a document signed with ``certificate``'s key, consistent in every part.

    Recomputes the invoice hash and checks it against the ``invoiceSignedData`` digest, the signature value
    against the certificate's public key, the embedded certificate, its digest, the signed-properties digest and
    the QR's tags 6 to 9.
    """
    try:
        root = parse(xml).getroot()
        signature = root.xpath("ext:UBLExtensions//ds:Signature", namespaces=_NS)[0]
        hash_b64 = invoice_hash(xml)
        digest = _text(signature, "ds:SignedInfo/ds:Reference[@Id='invoiceSignedData']/ds:DigestValue/text()")
        signature_b64 = _text(signature, "ds:SignatureValue/text()")
        properties = signature.xpath("ds:Object//xades:SignedProperties", namespaces=_NS)[0]
        expected_properties = signed_properties_digest(
            signing_time=_text(properties, ".//xades:SigningTime/text()"),
            certificate_digest=_text(properties, ".//xades:CertDigest/ds:DigestValue/text()"),
            issuer=_text(properties, ".//ds:X509IssuerName/text()"),
            serial_number=_text(properties, ".//ds:X509SerialNumber/text()"),
        )
        properties_reference = (
            "ds:SignedInfo/ds:Reference[@URI='#xadesSignedProperties']/ds:DigestValue/text()"
        )
        qr = decode_tlv(
            _text(
                root, "cac:AdditionalDocumentReference[cbc:ID='QR']//cbc:EmbeddedDocumentBinaryObject/text()"
            )
        )
        expected_qr = qr_fields(
            xml, invoice_hash_b64=hash_b64, signature_b64=signature_b64, certificate=certificate
        )
    except (IndexError, ValueError, etree.XMLSyntaxError):
        return False
    return (
        digest == hash_b64
        and signature_valid(hash_b64, signature_b64, certificate)
        and _text(signature, "ds:KeyInfo//ds:X509Certificate/text()").strip()
        == certificate_base64(certificate)
        and _text(properties, ".//xades:CertDigest/ds:DigestValue/text()") == certificate_digest(certificate)
        and _text(signature, properties_reference) == expected_properties
        and qr == dict(enumerate(expected_qr.values(), start=1))
    )
