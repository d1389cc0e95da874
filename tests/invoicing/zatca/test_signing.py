"""Signing end to end: a device onboarded with the sandbox CA signs the writer's documents; they verify."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.serialization import load_der_public_key
from lxml import etree

from invoicing.zatca import Document, decode_tlv, document_xml, invoice_hash, sign, templates, verify
from invoicing.zatca.csr import generate_private_key
from invoicing.zatca.hashing import canonical_bytes
from invoicing.zatca.qr import MAX_QR_CHARACTERS
from invoicing.zatca.signing import certificate_base64, properties_digest_of_text, signature_valid
from tests.invoicing.zatca.documents_factory import credit_note, simplified_invoice, standard_invoice

SIGNING_TIME = datetime(2026, 12, 3, 9, 30, 7, tzinfo=UTC)
NS = {
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xades": "http://uri.etsi.org/01903/v1.3.2#",
}
DOCUMENTS = {"simplified": simplified_invoice, "credit_note": credit_note, "standard": standard_invoice}


@pytest.fixture(params=sorted(DOCUMENTS))
def document(request) -> Document:
    return DOCUMENTS[request.param]()


def test_a_signed_document_verifies_and_keeps_its_hash(document, device, invoice_schema):
    key, certificate = device
    unsigned = document_xml(document)
    signed = sign(document, key, certificate, SIGNING_TIME)
    assert signed.invoice_hash == invoice_hash(unsigned) == invoice_hash(signed.xml)
    assert canonical_bytes(signed.xml) == canonical_bytes(unsigned)
    assert signature_valid(signed.invoice_hash, signed.signature, certificate)
    assert verify(signed.xml, certificate)
    invoice_schema.assertValid(etree.fromstring(signed.xml))


def test_the_signed_xml_holds_the_signature_block_the_qr_and_the_signature_reference(document, device):
    key, certificate = device
    signed = sign(document_xml(document), key, certificate, SIGNING_TIME)
    root = etree.fromstring(signed.xml)
    children = [etree.QName(child).localname for child in root]
    assert children[:2] == ["UBLExtensions", "ProfileID"]
    pih = children.index("AdditionalDocumentReference") + 1
    assert children[pih : pih + 3] == [
        "AdditionalDocumentReference",
        "AdditionalDocumentReference",
        "Signature",
    ]
    assert root.xpath("//ds:X509Certificate/text()", namespaces=NS) == [certificate_base64(certificate)]
    assert root.xpath("//xades:SigningTime/text()", namespaces=NS) == ["2026-12-03T09:30:07"]
    assert root.xpath("//ds:SignatureValue/text()", namespaces=NS) == [signed.signature]
    assert root.xpath("//ds:Reference[@Id='invoiceSignedData']/ds:DigestValue/text()", namespaces=NS) == [
        signed.invoice_hash
    ]
    qr = root.xpath(
        "cac:AdditionalDocumentReference[cbc:ID='QR']//cbc:EmbeddedDocumentBinaryObject/text()", namespaces=NS
    )
    assert qr == [signed.qr]


def test_the_qr_decodes_to_the_documents_tags(document, device):
    key, certificate = device
    signed = sign(document, key, certificate, SIGNING_TIME)
    tags = decode_tlv(signed.qr)
    assert len(signed.qr) <= MAX_QR_CHARACTERS
    assert tags[1].decode() == document.seller.name
    assert tags[2].decode() == document.seller.vat_number
    assert tags[3].decode() == "2026-12-03T12:30:05"
    assert tags[4].decode() == format(document.totals.tax_inclusive, "f")
    assert tags[5].decode() == format(document.totals.tax_total, "f")
    assert tags[6].decode() == signed.invoice_hash
    assert tags[7].decode() == signed.signature
    assert load_der_public_key(tags[8]) == certificate.public_key()
    if document.kind == "simplified":
        assert tags[9] == certificate.signature
    else:
        assert 9 not in tags


def test_verification_fails_for_another_key_a_changed_figure_or_a_changed_qr(device, test_ca):
    key, certificate = device
    signed = sign(simplified_invoice(), key, certificate, SIGNING_TIME)
    other = sign(simplified_invoice(), generate_private_key(), certificate, SIGNING_TIME)
    assert not verify(other.xml, certificate)  # signed with a key that is not the certificate's
    assert not verify(signed.xml, test_ca.certificate)
    changed = signed.xml.replace(b">48.17</cbc:PayableAmount>", b">48.18</cbc:PayableAmount>")
    assert changed != signed.xml and not verify(changed, certificate)
    qr_changed = signed.xml.replace(
        signed.qr.encode(), sign(credit_note(), key, certificate, SIGNING_TIME).qr.encode()
    )
    assert not verify(qr_changed, certificate)
    assert not verify(b"<Invoice/>", certificate)


def test_a_signed_document_cannot_be_signed_again_and_the_time_must_be_aware(device):
    key, certificate = device
    signed = sign(simplified_invoice(), key, certificate, SIGNING_TIME)
    with pytest.raises(ValueError, match="already signed"):
        sign(signed.xml, key, certificate, SIGNING_TIME)
    with pytest.raises(ValueError, match="timezone-aware"):
        sign(simplified_invoice(), key, certificate, datetime(2026, 12, 3, 9, 30))


def test_the_signed_properties_digest_holds_for_the_text_as_embedded(device):
    """ZATCA hashes the signed properties' text as it stands in the document: the embedding keeps it verbatim."""
    key, certificate = device
    signed = sign(simplified_invoice(), key, certificate, SIGNING_TIME)
    root = etree.fromstring(signed.xml)
    (reference,) = root.xpath(
        "//ds:Reference[@URI='#xadesSignedProperties']/ds:DigestValue/text()", namespaces=NS
    )
    assert properties_digest_of_text(signed.xml.decode("utf-8")) == reference
    assert signed.xml.decode("utf-8").count(templates.UBL_EXTENSIONS.split("{invoice_digest}")[0]) == 1
