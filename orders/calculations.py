"""Pure arithmetic of order invoices: how a line's discount is shared over the invoices that take the line.

No ORM, no clock, no settings. The totals themselves come from the one calculator, `invoicing.calculations`.
"""

from __future__ import annotations

from decimal import Decimal

from invoicing.money import quantize_money


def line_discount_share(
    *,
    discount: Decimal,
    ordered_quantity: Decimal,
    invoiced_quantity: Decimal,
    invoiced_discount: Decimal,
    quantity: Decimal,
    unit_price: Decimal,
    currency: str,
) -> Decimal:
    """The part of an order line's absolute `discount` that an invoice taking `quantity` more units carries.

    Invariants:
    - pro rata by quantity: round_half_up(discount × quantity / ordered_quantity) to the currency's minor unit;
    - the invoice that takes the last units takes the remainder (`discount − invoiced_discount`), so the shares
      of a fully invoiced line add up exactly to its discount;
    - a share never exceeds what is left of the discount, nor the invoice line's own amount
      (round(quantity × unit_price)), so no invoice line goes below zero.
    """
    if quantity <= 0 or ordered_quantity <= 0:
        raise ValueError("quantities must be positive")
    if invoiced_quantity + quantity > ordered_quantity:
        raise ValueError("cannot invoice more than was ordered")
    left = discount - invoiced_discount
    if invoiced_quantity + quantity == ordered_quantity:
        share = left
    else:
        share = min(quantize_money(discount * quantity / ordered_quantity, currency), left)
    line_amount = quantize_money(quantity * unit_price, currency)
    return quantize_money(max(min(share, line_amount), Decimal(0)), currency)
