"""Documents of the ZATCA tests, built from the one totals calculator as the product builds them."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from invoicing.calculations import DiscountInput, LineInput, TaxInput, calculate_document
from invoicing.credit_notes import SoldLine, calculate_return
from invoicing.zatca import (
    FIRST_PREVIOUS_HASH,
    Address,
    Buyer,
    Document,
    Kind,
    PaymentMeans,
    Seller,
    SourceLine,
    TypeCode,
    lines_and_totals,
)
from workspaces.discounts import DiscountType

D = Decimal
VAT = TaxInput(key="vat", rate=D("15"), inclusive=False)
SELLER = Seller(
    name="شركة الياسمين للتجارة | Yasmin Trading",
    vat_number="399999999900003",
    cr_number="1010010000",
    address=Address(
        street="الامير سلطان | Prince Sultan",
        building_number="2322",
        district="المربع | Al-Murabba",
        city="الرياض | Riyadh",
        postal_code="23333",
    ),
)
BUYER = Buyer(
    name="شركة نماذج فاتورة المحدودة | Fatoora Samples LTD",
    vat_number="399999999800003",
    cr_number="1010010001",
    address=Address(
        street="صلاح الدين | Salah Al-Din",
        building_number="1111",
        district="المروج | Al-Murooj",
        city="الرياض | Riyadh",
        postal_code="12222",
    ),
)
# Two lines at 15 % VAT, the second with its own 10 % discount, and a 5 % document discount shared over both.
SALE_LINES = (
    SourceLine(name="قهوة عربية | Arabic coffee", quantity=D("3"), unit_price=D("10.35"), tax=VAT),
    SourceLine(name="Pencil | قلم", quantity=D("2"), unit_price=D("7.25"), tax=VAT),
)
SALE_INPUT = (
    LineInput(quantity=D("3"), unit_price=D("10.35"), taxes=(VAT,)),
    LineInput(
        quantity=D("2"),
        unit_price=D("7.25"),
        discount_type=DiscountType.PERCENT,
        discount_value=D("10"),
        taxes=(VAT,),
    ),
)
SALE_DISCOUNTS = (DiscountInput(type=DiscountType.PERCENT, value=D("5")),)


def sale_totals():
    return calculate_document(lines=SALE_INPUT, discounts=SALE_DISCOUNTS, currency="SAR")


def _header(**overrides) -> dict:
    header = {
        "uuid": "3cf5ee18-ee25-44ea-a444-2c37ba7f28be",
        "number": "INV-00001",
        "issue_date": date(2026, 12, 3),
        "issue_time": time(12, 30, 5),
        "kind": Kind.SIMPLIFIED,
        "type_code": TypeCode.INVOICE,
        "icv": 1,
        "pih": FIRST_PREVIOUS_HASH,
        "seller": SELLER,
        "payment_means": PaymentMeans.CARD,
    }
    header.update(overrides)
    return header


def simplified_invoice() -> Document:
    lines, totals = lines_and_totals(SALE_LINES, sale_totals())
    return Document(lines=lines, totals=totals, **_header())


def credit_note() -> Document:
    """The return of one coffee and both pencils of the sale, as a 381 referring to it."""
    sale = sale_totals()
    sold = [
        SoldLine(
            quantity=source.quantity,
            subtotal=figures.subtotal,
            discount_amount=figures.discount_amount,
            tax_amount=figures.tax_amount,
            total=figures.total,
            taxes=(VAT,),
        )
        for source, figures in zip(SALE_LINES, sale.lines, strict=True)
    ]
    returning = (D("1"), D("2"))
    returned = calculate_return(sold=sold, returned_before=(D(0), D(0)), returning=returning, currency="SAR")
    sources = [
        SourceLine(name=source.name, quantity=quantity, unit_price=source.unit_price, tax=source.tax)
        for source, quantity in zip(SALE_LINES, returning, strict=True)
    ]
    lines, totals = lines_and_totals(sources, returned)
    return Document(
        lines=lines,
        totals=totals,
        **_header(
            uuid="0d6e9a7c-36f0-4b8f-8f6e-1f1e0b5bb8a1",
            number="RET-00001",
            type_code=TypeCode.CREDIT_NOTE,
            icv=2,
            billing_reference="INV-00001",
            instruction_note="Returned by the customer | أعادها العميل",
            payment_means=PaymentMeans.CASH,
        ),
    )


def standard_invoice() -> Document:
    lines, totals = lines_and_totals(SALE_LINES, sale_totals())
    return Document(
        lines=lines,
        totals=totals,
        **_header(
            uuid="6f4d20e0-6bfe-4a80-9389-7dabe6620f12",
            number="INV-00002",
            kind=Kind.STANDARD,
            icv=3,
            buyer=BUYER,
            supply_date=date(2026, 12, 4),
            payment_means=PaymentMeans.CREDIT,
        ),
    )
