"""Exact arithmetic for the totals calculator: Decimals as fractions, half-up rounding to integer minor units.

Nothing here rounds twice or depends on the Decimal context in force.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from invoicing.calculation_types import MAX_STORABLE_AMOUNT, CalculationError
from invoicing.money import minor_unit

HUNDRED = Fraction(100)


def exact(
    value: object, *, what: str, field: str, line_index: int | None = None, discount_index: int | None = None
) -> Fraction:
    """A finite Decimal (or int) as an exact fraction; anything else (floats included) is refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise CalculationError(
            f"{what} must be a Decimal, not {type(value).__name__}.",
            field=field,
            line_index=line_index,
            discount_index=discount_index,
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise CalculationError(
            f"{what} must be a finite number.",
            field=field,
            line_index=line_index,
            discount_index=discount_index,
        )
    return Fraction(value)


def round_half_up(value: Fraction) -> int:
    """Nearest integer, ties away from zero."""
    magnitude = abs(value)
    rounded = (2 * magnitude.numerator + magnitude.denominator) // (2 * magnitude.denominator)
    return -rounded if value < 0 else rounded


class Money:
    """Conversions between exact values and integer minor units of one currency."""

    def __init__(self, places: int) -> None:
        self.places = places
        self.scale = 10**places
        self.limit = int(MAX_STORABLE_AMOUNT) * self.scale

    def units(self, value: Fraction) -> int:
        """``value`` (in currency units) rounded half-up to a whole number of minor units."""
        return round_half_up(value * self.scale)

    def decimal(self, units: int) -> Decimal:
        """Minor units as a Decimal with exactly ``places`` decimals (5 units, 2 places → 0.05)."""
        return Decimal(f"{units}E-{self.places}")

    def check(self, units: int, *, what: str, field: str, line_index: int | None = None) -> None:
        if abs(units) >= self.limit:
            raise CalculationError(
                f"{what} exceeds the largest storable amount ({MAX_STORABLE_AMOUNT}).",
                field=field,
                line_index=line_index,
            )


def money_of(currency: str) -> Money:
    try:
        return Money(minor_unit(currency))
    except ValueError as exc:
        raise CalculationError(str(exc), field="currency") from None
