"""Money helpers: storage precision constants and rounding to a currency's minor unit.

Pure Python (no Django). Every rounding of a money amount in the project goes through
:func:`quantize_money`, or, inside the totals calculator (:mod:`invoicing.calculations`), its exact rational
twin `_round_half_up` on whole minor units (the calculator never rounds a Decimal: it keeps every intermediate
exact and rounds each figure once): ROUND_HALF_UP to the currency's ISO 4217 minor unit, e.g. 2 places for SAR, 3 for KWD, 0 for JPY.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

# The currency table's digits and the places check live beside the table (the lowest layer, so a client's discount
# in `workspaces` checks with them too); re-exported here for the money code.
from workspaces.currencies import has_at_most_places, minor_unit

__all__ = [
    "MONEY_DECIMAL_PLACES",
    "MONEY_MAX_DIGITS",
    "PRICE_DECIMAL_PLACES",
    "PRICE_MAX_DIGITS",
    "QUANTITY_DECIMAL_PLACES",
    "QUANTITY_MAX_DIGITS",
    "has_at_most_places",
    "minor_unit",
    "money_quantum",
    "quantize_money",
]

# Storage precision (DecimalField max_digits / decimal_places).
PRICE_DECIMAL_PLACES = 4
QUANTITY_DECIMAL_PLACES = 3
MONEY_MAX_DIGITS = 18
PRICE_MAX_DIGITS = 18
QUANTITY_MAX_DIGITS = 15
# Money columns keep the largest minor unit of any supported currency (KWD, BHD, OMR, ... have 3);
# tests check it equals max(CURRENCY_MINOR_UNITS.values()).
MONEY_DECIMAL_PLACES = 3

# Wide enough that quantize never fails or rounds early for any storable amount.
_CONTEXT = Context(prec=100, rounding=ROUND_HALF_UP)


def money_quantum(currency: str) -> Decimal:
    """The smallest amount of ``currency``: Decimal('0.01') for 2 places, Decimal('1') for 0."""
    return Decimal((0, (1,), -minor_unit(currency)))


def quantize_money(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-up (away from zero on a tie) to the minor unit of ``currency``.

    The result's exponent is exactly minus the minor unit (Decimal('3.70') for 3.7 SAR).
    Raises ValueError for an unknown currency or a NaN / infinite amount, TypeError for a non-Decimal
    (floats are refused: they are not exact).
    """
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"Expected a Decimal amount, got {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise ValueError(f"Amount is not a finite number: {amount}")
    return amount.quantize(money_quantum(currency), rounding=ROUND_HALF_UP, context=_CONTEXT)
