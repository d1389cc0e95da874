"""The UBL 2.1 writer: a :class:`~invoicing.zatca.documents.Document` as ZATCA's ``<Invoice>`` (notes too).

The elements and their order mirror the signed samples of ZATCA's SDK (``Data/Samples``): ``cbc:ProfileID``
``reporting:1.0``, ``cbc:ID``, ``cbc:UUID``, ``cbc:IssueDate``, ``cbc:IssueTime``, ``cbc:InvoiceTypeCode`` with its
``name`` (``0200000`` simplified, ``0100000`` standard), the currencies, the billing reference of a note, the ICV
and PIH references, the seller, the buyer, the supply date (a standard document's defaults to its issue date), the payment means (with the note's reason),
document allowances, the tax total twice (the amount alone, then with its subtotals), the legal monetary total and
the lines.  Every amount is written with two decimals and ``currencyID="SAR"``; the writer rounds nothing (a figure
with more decimals is refused).  Lines carry their allowance (their own discount and their share of the document
discounts) as ``cac:InvoiceLine/cac:AllowanceCharge``, before their tax total, as the UBL schema orders it.

The writer leaves out ``ext:UBLExtensions``, the QR reference and ``cac:Signature``: :mod:`invoicing.zatca.signing`
adds them without changing the hashed content.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from invoicing.zatca.documents import (
    HALALA,
    Address,
    Buyer,
    Document,
    Kind,
    Line,
    Seller,
    TaxSubtotal,
    VatCategory,
)

__all__ = ["NS", "document_xml"]

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
}
_ROOT_NSMAP = {None: NS["inv"], "cac": NS["cac"], "cbc": NS["cbc"], "ext": NS["ext"]}
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_CURRENCY = "SAR"


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, /, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), attributes)
    if text is not None:
        element.text = text
    return element


def _money(value: Decimal) -> str:
    if not isinstance(value, Decimal) or value != value.quantize(HALALA):
        raise ValueError(f"Amount {value!r} must be a Decimal with at most two decimals.")
    return format(value.quantize(HALALA), "f")


def _amount(parent: etree._Element, name: str, value: Decimal) -> etree._Element:
    return _sub(parent, name, _money(value), currencyID=_CURRENCY)


def _plain(value: Decimal) -> str:
    """A quantity or price as written: its own digits, at least two decimals."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{value!r} must be a finite Decimal.")
    return format(value if value.as_tuple().exponent <= -2 else value.quantize(HALALA), "f")


def _rate(value: Decimal) -> str:
    return _plain(value)


def _address(parent: etree._Element, address: Address) -> None:
    postal = _sub(parent, "cac:PostalAddress")
    _sub(postal, "cbc:StreetName", address.street)
    _sub(postal, "cbc:BuildingNumber", address.building_number)
    _sub(postal, "cbc:CitySubdivisionName", address.district)
    _sub(postal, "cbc:CityName", address.city)
    _sub(postal, "cbc:PostalZone", address.postal_code)
    _sub(_sub(postal, "cac:Country"), "cbc:IdentificationCode", address.country)


