"""A POS invoice's figures from the one totals calculator, over its lines and discounts as stored (no ORM)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from invoicing.calculations import DiscountInput, DocumentTotals, LineInput, TaxInput, calculate_document
from pos.models import PosInvoiceDiscount, PosInvoiceItem


def item_taxes(item: PosInvoiceItem) -> tuple[TaxInput, ...]:
    """A stored line's taxes as the calculator's input: the copy taken when the item was added."""
    return tuple(
        TaxInput(key=tax["id"], rate=Decimal(str(tax["rate"])), inclusive=tax["inclusive"])
        for tax in item.taxes
    )


def item_line_input(item: PosInvoiceItem) -> LineInput:
    return LineInput(quantity=item.quantity, unit_price=item.unit_price, taxes=item_taxes(item))


def invoice_totals(
    *, items: Sequence[PosInvoiceItem], discounts: Sequence[PosInvoiceDiscount], currency: str
) -> DocumentTotals:
    """Raises `CalculationError` for a line the calculator refuses."""
    return calculate_document(
        lines=[item_line_input(item) for item in items],
        discounts=[DiscountInput(type=d.type, value=d.value) for d in discounts],
        currency=currency,
    )
