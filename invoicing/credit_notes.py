"""Returns of a sale (credit notes): the pure arithmetic of what each return gives back.

Pure functions over frozen dataclasses of :class:`~decimal.Decimal`: no ORM, no clock, no settings.
The figures of a return are the sale's own, pro rata to the returned quantity (the line's own discount and its
share of the document discounts included), and all the returns of a sale add up exactly to the sale.

Cumulative rounding
    What has been returned so far is a function of the cumulative returned quantity ``c_i`` of each line
    (0 ≤ c_i ≤ Q_i, the sold quantity); a return's figures are "returned so far after it" minus "returned so
    far before it".  With f_i = c_i / Q_i (exact) and the sale's stored line figures in minor units
    (total T_i, discount D_i, line tax X_i), every rounding ROUND_HALF_UP to the currency's minor unit:
        total_i(c)    = round(T_i × f_i)
        discount_i(c) = round(D_i × f_i)
        subtotal_i(c) = total_i(c) + discount_i(c)
        line tax_i(c) = round(X_i × f_i)            (the line's display tax)
    Per tax key k, over the lines carrying it: the sale's taxable_k = Σ T_i and tax_k is the sale's document tax,
    computed from the line totals by the totals calculator's own rule (:mod:`invoicing.calculations`, rounded
    once per key); then
        taxable_k(c)  = Σ total_i(c)
        tax_k(c)      = round(tax_k × taxable_k(c) / taxable_k)      (0 when taxable_k is 0)
    The document so far: subtotal = Σ subtotal_i(c), discount_total = Σ discount_i(c), tax_total = Σ_k tax_k(c),
    total = Σ total_i(c) + Σ exclusive tax_k(c).

Invariants
    Every "so far" figure is non-decreasing in each c_i (half-up rounding is monotone and no sale figure is
    negative), so no figure of a return is negative; at c = Q each equals the sale's figure, so any sequence of
    returns adds up exactly to the sale; the figures depend only on the cumulative quantities (returning a then
    b gives, summed, what returning a + b at once gives).  On every returned line subtotal = discount + total,
    and a return's total = Σ its line totals + its exclusive taxes.  Every money figure carries exactly the
    currency's minor digits.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from invoicing.calculation_types import CalculationError, TaxInput, TaxTotals
from invoicing.calculations import _document_taxes, _line_taxes, _Tax, _tax_lines
from invoicing.exact import Money, exact, money_of, round_half_up

__all__ = ["ReturnTotals", "ReturnedLine", "SoldLine", "calculate_return"]


@dataclass(frozen=True)
class SoldLine:
    """A line of the sale as stored: its quantity (> 0), its figures and its taxes."""

    quantity: Decimal
    subtotal: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    total: Decimal
    taxes: tuple[TaxInput, ...] = ()


@dataclass(frozen=True)
class ReturnedLine:
    """One line's figures in a return (all zero when nothing of the line is returned)."""

    quantity: Decimal
    subtotal: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    total: Decimal