def _party(parent: etree._Element, party: Seller | Buyer) -> None:
    element = _sub(parent, "cac:Party")
    if party.cr_number:
        _sub(_sub(element, "cac:PartyIdentification"), "cbc:ID", party.cr_number, schemeID="CRN")
    _address(element, party.address)
    if party.vat_number:
        scheme = _sub(element, "cac:PartyTaxScheme")
        _sub(scheme, "cbc:CompanyID", party.vat_number)
        _sub(_sub(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    _sub(_sub(element, "cac:PartyLegalEntity"), "cbc:RegistrationName", party.name)


def _tax_category(
    parent: etree._Element, category: VatCategory, rate: Decimal, subtotal: TaxSubtotal | None = None
):
    element = _sub(parent, "cac:TaxCategory")
    _sub(element, "cbc:ID", str(category), schemeID="UN/ECE 5305", schemeAgencyID="6")
    _sub(element, "cbc:Percent", _rate(rate))
    if subtotal is not None and subtotal.exemption_reason_code:
        _sub(element, "cbc:TaxExemptionReasonCode", subtotal.exemption_reason_code)
    if subtotal is not None and subtotal.exemption_reason:
        _sub(element, "cbc:TaxExemptionReason", subtotal.exemption_reason)
    _sub(_sub(element, "cac:TaxScheme"), "cbc:ID", "VAT", schemeID="UN/ECE 5153", schemeAgencyID="6")


def _header(root: etree._Element, document: Document) -> None:
    _sub(root, "cbc:ProfileID", "reporting:1.0")
    _sub(root, "cbc:ID", document.number)
    _sub(root, "cbc:UUID", document.uuid)
    _sub(root, "cbc:IssueDate", document.issue_date.isoformat())
    _sub(root, "cbc:IssueTime", document.issue_time.strftime("%H:%M:%S"))
    _sub(root, "cbc:InvoiceTypeCode", str(document.type_code), name=document.kind.type_name)
    _sub(root, "cbc:DocumentCurrencyCode", document.currency)
    _sub(root, "cbc:TaxCurrencyCode", _CURRENCY)
    if document.order_reference:  # the buyer's purchase order (api2's `po_number`), BT-13
        _sub(_sub(root, "cac:OrderReference"), "cbc:ID", document.order_reference)
    if document.billing_reference:
        reference = _sub(_sub(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _sub(reference, "cbc:ID", document.billing_reference)
    icv = _sub(root, "cac:AdditionalDocumentReference")
    _sub(icv, "cbc:ID", "ICV")
    _sub(icv, "cbc:UUID", str(document.icv))
    pih = _sub(root, "cac:AdditionalDocumentReference")
    _sub(pih, "cbc:ID", "PIH")
    _sub(_sub(pih, "cac:Attachment"), "cbc:EmbeddedDocumentBinaryObject", document.pih, mimeCode="text/plain")


def _parties(root: etree._Element, document: Document) -> None:
    _party(_sub(root, "cac:AccountingSupplierParty"), document.seller)
    customer = _sub(root, "cac:AccountingCustomerParty")
    if document.buyer is not None:
        _party(customer, document.buyer)
    supply_date = document.supply_date or (document.issue_date if document.kind is Kind.STANDARD else None)
    if supply_date is not None:  # BR-KSA-15: a standard document states its supply date
        _sub(_sub(root, "cac:Delivery"), "cbc:ActualDeliveryDate", supply_date.isoformat())
    means = _sub(root, "cac:PaymentMeans")
    _sub(means, "cbc:PaymentMeansCode", str(document.payment_means))
    if document.instruction_note:
        _sub(means, "cbc:InstructionNote", document.instruction_note)


def _totals(root: etree._Element, document: Document) -> None:
    for allowance in document.allowances:
        element = _sub(root, "cac:AllowanceCharge")
        _sub(element, "cbc:ChargeIndicator", "false")
        _sub(element, "cbc:AllowanceChargeReason", allowance.reason)
        _amount(element, "cbc:Amount", allowance.amount)
        _tax_category(element, allowance.category, allowance.rate)
    totals = document.totals
    _amount(_sub(root, "cac:TaxTotal"), "cbc:TaxAmount", totals.tax_total)
    tax_total = _sub(root, "cac:TaxTotal")
    _amount(tax_total, "cbc:TaxAmount", totals.tax_total)
    for subtotal in totals.subtotals:
        element = _sub(tax_total, "cac:TaxSubtotal")
        _amount(element, "cbc:TaxableAmount", subtotal.taxable_amount)
        _amount(element, "cbc:TaxAmount", subtotal.tax_amount)
        _tax_category(element, subtotal.category, subtotal.rate, subtotal)
    monetary = _sub(root, "cac:LegalMonetaryTotal")
    _amount(monetary, "cbc:LineExtensionAmount", totals.line_extension)
    _amount(monetary, "cbc:TaxExclusiveAmount", totals.tax_exclusive)
    _amount(monetary, "cbc:TaxInclusiveAmount", totals.tax_inclusive)
    _amount(monetary, "cbc:AllowanceTotalAmount", totals.allowance_total)
    _amount(monetary, "cbc:PrepaidAmount", totals.prepaid)
    if totals.payable_rounding:
        _amount(monetary, "cbc:PayableRoundingAmount", totals.payable_rounding)
    _amount(monetary, "cbc:PayableAmount", totals.payable)


def _line(root: etree._Element, line: Line) -> None:
    element = _sub(root, "cac:InvoiceLine")
    _sub(element, "cbc:ID", line.id)
    _sub(element, "cbc:InvoicedQuantity", _plain(line.quantity), unitCode=line.unit_code)
    _amount(element, "cbc:LineExtensionAmount", line.net_amount)
    if line.allowance_amount:
        allowance = _sub(element, "cac:AllowanceCharge")
        _sub(allowance, "cbc:ChargeIndicator", "false")
        _sub(allowance, "cbc:AllowanceChargeReason", "discount")
        _amount(allowance, "cbc:Amount", line.allowance_amount)
    tax_total = _sub(element, "cac:TaxTotal")
    _amount(tax_total, "cbc:TaxAmount", line.vat_amount)
    _amount(tax_total, "cbc:RoundingAmount", line.rounding_amount)
    item = _sub(element, "cac:Item")
    _sub(item, "cbc:Name", line.name)
    category = _sub(item, "cac:ClassifiedTaxCategory")
    _sub(category, "cbc:ID", str(line.vat_category))
    _sub(category, "cbc:Percent", _rate(line.vat_rate))
    _sub(_sub(category, "cac:TaxScheme"), "cbc:ID", "VAT")
    price = _sub(element, "cac:Price")
    _sub(price, "cbc:PriceAmount", _plain(line.price_amount), currencyID=_CURRENCY)
    if line.price_base_quantity is not None:
        _sub(price, "cbc:BaseQuantity", _plain(line.price_base_quantity), unitCode=line.unit_code)


def document_xml(document: Document) -> bytes:
    """The unsigned UBL XML of ``document`` (UTF-8, with its declaration, indented by four spaces)."""
    root = etree.Element(_q("inv:Invoice"), nsmap=_ROOT_NSMAP)
    _header(root, document)
    _parties(root, document)
    _totals(root, document)
    for line in document.lines:
        _line(root, line)
    etree.indent(root, space="    ")
    return _DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False) + b"\n"
