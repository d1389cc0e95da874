"""Money helpers: storage precision constants and rounding to a currency's minor unit.

Pure Python (no Django). Every rounding of a money amount in the project goes through
:func:`quantize_money` (or the calculator in :mod:`invoicing.calculations`, which follows the same
rule): ROUND_HALF_UP to the currency's ISO 4217 minor unit, e.g. 2 places for SAR, 3 for KWD, 0 for JPY.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

from workspaces.currencies import CURRENCY_MINOR_UNITS

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


def minor_unit(currency: str) -> int:
    """Number of minor-unit digits of ``currency`` (2 for SAR, 3 for KWD, 0 for JPY).

    Raises ValueError for a code that is not in the table (codes are case-sensitive: "sar" is unknown).
    """
    try:
        return CURRENCY_MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown currency: {currency!r}") from None


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


def has_at_most_places(value: Decimal, places: int) -> bool:
    """True when ``value`` needs no more than ``places`` digits after the decimal point.

    Trailing zeros do not count (Decimal('1.500') has 1 place); NaN and infinities give False.
    """
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0 or not any(digits):
        return True
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return -(exponent + trailing_zeros) <= places
