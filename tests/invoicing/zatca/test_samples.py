"""ZATCA's own signed SDK samples are the oracle: hash, signature, signed properties, QR and verification."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from lxml import etree

from invoicing.zatca import signing
from invoicing.zatca.hashing import (
    FIRST_PREVIOUS_HASH,
    canonical_bytes,
    invoice_hash,
    parse,
    remove_keeping_text,
)
from invoicing.zatca.qr import decode_tlv, qr_base64
from tests.invoicing.zatca.conftest import SAMPLE_NAMES, c14n_1_1, sample_bytes

NS = {
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xades": "http://uri.etsi.org/01903/v1.3.2#",
}


def _one(root: etree._Element, path: str) -> str:
    (value,) = root.xpath(path, namespaces=NS)
    return str(value)


class Sample:
    def __init__(self, name: str) -> None:
        self.xml = sample_bytes(name)
        self.root = etree.fromstring(self.xml)
        self.invoice_digest = _one(self.root, "//ds:Reference[@Id='invoiceSignedData']/ds:DigestValue/text()")
        self.properties_digest = _one(
            self.root, "//ds:Reference[@URI='#xadesSignedProperties']/ds:DigestValue/text()"
        )
        self.signature = _one(self.root, "//ds:SignatureValue/text()")
        self.certificate = x509.load_der_x509_certificate(
            base64.b64decode(_one(self.root, "//ds:X509Certificate/text()"))
        )
        self.qr = _one(
            self.root,
            "//cac:AdditionalDocumentReference[cbc:ID='QR']//cbc:EmbeddedDocumentBinaryObject/text()",
        )


@pytest.fixture(params=SAMPLE_NAMES)
def sample(request) -> Sample:
    return Sample(request.param)


def test_the_hash_of_each_sample_is_its_own_invoice_digest(sample):
    assert invoice_hash(sample.xml) == sample.invoice_digest


def test_the_canonical_form_has_no_xml_attributes_where_c14n_1_0_and_1_1_differ(sample):
    canonical = canonical_bytes(sample.xml)
    assert b"xml:" not in canonical.split(b">", 1)[1]
    assert b"UBLExtensions" not in canonical
    assert b"<cac:Signature>" not in canonical
    assert b"<cbc:ID>QR</cbc:ID>" not in canonical
    assert b"<cbc:ID>PIH</cbc:ID>" in canonical


def test_the_sample_signature_verifies_over_the_hash_bytes_with_the_sample_certificate(sample):
    assert signing.signature_valid(sample.invoice_digest, sample.signature, sample.certificate)
    # ZATCA signs the 32 hash bytes, not their base64 text.
    other = base64.b64encode(sample.invoice_digest.encode()).decode()
    assert not signing.signature_valid(other, sample.signature, sample.certificate)


def test_the_signed_properties_digest_and_certificate_digest_are_the_samples(sample):
    properties = sample.root.xpath("//xades:SignedProperties", namespaces=NS)[0]
    assert signing.certificate_digest(sample.certificate) == _one(
        properties, ".//xades:CertDigest/ds:DigestValue/text()"
    )
    assert signing.issuer_name(sample.certificate) == _one(properties, ".//ds:X509IssuerName/text()")
    assert str(sample.certificate.serial_number) == _one(properties, ".//ds:X509SerialNumber/text()")
    digest = signing.signed_properties_digest(
        signing_time=_one(properties, ".//xades:SigningTime/text()"),
        certificate_digest=signing.certificate_digest(sample.certificate),
        issuer=signing.issuer_name(sample.certificate),
        serial_number=str(sample.certificate.serial_number),
    )
    assert digest == sample.properties_digest


def test_the_qr_rebuilt_from_the_sample_data_is_the_samples_byte_for_byte(sample):
    fields = signing.qr_fields(
        sample.xml,
        invoice_hash_b64=sample.invoice_digest,
        signature_b64=sample.signature,
        certificate=sample.certificate,
    )
    assert qr_base64(fields) == sample.qr
    tags = decode_tlv(sample.qr)
    simplified = _one(sample.root, "cbc:InvoiceTypeCode/@name").startswith("02")
    assert sorted(tags) == list(range(1, 10 if simplified else 9))  # a standard document's QR has no tag 9
    assert tags[6].decode() == sample.invoice_digest
    assert tags[7].decode() == sample.signature


def test_each_sample_verifies_and_a_changed_byte_does_not(sample):
    assert signing.verify(sample.xml, sample.certificate)
    changed = sample.xml.replace(b"<cbc:ProfileID>reporting:1.0", b"<cbc:ProfileID>reporting:1.1", 1)
    assert invoice_hash(changed) != sample.invoice_digest
    assert not signing.verify(changed, sample.certificate)


def test_the_samples_validate_against_the_ubl_invoice_schema(sample, invoice_schema):
    invoice_schema.assertValid(etree.fromstring(sample.xml))


def test_the_first_previous_hash_is_the_samples_pih():
    pih = _one(
        etree.fromstring(sample_bytes("Simplified_Invoice.xml")),
        "cac:AdditionalDocumentReference[cbc:ID='PIH']//cbc:EmbeddedDocumentBinaryObject/text()",
    )
    assert pih == FIRST_PREVIOUS_HASH


def test_c14n_1_0_and_libxml2s_c14n_1_1_give_the_same_bytes_on_each_sample(sample):
    tree = parse(sample.xml)
    for element in tree.getroot().xpath(
        "ext:UBLExtensions | cac:Signature | cac:AdditionalDocumentReference[cbc:ID='QR']", namespaces=NS
    ):
        remove_keeping_text(element)
    canonical_1_1 = c14n_1_1(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    if canonical_1_1 is None:
        pytest.skip("libxml2 is not installed as a shared library")
    assert canonical_1_1 == canonical_bytes(sample.xml)
