"""Shared material of the ZATCA core tests: the SDK samples, the UBL schema, a sandbox CA and an onboarded device."""

from __future__ import annotations

import ctypes
import ctypes.util
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from invoicing.zatca import csr
from invoicing.zatca.sandbox_ca import create_test_ca, issue_csid

DATA = Path(__file__).resolve().parents[2] / "data" / "zatca"
SAMPLES = DATA / "samples"
SAMPLE_NAMES = (
    "Simplified_Invoice.xml",
    "Simplified_Credit_Note.xml",
    "Simplified_Debit_Note.xml",
    "Standard_Invoice.xml",
    "Standard_Credit_Note.xml",
    "Standard_Debit_Note.xml",
)
NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
DEVICE_SUBJECT = csr.CsrSubject(
    common_name="EGS1-886431145",
    organization_unit="الفرع الرئيسي",
    organization="شركة الياسمين للتجارة",
    vat_number="399999999900003",
    solution_name="InvoicingBackoffice",
    solution_version="1.0",
    device_uuid="ed22f1d8-e6a2-1118-9b58-d9a8f11e445f",
    invoice_type="1100",
    registered_address="RRRD2929",
    business_category="Retail",
)


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def c14n_1_1(xml: bytes) -> bytes | None:
    """``xml`` canonicalised by libxml2's own C14N 1.1 mode (lxml exposes only 1.0), or None without libxml2."""
    path = ctypes.util.find_library("xml2")
    if path is None:
        return None
    libxml2 = ctypes.CDLL(path)
    libxml2.xmlReadMemory.restype = ctypes.c_void_p
    libxml2.xmlReadMemory.argtypes = [
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_int,
    ]
    libxml2.xmlC14NDocDumpMemory.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
    ]
    libxml2.xmlFreeDoc.argtypes = [ctypes.c_void_p]
    document = libxml2.xmlReadMemory(xml, len(xml), b"invoice.xml", None, 0)
    assert document, "libxml2 could not parse the document"
    output = ctypes.c_char_p()
    xml_c14n_1_1 = 2
    length = libxml2.xmlC14NDocDumpMemory(document, None, xml_c14n_1_1, None, 0, ctypes.byref(output))
    libxml2.xmlFreeDoc(document)
    assert length >= 0
    return ctypes.string_at(output, length)


@pytest.fixture(scope="session")
def invoice_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd")))


@pytest.fixture(scope="session")
def test_ca():
    return create_test_ca(now=NOW)


@pytest.fixture(scope="session")
def device(test_ca):
    """A device key and the certificate the sandbox CA issued for its CSR (a production CSID)."""
    key = csr.generate_private_key()
    request = csr.build_csr(DEVICE_SUBJECT, key, environment="sandbox")
    response = issue_csid(test_ca, csr.csr_base64(request), now=NOW)
    return key, csr.certificate_from_token(response.binary_security_token)
