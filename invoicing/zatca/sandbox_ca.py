"""The built-in test CA of the ``sandbox`` environment: it issues compliance and production CSIDs offline.

The CA is an ECDSA (secp256k1) key with a self-signed certificate, made once by :func:`create_test_ca` and kept by
the caller.  :func:`issue_csid` checks a CSR's own signature and issues a certificate that copies the CSR's subject,
public key and subjectAltName (and its certificate template name extension), for the device's code signing, and
answers what ZATCA's ``/compliance`` and ``/production/csids`` answer: ``binarySecurityToken`` (the base64 of the
certificate's base64 DER text), ``secret``, ``requestID`` and ``dispositionMessage`` ``ISSUED``.  Pure: the caller
passes the time; randomness comes from the operating system.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from invoicing.zatca.csr import TEMPLATE_NAME_OID, certificate_token, load_csr

__all__ = ["CsidResponse", "TestCa", "create_test_ca", "issue_csid"]

CA_VALIDITY = timedelta(days=3650)
CSID_VALIDITY = timedelta(days=365 * 5)


@dataclass(frozen=True)
class TestCa:
    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True)
class CsidResponse:
    """What a CSID endpoint answers (:meth:`as_json` gives ZATCA's field names) and the certificate issued."""

    binary_security_token: str
    secret: str
    request_id: int
    disposition_message: str
    certificate: x509.Certificate

    def as_json(self) -> dict[str, object]:
        return {
            "requestID": self.request_id,
            "dispositionMessage": self.disposition_message,
            "binarySecurityToken": self.binary_security_token,
            "secret": self.secret,
            "errors": None,
        }


def create_test_ca(*, now: datetime, common_name: str = "Sandbox EInvoicing Test CA") -> TestCa:
    """A new test CA valid ten years from ``now`` (aware datetime)."""
    key = ec.generate_private_key(ec.SECP256K1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "local"),
            x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return TestCa(private_key=key, certificate=certificate)


def issue_csid(
    ca: TestCa, csr: x509.CertificateSigningRequest | str | bytes, *, now: datetime
) -> CsidResponse:
    """A CSID for ``csr`` (an object, its PEM or the base64 of its PEM); ValueError for a CSR badly signed."""
    request = csr if isinstance(csr, x509.CertificateSigningRequest) else load_csr(csr)
    if not request.is_signature_valid:
        raise ValueError("The CSR's signature is not valid.")
    builder = (
        x509.CertificateBuilder()
        .subject_name(request.subject)
        .issuer_name(ca.certificate.subject)
        .public_key(request.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + CSID_VALIDITY)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
    )
    for extension in request.extensions:
        if isinstance(extension.value, x509.SubjectAlternativeName) or extension.oid == TEMPLATE_NAME_OID:
            builder = builder.add_extension(extension.value, critical=extension.critical)
    certificate = builder.sign(ca.private_key, hashes.SHA256())
    return CsidResponse(
        binary_security_token=certificate_token(certificate),
        secret=base64.b64encode(os.urandom(32)).decode("ascii"),
        request_id=int.from_bytes(os.urandom(6), "big"),
        disposition_message="ISSUED",
        certificate=certificate,
    )