@dataclass(frozen=True)
class ReturnTotals:
    """The figures of one return.

    ``lines`` has one entry per sold line, in order; ``taxes`` one per tax key of the sale, in order of first
    appearance, with the taxable amount and the tax of this return.
    """

    lines: tuple[ReturnedLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    taxes: tuple[TaxTotals, ...]
    total: Decimal


@dataclass(frozen=True)
class _Line:
    """A sold line in minor units, with the fractions of it returned before and after this return."""

    total: int
    discount: int
    tax: int
    before: Fraction
    after: Fraction


def _units(value: object, money: Money, *, what: str, field: str, index: int) -> int:
    """A stored sale figure as a whole, non-negative number of minor units."""
    amount = exact(value, what=what, field=field, line_index=index) * money.scale
    if amount < 0:
        raise CalculationError(f"{what} cannot be negative.", field=field, line_index=index)
    if amount.denominator != 1:
        raise CalculationError(
            f"{what} has more decimals than the currency allows.", field=field, line_index=index
        )
    return amount.numerator


def _line(line: SoldLine, before: object, returning: object, money: Money, index: int) -> _Line:
    if not isinstance(line, SoldLine):
        raise CalculationError("Sold lines must be SoldLine instances.", field="quantity", line_index=index)
    sold = exact(line.quantity, what="The sold quantity", field="quantity", line_index=index)
    done = exact(before, what="The quantity returned before", field="quantity", line_index=index)
    now = exact(returning, what="The returned quantity", field="quantity", line_index=index)
    if sold <= 0:
        raise CalculationError("The sold quantity must be positive.", field="quantity", line_index=index)
    if done < 0 or now < 0:
        raise CalculationError("A returned quantity cannot be negative.", field="quantity", line_index=index)
    if done + now > sold:
        raise CalculationError(
            "The returned quantity exceeds what is left of the sold quantity.",
            field="quantity",
            line_index=index,
        )
    subtotal = _units(line.subtotal, money, what="The line subtotal", field="subtotal", index=index)
    discount = _units(line.discount_amount, money, what="The line discount", field="discount", index=index)
    tax = _units(line.tax_amount, money, what="The line tax", field="taxes", index=index)
    total = _units(line.total, money, what="The line total", field="total", index=index)
    if subtotal != discount + total:
        raise CalculationError(
            "The line subtotal must equal its discount plus its total.", field="subtotal", line_index=index
        )
    return _Line(total=total, discount=discount, tax=tax, before=done / sold, after=(done + now) / sold)


def _known_taxes(line_taxes: Sequence[tuple[_Tax, ...]]) -> dict[Hashable, _Tax]:
    """Every tax key of the sale once, in order of first appearance; a key keeps one rate and kind."""
    known: dict[Hashable, _Tax] = {}
    for index, taxes in enumerate(line_taxes):
        for tax in taxes:
            first = known.setdefault(tax.key, tax)
            if (first.rate, first.inclusive) != (tax.rate, tax.inclusive):
                raise CalculationError(
                    f"Tax {tax.key!r} is used with different rates or kinds.", field="taxes", line_index=index
                )
    return known


def _so_far(amount: int, fraction: Fraction) -> int:
    """The part of ``amount`` (minor units) returned when ``fraction`` of the quantity is."""
    return round_half_up(amount * fraction)


def _tax_so_far(tax: int, taxable: int, taxable_so_far: int) -> int:
    """The part of a sale tax (minor units) returned when ``taxable_so_far`` of its ``taxable`` amount is."""
    return round_half_up(Fraction(tax * taxable_so_far, taxable)) if taxable else 0


def calculate_return(
    *,
    sold: Sequence[SoldLine],
    returned_before: Sequence[Decimal],
    returning: Sequence[Decimal],
    currency: str,
) -> ReturnTotals:
    """The figures of a return of ``returning[i]`` of each sold line, ``returned_before[i]`` being returned already.

    See the module docstring for the rule.  Raises :class:`CalculationError` (a ValueError) for an unknown
    currency; sequences of different lengths; a sold quantity ≤ 0; a negative returned quantity or a return
    beyond the sold quantity (field "quantity", with the line index); a quantity that is not a Decimal (floats
    are refused); a sold figure that is negative, has more decimals than the currency, or a subtotal other than
    discount + total; taxes the totals calculator refuses.
    """
    money = money_of(currency)
    if not len(sold) == len(returned_before) == len(returning):
        raise CalculationError(
            "The sold lines, the quantities returned before and the returned quantities must match one to one.",
            field="quantity",
        )
    lines = [
        _line(line, before, now, money, index)
        for index, (line, before, now) in enumerate(zip(sold, returned_before, returning, strict=True))
    ]
    line_taxes = [_line_taxes(line.taxes, index) for index, line in enumerate(sold)]
    known = _known_taxes(line_taxes)
    sale_taxes, _, _ = _document_taxes(
        known, _tax_lines(line_taxes, [line.total for line in lines], money), money
    )

    totals_before = [_so_far(line.total, line.before) for line in lines]
    totals_after = [_so_far(line.total, line.after) for line in lines]
    discounts = [_so_far(line.discount, line.after) - _so_far(line.discount, line.before) for line in lines]
    line_tax = [_so_far(line.tax, line.after) - _so_far(line.tax, line.before) for line in lines]
    totals = [after - before for before, after in zip(totals_before, totals_after, strict=True)]

    taxes: list[TaxTotals] = []
    exclusive_tax = tax_total = 0
    for sale_tax in sale_taxes:
        carrying = [
            i for i, on_line in enumerate(line_taxes) if any(tax.key == sale_tax.key for tax in on_line)
        ]
        taxable_before = sum(totals_before[i] for i in carrying)
        taxable_after = sum(totals_after[i] for i in carrying)
        taxable = money.units(Fraction(sale_tax.taxable_amount))
        amount = money.units(Fraction(sale_tax.amount))
        tax = _tax_so_far(amount, taxable, taxable_after) - _tax_so_far(amount, taxable, taxable_before)
        tax_total += tax
        if not sale_tax.inclusive:
            exclusive_tax += tax
        taxes.append(
            TaxTotals(
                key=sale_tax.key,
                rate=sale_tax.rate,
                inclusive=sale_tax.inclusive,
                taxable_amount=money.decimal(taxable_after - taxable_before),
                amount=money.decimal(tax),
            )
        )

    return ReturnTotals(
        lines=tuple(
            ReturnedLine(
                quantity=now,
                subtotal=money.decimal(total + discount),
                discount_amount=money.decimal(discount),
                tax_amount=money.decimal(tax),
                total=money.decimal(total),
            )
            for now, total, discount, tax in zip(returning, totals, discounts, line_tax, strict=True)
        ),
        subtotal=money.decimal(sum(totals) + sum(discounts)),
        discount_total=money.decimal(sum(discounts)),
        tax_total=money.decimal(tax_total),
        taxes=tuple(taxes),
        total=money.decimal(sum(totals) + exclusive_tax),
    )
