"""The one totals calculator shared by every invoice kind (POS, order invoices, api2 invoices, ...).

Pure functions over frozen dataclasses of :class:`~decimal.Decimal`: no ORM, no clock, no settings.
Call :func:`calculate_document` and store what it returns; never re-derive a total elsewhere.

Rounding
    Every money figure is rounded ROUND_HALF_UP (ties away from zero) to the minor unit of the
    document currency (2 places for SAR, 3 for KWD, 0 for JPY) and carries exactly that exponent.
    Intermediate results are exact (rational arithmetic): nothing is rounded twice and the Decimal
    context in force does not matter.

Per line (``i``)
    subtotal_i        = round(quantity × unit_price)
    own_discount_i    = round(subtotal_i × percent / 100)  or  round(fixed value)   (≤ subtotal_i)
    net_i             = subtotal_i − own_discount_i                                  (≥ 0)
    discount_share_i  = this line's part of the document discount total              (0 ≤ share ≤ net_i)
    discount_amount_i = own_discount_i + discount_share_i
    total_i           = subtotal_i − discount_amount_i   (tax apart: with inclusive taxes it contains them)

Document discounts
    Percent discounts are a percent of the net subtotal Σ net_i, each rounded; fixed ones are their
    rounded value.  They add up (none compounds on another).  The sum is capped at the net subtotal:
    the excess is taken off the discounts in reverse order of application (fixed ones after percent
    ones, each group in input order), so the applied amounts are known one by one and add up to the
    capped total ``document_discount_total``.

Allocation of the document discount total D over the lines
    share_i = round(D × net_i / Σ net); the remainder D − Σ share_i (positive or negative, a few minor
    units) goes to the line with the largest net amount (ties: the earliest line); what does not fit
    there (a share may not exceed the line's net amount nor drop below zero) spills to the next-largest
    lines in the same order.  The shares always add up exactly to D, and it always fits because D ≤ Σ net.

Taxes (at most two per line, never inclusive and exclusive on the same line)
    A tax is identified by ``TaxInput.key``; all lines carrying a key must agree on its rate and kind.
    The taxable amount of a line is its total.  Per key, the document tax is computed on the sum of
    the lines that carry it and rounded ONCE (ZATCA BR-S-09):
        exclusive:  round(rate / 100 × Σ total_i)
        inclusive:  round(Σ total_i × rate / (100 + sum of the inclusive rates of line i))
    Each line also reports its own tax_amount (its taxes computed the same way on that line alone,
    each rounded per line) for display only; the lines' figures may differ from the document tax by
    rounding (at most one minor unit per line).

Document
    subtotal = Σ subtotal_i; line_discount_total = Σ own_discount_i; document_discount_total = D;
    discount_total = Σ discount_amount_i = line_discount_total + document_discount_total;
    tax_total = exclusive_tax_total + inclusive_tax_total;
    total = Σ total_i + exclusive_tax_total = subtotal − discount_total + exclusive_tax_total
    (inclusive taxes are already inside the line totals).  No figure is ever negative.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from invoicing.calculation_types import (
    DISCOUNT_TYPES,
    MAX_STORABLE_AMOUNT,
    MAX_TAXES_PER_LINE,
    CalculationError,
    DiscountInput,
    DocumentTotals,
    LineInput,
    LineTotals,
    TaxInput,
    TaxTotals,
)
from invoicing.exact import HUNDRED as _HUNDRED
from invoicing.exact import Money as _Money
from invoicing.exact import exact as _exact
from invoicing.exact import money_of as _money_of
from invoicing.exact import round_half_up as _round_half_up
from workspaces.discounts import DiscountType

__all__ = [
    "DISCOUNT_TYPES",
    "MAX_STORABLE_AMOUNT",
    "MAX_TAXES_PER_LINE",
    "CalculationError",
    "DiscountInput",
    "DocumentTotals",
    "LineInput",
    "LineTotals",
    "TaxInput",
    "TaxTotals",
    "calculate_document",
]


@dataclass(frozen=True)
class _Tax:
    key: Hashable
    rate: Fraction
    rate_decimal: Decimal
    inclusive: bool


def _line_taxes(taxes: object, index: int) -> tuple[_Tax, ...]:
    if not isinstance(taxes, tuple | list):
        raise CalculationError("Taxes must be a tuple of TaxInput.", field="taxes", line_index=index)
    if len(taxes) > MAX_TAXES_PER_LINE:
        raise CalculationError(
            f"A line carries at most {MAX_TAXES_PER_LINE} taxes.", field="taxes", line_index=index
        )
    result: list[_Tax] = []
    for tax in taxes:
        if not isinstance(tax, TaxInput):
            raise CalculationError("Taxes must be TaxInput instances.", field="taxes", line_index=index)
        rate = _exact(tax.rate, what="A tax rate", field="taxes", line_index=index)
        if rate < 0:
            raise CalculationError("A tax rate cannot be negative.", field="taxes", line_index=index)
        if any(other.key == tax.key for other in result):
            raise CalculationError("The same tax appears twice on a line.", field="taxes", line_index=index)
        result.append(_Tax(key=tax.key, rate=rate, rate_decimal=tax.rate, inclusive=bool(tax.inclusive)))
    if len({tax.inclusive for tax in result}) > 1:
        raise CalculationError(
            "A line cannot mix tax-inclusive and tax-exclusive taxes.", field="taxes", line_index=index
        )
    return tuple(result)


def _own_discount(line: LineInput, subtotal: int, money: _Money, index: int) -> int:
    """The line's own discount in minor units (0 ≤ result ≤ subtotal)."""
    value = _exact(line.discount_value, what="The discount", field="discount", line_index=index)
    if value < 0:
        raise CalculationError("A discount cannot be negative.", field="discount", line_index=index)
    if line.discount_type is None:
        if value != 0:
            raise CalculationError(
                "A discount value needs a discount type.", field="discount", line_index=index
            )
        return 0
    if line.discount_type == DiscountType.PERCENT:
        if value > 100:
            raise CalculationError(
                "A percent discount must be between 0 and 100.", field="discount", line_index=index
            )
        return _round_half_up(subtotal * value / _HUNDRED)
    if line.discount_type == DiscountType.FIXED:
        amount = money.units(value)
        if amount > subtotal:
            raise CalculationError(
                "A fixed discount cannot exceed the line subtotal.", field="discount", line_index=index
            )
        return amount
    raise CalculationError(
        f"Unknown discount type {line.discount_type!r}.", field="discount", line_index=index
    )


