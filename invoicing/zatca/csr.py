"""The device's key and certificate signing request, as ZATCA's onboarding wants them.

- The key: ECDSA over secp256k1.
- The CSR, signed with it (ECDSA-SHA256): subject ``CN`` the device's common name, ``OU`` the store, ``O`` the legal
  name, ``C`` ``SA``; the certificate template name extension (OID 1.3.6.1.4.1.311.20.2, an ASN.1 PrintableString,
  as the SDK's configuration writes it): ``TSTZATCA-Code-Signing`` in ``sandbox``, ``PREZATCA-Code-Signing`` in
  ``simulation``, ``ZATCA-Code-Signing`` in ``production``; a subjectAltName holding one directoryName whose RDNs are,
  in this order, ``SN`` ``1-<solution>|2-<version>|3-<device uuid>``, ``UID`` the VAT number, ``title`` the invoice
  types (``0100`` simplified, ``1000`` standard, ``1100`` both), ``registeredAddress`` and ``businessCategory``
  (UTF8Strings, as in ZATCA's certificates).
- What ZATCA's ``/compliance`` takes as ``{"csr": ...}``: the base64 of the whole PEM text.
- What its CSID endpoints answer as ``binarySecurityToken``: the base64 of the certificate's base64 DER text;
  :func:`certificate_from_token` reads it back.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

__all__ = [
    "ENVIRONMENTS",
    "INVOICE_TYPES",
    "REGISTERED_ADDRESS_OID",
    "TEMPLATE_NAMES",
    "TEMPLATE_NAME_OID",
    "CsrSubject",
    "build_csr",
    "certificate_from_token",
    "certificate_token",
    "csr_base64",
    "generate_private_key",
    "load_csr",
    "load_private_key",
    "private_key_pem",
    "template_name",
]

TEMPLATE_NAME_OID = ObjectIdentifier("1.3.6.1.4.1.311.20.2")
REGISTERED_ADDRESS_OID = ObjectIdentifier("2.5.4.26")
TEMPLATE_NAMES = {
    "sandbox": "TSTZATCA-Code-Signing",
    "simulation": "PREZATCA-Code-Signing",
    "production": "ZATCA-Code-Signing",
}
ENVIRONMENTS = tuple(TEMPLATE_NAMES)
INVOICE_TYPES = ("0100", "1000", "1100")


@dataclass(frozen=True)
class CsrSubject:
    """What the CSR says of the device (EGS unit) and its taxpayer."""

    common_name: str
    organization_unit: str  # the store (branch)
    organization: str  # the legal name
    vat_number: str
    solution_name: str
    solution_version: str
    device_uuid: str
    invoice_type: str  # 0100, 1000 or 1100
    registered_address: str  # the store's short address
    business_category: str  # the industry
    country: str = "SA"

    @property
    def serial_number(self) -> str:
        return f"1-{self.solution_name}|2-{self.solution_version}|3-{self.device_uuid}"


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    """A new secp256k1 key."""
    return ec.generate_private_key(ec.SECP256K1())


def private_key_pem(private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """The key as unencrypted PKCS#8 PEM (encrypt it at rest with :mod:`invoicing.zatca.secrets`)."""
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(pem: bytes) -> ec.EllipticCurvePrivateKey:
    """A secp256k1 key from PEM (PKCS#8 or SEC1); ValueError for another kind of key."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256K1):
        raise ValueError("The device key must be an ECDSA secp256k1 key.")
    return key


def template_name(environment: str) -> str:
    """The certificate template name of ``environment`` (sandbox, simulation or production)."""
    try:
        return TEMPLATE_NAMES[environment]
    except KeyError:
        raise ValueError(f"Unknown ZATCA environment {environment!r}.") from None


def _printable_string(text: str) -> bytes:
    encoded = text.encode("ascii")
    if len(encoded) > 127:
        raise ValueError("The template name is too long.")
    return bytes((0x13, len(encoded))) + encoded


def build_csr(
    subject: CsrSubject, private_key: ec.EllipticCurvePrivateKey, *, environment: str
) -> x509.CertificateSigningRequest:
    """The CSR of ``subject`` signed with ``private_key`` for ``environment`` (see the module docstring)."""
    if subject.invoice_type not in INVOICE_TYPES:
        raise ValueError(f"The invoice type must be one of {', '.join(INVOICE_TYPES)}.")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, subject.country),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, subject.organization_unit),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject.organization),
            x509.NameAttribute(NameOID.COMMON_NAME, subject.common_name),
        ]
    )
    directory = x509.Name(
        [
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.SURNAME, subject.serial_number)]),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.USER_ID, subject.vat_number)]),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.TITLE, subject.invoice_type)]),
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(REGISTERED_ADDRESS_OID, subject.registered_address)]
            ),
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(NameOID.BUSINESS_CATEGORY, subject.business_category)]
            ),
        ]
    )
    template = x509.UnrecognizedExtension(TEMPLATE_NAME_OID, _printable_string(template_name(environment)))
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(name)
        .add_extension(template, critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DirectoryName(directory)]), critical=False)
        .sign(private_key, hashes.SHA256())
    )


def csr_base64(csr: x509.CertificateSigningRequest) -> str:
    """``{"csr": ...}`` of ZATCA's compliance request: the base64 of the CSR's PEM text."""
    return base64.b64encode(csr.public_bytes(serialization.Encoding.PEM)).decode("ascii")


def load_csr(text: str | bytes) -> x509.CertificateSigningRequest:
    """A CSR from its PEM, or from the base64 of its PEM (what :func:`csr_base64` gives)."""
    data = text.encode("ascii") if isinstance(text, str) else text
    if b"-----BEGIN" not in data:
        data = base64.b64decode(data, validate=True)
    return x509.load_pem_x509_csr(data)


def certificate_token(certificate: x509.Certificate) -> str:
    """``binarySecurityToken`` of a certificate: the base64 of its base64 DER text."""
    der_text = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER))
    return base64.b64encode(der_text).decode("ascii")


def certificate_from_token(binary_security_token: str) -> x509.Certificate:
    """The certificate of a CSID's ``binarySecurityToken`` (base64 of the base64 DER text)."""
    der_text = base64.b64decode(binary_security_token, validate=True)
    return x509.load_der_x509_certificate(base64.b64decode(der_text, validate=True))
