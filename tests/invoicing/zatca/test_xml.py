"""The UBL writer: schema-valid, shaped like ZATCA's samples, and carrying the calculator's figures to the halala."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from invoicing.calculations import LineInput, TaxInput, calculate_document
from invoicing.zatca import (
    Document,
    Kind,
    SourceLine,
    TypeCode,
    arithmetic_errors,
    document_xml,
    lines_and_totals,
)
from invoicing.zatca.hashing import canonical_bytes
from tests.invoicing.zatca.conftest import SAMPLE_NAMES, c14n_1_1, sample_bytes
from tests.invoicing.zatca.documents_factory import (
    credit_note,
    sale_totals,
    simplified_invoice,
    standard_invoice,
)

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# What the writer adds to the samples' vocabulary: a line's allowance (the calculator's line discounts and document
# discount shares), a price per base quantity (when the unit price cannot state the line exactly) and the buyer's
# CR number (the seller's element, schemeID CRN).
EXTRA_PATHS = {
    "Invoice/AccountingCustomerParty/Party/PartyIdentification",
    "Invoice/AccountingCustomerParty/Party/PartyIdentification/ID",
    "Invoice/InvoiceLine/AllowanceCharge",
    "Invoice/InvoiceLine/AllowanceCharge/ChargeIndicator",
    "Invoice/InvoiceLine/AllowanceCharge/AllowanceChargeReason",
    "Invoice/InvoiceLine/AllowanceCharge/Amount",
    "Invoice/InvoiceLine/Price/BaseQuantity",
}
UNSIGNED = {"UBLExtensions", "Signature"}  # added by signing, with the QR reference


def _paths(element: etree._Element, prefix: str = "") -> set[str]:
    path = f"{prefix}/{etree.QName(element).localname}" if prefix else etree.QName(element).localname
    found = {path}
    for child in element:
        found |= _paths(child, path)
    return found


def _root_order(root: etree._Element) -> list[str]:
    names: list[str] = []
    for child in root:
        name = etree.QName(child).localname
        if not names or names[-1] != name:
            names.append(name)
    return names


def _d(root: etree._Element, path: str) -> Decimal:
    (text,) = root.xpath(path + "/text()", namespaces=NS)
    return Decimal(text)


DOCUMENTS = {"simplified": simplified_invoice, "credit_note": credit_note, "standard": standard_invoice}


@pytest.fixture(params=sorted(DOCUMENTS))
def document(request) -> Document:
    return DOCUMENTS[request.param]()


def test_the_written_xml_validates_against_the_ubl_invoice_schema(document, invoice_schema):
    invoice_schema.assertValid(etree.fromstring(document_xml(document)))


def test_the_written_xml_has_the_samples_elements_in_the_samples_order(document):
    root = etree.fromstring(document_xml(document))
    sample_roots = [etree.fromstring(sample_bytes(name)) for name in SAMPLE_NAMES]
    sample_paths = set().union(*(_paths(sample) for sample in sample_roots))
    assert _paths(root) - sample_paths <= EXTRA_PATHS
    # The root's children follow the order of the fullest sample (the standard credit note).
    reference = [name for name in _root_order(sample_roots[4]) if name not in UNSIGNED | {"Note"}]
    order = _root_order(root)
    assert order == [name for name in reference if name in order]
    assert order[-1] == "InvoiceLine"


def test_the_written_xml_breaks_no_arithmetic_rule(document):
    assert arithmetic_errors(document) == []


def test_the_simplified_invoice_carries_the_calculators_figures_to_the_halala():
    totals = sale_totals()
    root = etree.fromstring(document_xml(simplified_invoice()))
    assert root.xpath("cbc:InvoiceTypeCode/@name", namespaces=NS) == ["0200000"]
    assert root.xpath("cbc:InvoiceTypeCode/text()", namespaces=NS) == ["388"]
    assert _d(root, "cac:TaxTotal[1]/cbc:TaxAmount") == totals.tax_total == Decimal("6.28")
    assert _d(root, "cac:TaxTotal[2]/cac:TaxSubtotal/cbc:TaxAmount") == totals.taxes[0].amount
    assert _d(root, "cac:TaxTotal[2]/cac:TaxSubtotal/cbc:TaxableAmount") == totals.taxes[0].taxable_amount
    assert (
        _d(root, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount") == totals.subtotal - totals.discount_total
    )
    assert _d(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == totals.total == Decimal("48.17")
    assert _d(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == totals.total
    lines = root.xpath("cac:InvoiceLine", namespaces=NS)
    assert len(lines) == 2
    for line, figures in zip(lines, totals.lines, strict=True):
        assert _d(line, "cbc:LineExtensionAmount") == figures.total
        assert _d(line, "cac:AllowanceCharge/cbc:Amount") == figures.discount_amount
        assert _d(line, "cac:TaxTotal/cbc:TaxAmount") == figures.tax_amount
        assert _d(line, "cac:TaxTotal/cbc:RoundingAmount") == figures.total + figures.tax_amount
    assert root.xpath("cac:BillingReference | cac:Delivery", namespaces=NS) == []
    assert root.xpath("cac:AccountingCustomerParty/*", namespaces=NS) == []


def test_the_credit_note_refers_to_the_sale_and_states_its_reason():
    document = credit_note()
    root = etree.fromstring(document_xml(document))
    assert root.xpath("cbc:InvoiceTypeCode/text()", namespaces=NS) == [str(TypeCode.CREDIT_NOTE)]
    assert root.xpath("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()", namespaces=NS) == [
        "INV-00001"
    ]
    assert root.xpath("cac:PaymentMeans/cbc:InstructionNote/text()", namespaces=NS) == [
        document.instruction_note
    ]
    assert _d(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == document.totals.payable


def test_the_standard_invoice_names_its_buyer_and_supply_date():
    document = standard_invoice()
    root = etree.fromstring(document_xml(document))
    assert document.kind is Kind.STANDARD
    assert root.xpath("cbc:InvoiceTypeCode/@name", namespaces=NS) == ["0100000"]
    party = "cac:AccountingCustomerParty/cac:Party"
    assert root.xpath(f"{party}/cac:PartyTaxScheme/cbc:CompanyID/text()", namespaces=NS) == [
        "399999999800003"
    ]
    assert root.xpath(f"{party}/cac:PartyLegalEntity/cbc:RegistrationName/text()", namespaces=NS) == [
        document.buyer.name
    ]
    assert root.xpath(f"{party}/cac:PostalAddress/cbc:PostalZone/text()", namespaces=NS) == ["12222"]
    assert root.xpath("cac:Delivery/cbc:ActualDeliveryDate/text()", namespaces=NS) == ["2026-12-04"]
    assert root.xpath("cac:PaymentMeans/cbc:PaymentMeansCode/text()", namespaces=NS) == ["30"]


def test_the_writer_rounds_nothing():
    document = simplified_invoice()
    line = document.lines[0]
    broken = Document(
        **{**document.__dict__, "lines": (type(line)(**{**line.__dict__, "net_amount": Decimal("29.495")}),)}
    )
    with pytest.raises(ValueError, match="two decimals"):
        document_xml(broken)


def test_a_note_needs_its_reference_and_reason_and_a_standard_invoice_its_buyer():
    document = simplified_invoice()
    with pytest.raises(ValueError, match="billing reference"):
        Document(**{**document.__dict__, "type_code": TypeCode.CREDIT_NOTE})
    with pytest.raises(ValueError, match="buyer"):
        Document(**{**document.__dict__, "kind": Kind.STANDARD})


def test_an_inclusive_sale_whose_split_needs_a_payable_rounding_writes_it(invoice_schema):
    """1 × 1.02 and 2 × 4.99, VAT included: total 11.00 with 1.43 VAT; round(9.57 × 15 %) is 1.44, so the taxable
    amount is 9.56 and the halala left is the payable rounding."""
    inclusive = TaxInput(key="vat-inc", rate=Decimal("15"), inclusive=True)
    calculation = calculate_document(
        lines=[
            LineInput(quantity=Decimal(1), unit_price=Decimal("1.02"), taxes=(inclusive,)),
            LineInput(quantity=Decimal(2), unit_price=Decimal("4.99"), taxes=(inclusive,)),
        ],
        currency="SAR",
    )
    sources = [
        SourceLine(name="Water", quantity=Decimal(1), unit_price=Decimal("1.02"), tax=inclusive),
        SourceLine(name="Bread", quantity=Decimal(2), unit_price=Decimal("4.99"), tax=inclusive),
    ]
    lines, totals = lines_and_totals(sources, calculation)
    document = Document(**{**simplified_invoice().__dict__, "lines": lines, "totals": totals})
    root = etree.fromstring(document_xml(document))
    invoice_schema.assertValid(root)
    assert arithmetic_errors(document) == []
    monetary = "cac:LegalMonetaryTotal/cbc:"
    assert _d(root, "cac:TaxTotal[1]/cbc:TaxAmount") == calculation.tax_total == Decimal("1.43")
    assert _d(root, "cac:TaxTotal[2]/cac:TaxSubtotal/cbc:TaxableAmount") == Decimal("9.56")
    assert _d(root, monetary + "TaxInclusiveAmount") == Decimal("10.99")
    assert _d(root, monetary + "PayableRoundingAmount") == Decimal("0.01")
    assert _d(root, monetary + "PayableAmount") == calculation.total == Decimal("11.00")


def test_a_standard_document_without_a_supply_date_states_its_issue_date():
    document = Document(**{**standard_invoice().__dict__, "supply_date": None})
    root = etree.fromstring(document_xml(document))
    assert root.xpath("cac:Delivery/cbc:ActualDeliveryDate/text()", namespaces=NS) == ["2026-12-03"]


def test_the_hashed_bytes_are_the_same_under_c14n_1_1(document):
    xml = document_xml(document)
    canonical_1_1 = c14n_1_1(xml)
    if canonical_1_1 is None:
        pytest.skip("libxml2 is not installed as a shared library")
    assert canonical_1_1 == canonical_bytes(xml)