def _document_discounts(discounts: Sequence[DiscountInput], net_subtotal: int, money: _Money) -> list[int]:
    """Applied amount of each document discount (input order), in minor units, capped at net_subtotal."""
    amounts: list[int] = []
    percents: list[int] = []
    fixed: list[int] = []
    for index, discount in enumerate(discounts):
        if not isinstance(discount, DiscountInput):
            raise CalculationError(
                "Discounts must be DiscountInput instances.", field="discounts", discount_index=index
            )
        value = _exact(discount.value, what="A discount", field="discounts", discount_index=index)
        if value < 0:
            raise CalculationError("A discount cannot be negative.", field="discounts", discount_index=index)
        if discount.type == DiscountType.PERCENT:
            if value > 100:
                raise CalculationError(
                    "A percent discount must be between 0 and 100.", field="discounts", discount_index=index
                )
            amounts.append(_round_half_up(net_subtotal * value / _HUNDRED))
            percents.append(index)
        elif discount.type == DiscountType.FIXED:
            amounts.append(money.units(value))
            fixed.append(index)
        else:
            raise CalculationError(
                f"Unknown discount type {discount.type!r}.", field="discounts", discount_index=index
            )
    excess = sum(amounts) - net_subtotal
    # Applied percents first, then fixed: the cap takes the excess off the last applied first.
    for index in reversed(percents + fixed):
        if excess <= 0:
            break
        cut = min(amounts[index], excess)
        amounts[index] -= cut
        excess -= cut
    return amounts


