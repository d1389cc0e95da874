"""The neutral input of the ZATCA core: a tax document described independently of POS, orders or api2.

Frozen dataclasses of ``str`` and :class:`~decimal.Decimal`; money figures carry exactly two decimals (SAR
halalas) and are written as given, never recomputed by the writer.  :mod:`invoicing.zatca.mapping` builds them
from the one totals calculator; :func:`arithmetic_errors` checks the UBL arithmetic rules that can be checked
offline (EN 16931 BR-CO-10/13/15/16, BR-S-08/09 and ZATCA's BR-KSA-50/51 and BR-KSA-EN16931-11).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

__all__ = [
    "HALALA",
    "Address",
    "Buyer",
    "Document",
    "DocumentAllowance",
    "Kind",
    "Line",
    "PaymentMeans",
    "Seller",
    "TaxSubtotal",
    "Totals",
    "TypeCode",
    "VatCategory",
    "arithmetic_errors",
]

HALALA = Decimal("0.01")


class Kind(StrEnum):
    """Simplified (B2C, reported) or standard (B2B, cleared): the one place the kind decides the XML."""

    SIMPLIFIED = "simplified"
    STANDARD = "standard"

    @property
    def type_name(self) -> str:
        """``cbc:InvoiceTypeCode/@name``: ``0200000`` simplified, ``0100000`` standard (no special flags)."""
        return "0200000" if self is Kind.SIMPLIFIED else "0100000"


class TypeCode(StrEnum):
    INVOICE = "388"
    CREDIT_NOTE = "381"
    DEBIT_NOTE = "383"


class PaymentMeans(StrEnum):
    CASH = "10"
    CARD = "48"
    CREDIT = "30"  # credit transfer / on credit
    OTHER = "1"  # not defined


class VatCategory(StrEnum):
    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    OUT_OF_SCOPE = "O"


@dataclass(frozen=True)
class Address:
    """A national address; ``building_number`` 4 digits and ``postal_code`` 5 digits for a Saudi one."""

    street: str
    building_number: str
    district: str
    city: str
    postal_code: str
    country: str = "SA"


@dataclass(frozen=True)
class Seller:
    name: str
    vat_number: str
    cr_number: str
    address: Address


@dataclass(frozen=True)
class Buyer:
    """The buyer of a standard invoice (optional on a simplified one)."""

    name: str
    address: Address
    vat_number: str | None = None
    cr_number: str | None = None


@dataclass(frozen=True)
class Line:
    """One invoice line.

    ``net_amount`` (BT-131, ``cbc:LineExtensionAmount``) = ``quantity`` × ``price_amount`` /
    ``price_base_quantity`` − ``allowance_amount``; ``vat_amount`` = round(``net_amount`` × ``vat_rate`` / 100)
    and ``rounding_amount`` = ``net_amount`` + ``vat_amount`` (BR-KSA-50/51).  ``price_base_quantity`` None means
    one unit.  The price is always net of VAT.
    """

    id: str
    name: str
    quantity: Decimal
    price_amount: Decimal
    net_amount: Decimal
    vat_category: VatCategory
    vat_rate: Decimal
    vat_amount: Decimal
    rounding_amount: Decimal
    allowance_amount: Decimal = Decimal("0.00")
    price_base_quantity: Decimal | None = None
    unit_code: str = "PCE"


@dataclass(frozen=True)
class TaxSubtotal:
    """One VAT category and rate of the document (``cac:TaxSubtotal``); Z, E and O need an exemption reason."""

    category: VatCategory
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal
    exemption_reason_code: str | None = None
    exemption_reason: str | None = None


@dataclass(frozen=True)
class DocumentAllowance:
    """A document-level allowance (``cac:AllowanceCharge`` with ``ChargeIndicator`` false)."""

    amount: Decimal
    category: VatCategory
    rate: Decimal
    reason: str = "discount"


@dataclass(frozen=True)
class Totals:
    """``cac:LegalMonetaryTotal`` and the tax total; see :func:`arithmetic_errors` for how they relate."""

    line_extension: Decimal
    allowance_total: Decimal
    tax_exclusive: Decimal
    tax_total: Decimal
    subtotals: tuple[TaxSubtotal, ...]
    tax_inclusive: Decimal
    prepaid: Decimal
    payable: Decimal
    payable_rounding: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class Document:
    """A tax invoice, credit note or debit note as ZATCA sees it.

    ``issue_time`` is written as given (``HH:MM:SS``, the shop's local time); ``pih`` is the previous document's
    hash (base64 text); ``billing_reference`` (the original invoice number) and ``instruction_note`` (the reason)
    are required for credit and debit notes; ``supply_date`` is ``cac:Delivery/cbc:ActualDeliveryDate`` (None: the
    issue date on a standard document, not written on a simplified one).  Only SAR documents are supported (``TaxCurrencyCode`` is SAR).
    """

    uuid: str
    number: str
    issue_date: date
    issue_time: time
    kind: Kind
    type_code: TypeCode
    icv: int
    pih: str
    seller: Seller
    lines: tuple[Line, ...]
    totals: Totals
    payment_means: PaymentMeans = PaymentMeans.CASH
    buyer: Buyer | None = None
    billing_reference: str | None = None
    instruction_note: str | None = None
    supply_date: date | None = None
    allowances: tuple[DocumentAllowance, ...] = field(default=())
    currency: str = "SAR"
    order_reference: str | None = None  # the buyer's purchase order number (`cac:OrderReference`)

    def __post_init__(self) -> None:
        if self.currency != "SAR":
            raise ValueError("Only SAR documents are supported.")
        if self.icv < 1:
            raise ValueError("The ICV starts at 1.")
        if not self.lines:
            raise ValueError("A document needs at least one line.")
        if self.type_code != TypeCode.INVOICE and not (self.billing_reference and self.instruction_note):
            raise ValueError("A credit or debit note needs its billing reference and its reason.")
        if self.kind is Kind.STANDARD and (self.buyer is None or not self.buyer.vat_number):
            raise ValueError("A standard invoice needs a buyer with a VAT number.")


def _round(value: Decimal) -> Decimal:
    return value.quantize(HALALA, rounding=ROUND_HALF_UP)


def arithmetic_errors(document: Document) -> list[str]:
    """The arithmetic rules of EN 16931 and ZATCA that ``document`` breaks (empty: none), each named by its rule.

    Lines: BR-KSA-EN16931-11 (net = quantity × price / base quantity − allowance, to the halala), BR-KSA-50 (line
    VAT = round(net × rate)), BR-KSA-51 (rounding amount = net + VAT).  Document: BR-CO-10 (Σ line nets), BR-CO-11
    (Σ allowances), BR-CO-13 (tax exclusive), BR-CO-14 (Σ subtotal taxes), BR-CO-15 (tax inclusive), BR-CO-16
    (payable), BR-S-08 / BR-Z-08 / BR-E-08 / BR-O-08 (taxable per category and rate) and BR-S-09 (tax rounded once).
    """
    errors: list[str] = []
    totals = document.totals
    for line in document.lines:
        base = line.price_base_quantity or Decimal(1)
        if _round(line.quantity * line.price_amount / base) - line.allowance_amount != line.net_amount:
            errors.append(f"BR-KSA-EN16931-11 line {line.id}")
        if _round(line.net_amount * line.vat_rate / 100) != line.vat_amount:
            errors.append(f"BR-KSA-50 line {line.id}")
        if line.net_amount + line.vat_amount != line.rounding_amount:
            errors.append(f"BR-KSA-51 line {line.id}")
    if sum((line.net_amount for line in document.lines), Decimal(0)) != totals.line_extension:
        errors.append("BR-CO-10")
    if sum((a.amount for a in document.allowances), Decimal(0)) != totals.allowance_total:
        errors.append("BR-CO-11")
    if totals.line_extension - totals.allowance_total != totals.tax_exclusive:
        errors.append("BR-CO-13")
    if sum((s.tax_amount for s in totals.subtotals), Decimal(0)) != totals.tax_total:
        errors.append("BR-CO-14")
    if totals.tax_exclusive + totals.tax_total != totals.tax_inclusive:
        errors.append("BR-CO-15")
    if totals.tax_inclusive - totals.prepaid + totals.payable_rounding != totals.payable:
        errors.append("BR-CO-16")
    for subtotal in totals.subtotals:
        key = (subtotal.category, subtotal.rate)
        taxable = sum(
            (line.net_amount for line in document.lines if (line.vat_category, line.vat_rate) == key),
            Decimal(0),
        ) - sum((a.amount for a in document.allowances if (a.category, a.rate) == key), Decimal(0))
        if taxable != subtotal.taxable_amount:
            errors.append(f"BR-{subtotal.category}-08 {subtotal.rate}")
        if _round(subtotal.taxable_amount * subtotal.rate / 100) != subtotal.tax_amount:
            errors.append(f"BR-{subtotal.category}-09 {subtotal.rate}")
    return errors
