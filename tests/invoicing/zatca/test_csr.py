"""The device's CSR and the sandbox CA's CSIDs."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from invoicing.zatca import csr
from invoicing.zatca.sandbox_ca import issue_csid
from tests.invoicing.zatca.conftest import DEVICE_SUBJECT, NOW


def _directory(extensions: x509.Extensions) -> dict[str, str]:
    (name,) = extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DirectoryName
    )
    return {attribute.oid.dotted_string: attribute.value for attribute in name}


@pytest.mark.parametrize(
    ("environment", "template"),
    [
        ("sandbox", "TSTZATCA-Code-Signing"),
        ("simulation", "PREZATCA-Code-Signing"),
        ("production", "ZATCA-Code-Signing"),
    ],
)
def test_the_csr_holds_every_field_zatca_asks_for(environment, template):
    key = csr.generate_private_key()
    encoded = csr.csr_base64(csr.build_csr(DEVICE_SUBJECT, key, environment=environment))
    pem = base64.b64decode(encoded)
    assert pem.startswith(b"-----BEGIN CERTIFICATE REQUEST-----")
    request = x509.load_pem_x509_csr(pem)
    assert request.is_signature_valid
    assert isinstance(request.public_key(), ec.EllipticCurvePublicKey)
    assert isinstance(request.public_key().curve, ec.SECP256K1)
    assert request.public_key().public_numbers() == key.public_key().public_numbers()
    subject = {attribute.oid: attribute.value for attribute in request.subject}
    assert subject == {
        NameOID.COMMON_NAME: "EGS1-886431145",
        NameOID.ORGANIZATIONAL_UNIT_NAME: "الفرع الرئيسي",
        NameOID.ORGANIZATION_NAME: "شركة الياسمين للتجارة",
        NameOID.COUNTRY_NAME: "SA",
    }
    extension = request.extensions.get_extension_for_oid(csr.TEMPLATE_NAME_OID).value
    assert extension.value == b"\x13" + bytes([len(template)]) + template.encode()  # ASN.1 PrintableString
    assert _directory(request.extensions) == {
        "2.5.4.4": "1-InvoicingBackoffice|2-1.0|3-ed22f1d8-e6a2-1118-9b58-d9a8f11e445f",
        "0.9.2342.19200300.100.1.1": "399999999900003",
        "2.5.4.12": "1100",
        "2.5.4.26": "RRRD2929",
        "2.5.4.15": "Retail",
    }
    assert csr.load_csr(encoded).public_bytes(csr.serialization.Encoding.PEM) == pem


def test_the_csr_refuses_an_unknown_environment_or_invoice_type():
    key = csr.generate_private_key()
    with pytest.raises(ValueError, match="environment"):
        csr.build_csr(DEVICE_SUBJECT, key, environment="staging")
    with pytest.raises(ValueError, match="invoice type"):
        csr.build_csr(
            csr.CsrSubject(**{**DEVICE_SUBJECT.__dict__, "invoice_type": "0200"}), key, environment="sandbox"
        )


def test_the_private_key_round_trips_through_pem_and_only_secp256k1_is_accepted():
    key = csr.generate_private_key()
    loaded = csr.load_private_key(csr.private_key_pem(key))
    assert loaded.private_numbers() == key.private_numbers()
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(ValueError, match="secp256k1"):
        csr.load_private_key(csr.private_key_pem(other))


def test_the_sandbox_ca_issues_a_csid_copying_the_csrs_subject_and_alternative_name(test_ca):
    key = csr.generate_private_key()
    request = csr.build_csr(DEVICE_SUBJECT, key, environment="sandbox")
    response = issue_csid(test_ca, csr.csr_base64(request), now=NOW)
    certificate = csr.certificate_from_token(response.binary_security_token)
    assert certificate == response.certificate
    # binarySecurityToken: the base64 of the certificate's base64 DER text, as ZATCA answers it.
    assert base64.b64decode(response.binary_security_token).startswith(b"MII")
    assert certificate.subject == request.subject
    assert certificate.issuer == test_ca.certificate.subject
    assert certificate.public_key().public_numbers() == key.public_key().public_numbers()
    assert _directory(certificate.extensions) == _directory(request.extensions)
    test_ca.certificate.public_key().verify(
        certificate.signature,
        certificate.tbs_certificate_bytes,
        ec.ECDSA(certificate.signature_hash_algorithm),
    )
    body = response.as_json()
    assert body["dispositionMessage"] == "ISSUED"
    assert body["binarySecurityToken"] == response.binary_security_token
    assert isinstance(body["requestID"], int)
    assert len(base64.b64decode(body["secret"])) == 32
    assert issue_csid(test_ca, request, now=NOW).secret != response.secret


def test_the_sandbox_ca_refuses_a_csr_whose_signature_is_not_its_own(test_ca):
    request = csr.build_csr(DEVICE_SUBJECT, csr.generate_private_key(), environment="sandbox")
    der = bytearray(request.public_bytes(csr.serialization.Encoding.DER))
    der[-5] ^= 0x01  # inside the signature
    tampered = x509.load_der_x509_csr(bytes(der))
    with pytest.raises(ValueError, match="signature"):
        issue_csid(test_ca, tampered, now=NOW)