def _allocate(total: int, nets: Sequence[int]) -> list[int]:
    """Share ``total`` (0 ≤ total ≤ Σ nets) over the lines pro rata to ``nets``; see the module doc."""
    base = sum(nets)
    if total == 0 or base == 0:
        return [0] * len(nets)
    shares = [_round_half_up(Fraction(total * net, base)) for net in nets]
    remainder = total - sum(shares)
    for index in sorted(range(len(nets)), key=lambda i: (-nets[i], i)):
        if remainder == 0:
            break
        if remainder > 0:
            step = min(nets[index] - shares[index], remainder)
        else:
            step = -min(shares[index], -remainder)
        shares[index] += step
        remainder -= step
    assert remainder == 0, "allocation remainder must always fit"  # guaranteed since 0 ≤ total ≤ base
    return shares


# ----------------------------------------------------------------------------------------------- entry


@dataclass(frozen=True)
class _PricedLines:
    """Step 1: each line's subtotal and own discount (minor units) and its taxes; every tax key once."""

    subtotals: list[int]
    own_discounts: list[int]
    taxes: list[tuple[_Tax, ...]]
    known_taxes: dict[Hashable, _Tax]


def _price_lines(lines: Sequence[LineInput], money: _Money) -> _PricedLines:
    priced = _PricedLines(subtotals=[], own_discounts=[], taxes=[], known_taxes={})
    for index, line in enumerate(lines):
        quantity = _exact(line.quantity, what="The quantity", field="quantity", line_index=index)
        unit_price = _exact(line.unit_price, what="The unit price", field="unit_price", line_index=index)
        if quantity < 0:
            raise CalculationError("The quantity cannot be negative.", field="quantity", line_index=index)
        if unit_price < 0:
            raise CalculationError("The unit price cannot be negative.", field="unit_price", line_index=index)
        subtotal = money.units(quantity * unit_price)
        money.check(subtotal, what="The line subtotal", field="subtotal", line_index=index)
        priced.subtotals.append(subtotal)
        priced.own_discounts.append(_own_discount(line, subtotal, money, index))
        taxes = _line_taxes(line.taxes, index)
        for tax in taxes:
            known = priced.known_taxes.setdefault(tax.key, tax)
            if (known.rate, known.inclusive) != (tax.rate, tax.inclusive):
                raise CalculationError(
                    f"Tax {tax.key!r} is used with different rates or kinds.", field="taxes", line_index=index
                )
        priced.taxes.append(taxes)
    return priced


@dataclass(frozen=True)
class _TaxedLines:
    """Step 3: each line's own tax (rounded per line, for display), and per tax key the taxable sum and the exact
    tax of the lines carrying it (rounded once on the document in step 4)."""

    amounts: list[int]
    taxable: dict[Hashable, int]
    exact: dict[Hashable, Fraction]


def _tax_lines(line_taxes: Sequence[tuple[_Tax, ...]], totals: Sequence[int], money: _Money) -> _TaxedLines:
    taxed = _TaxedLines(amounts=[], taxable={}, exact={})
    for index, (taxes, total) in enumerate(zip(line_taxes, totals, strict=True)):
        inclusive_rates = sum((tax.rate for tax in taxes if tax.inclusive), Fraction(0))
        line_tax = 0
        for tax in taxes:
            divisor = _HUNDRED + inclusive_rates if tax.inclusive else _HUNDRED
            exact = total * tax.rate / divisor
            line_tax += _round_half_up(exact)
            taxed.taxable[tax.key] = taxed.taxable.get(tax.key, 0) + total
            taxed.exact[tax.key] = taxed.exact.get(tax.key, Fraction(0)) + exact
        money.check(line_tax, what="The line tax", field="taxes", line_index=index)
        taxed.amounts.append(line_tax)
    return taxed


def _document_taxes(
    known_taxes: dict[Hashable, _Tax], taxed: _TaxedLines, money: _Money
) -> tuple[list[TaxTotals], int, int]:
    """Step 4: each tax rounded ONCE on its lines' exact sum (ZATCA BR-S-09); the exclusive and inclusive sums."""
    tax_totals: list[TaxTotals] = []
    exclusive_tax = inclusive_tax = 0
    for key, tax in known_taxes.items():
        amount = _round_half_up(taxed.exact[key])
        if tax.inclusive:
            inclusive_tax += amount
        else:
            exclusive_tax += amount
        tax_totals.append(
            TaxTotals(
                key=key,
                rate=tax.rate_decimal,
                inclusive=tax.inclusive,
                taxable_amount=money.decimal(taxed.taxable[key]),
                amount=money.decimal(amount),
            )
        )
    return tax_totals, exclusive_tax, inclusive_tax


def calculate_document(
    *, lines: Sequence[LineInput], discounts: Sequence[DiscountInput] = (), currency: str
) -> DocumentTotals:
    """Totals of a document; see the module docstring for every rule and invariant.

    Raises :class:`CalculationError` (a ValueError) for input it refuses: an unknown currency; a
    negative quantity or unit price; a line discount that is negative, a percent above 100, a fixed
    amount above the line subtotal or a value without a type; more than two taxes on a line, the same
    tax twice on a line, a line mixing inclusive and exclusive taxes, a negative rate, or one tax key
    used with different rates / kinds; a document discount that is negative or a percent above 100;
    a figure too large to store.
    """
    money = _money_of(currency)
    # 1. Lines: subtotals, own discounts, taxes.
    priced = _price_lines(lines, money)
    nets = [subtotal - own for subtotal, own in zip(priced.subtotals, priced.own_discounts, strict=True)]
    # 2. Document discounts, capped at the net subtotal, shared over the lines.
    applied = _document_discounts(discounts, sum(nets), money)
    shares = _allocate(sum(applied), nets)
    totals = [net - share for net, share in zip(nets, shares, strict=True)]
    # 3-4. Taxes per line, then per tax on the document.
    taxed = _tax_lines(priced.taxes, totals, money)
    tax_totals, exclusive_tax, inclusive_tax = _document_taxes(priced.known_taxes, taxed, money)
    # 5. The document.
    subtotal, line_discount, document_discount = (
        sum(priced.subtotals),
        sum(priced.own_discounts),
        sum(applied),
    )
    document_total = sum(totals) + exclusive_tax
    for figure in (subtotal, exclusive_tax + inclusive_tax, document_total):
        money.check(figure, what="The document total", field="total")
    return DocumentTotals(
        lines=tuple(
            LineTotals(
                subtotal=money.decimal(line_subtotal),
                own_discount=money.decimal(own),
                discount_share=money.decimal(share),
                discount_amount=money.decimal(own + share),
                tax_amount=money.decimal(tax),
                total=money.decimal(total),
            )
            for line_subtotal, own, share, tax, total in zip(
                priced.subtotals, priced.own_discounts, shares, taxed.amounts, totals, strict=True
            )
        ),
        discounts=tuple(money.decimal(amount) for amount in applied),
        subtotal=money.decimal(subtotal),
        line_discount_total=money.decimal(line_discount),
        document_discount_total=money.decimal(document_discount),
        discount_total=money.decimal(line_discount + document_discount),
        exclusive_tax_total=money.decimal(exclusive_tax),
        inclusive_tax_total=money.decimal(inclusive_tax),
        tax_total=money.decimal(exclusive_tax + inclusive_tax),
        taxes=tuple(tax_totals),
        total=money.decimal(document_total),
    )
