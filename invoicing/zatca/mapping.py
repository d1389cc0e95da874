"""From the one totals calculator to the ZATCA inputs: the XML's totals are the calculator's, to the halala.

:func:`lines_and_totals` takes the lines as sold (name, quantity, unit price, their one VAT) and what the calculator
computed for them (:class:`~invoicing.calculation_types.DocumentTotals` of a sale, or
:class:`~invoicing.credit_notes.ReturnTotals` of a return: both have ``lines``, ``taxes`` and ``total``), and gives
the document's :class:`~invoicing.zatca.documents.Line` s and :class:`~invoicing.zatca.documents.Totals`.

What always holds
    The VAT of each category and rate is the calculator's tax (rounded once), the VAT total is the calculator's,
    and ``PayableAmount`` is the calculator's total: what the customer pays and the tax the API shows never move.
    Every arithmetic rule that can be checked offline holds exactly (:func:`~invoicing.zatca.documents.
    arithmetic_errors`): BR-CO-10/13/14/15/16, BR-S-08 and BR-S-09 (VAT = round(taxable × rate)), BR-KSA-50
    (line VAT = round(line net × rate)), BR-KSA-51 and BR-KSA-EN16931-11.

Discounts
    A line's own discount and its share of the document discounts (``discount_amount``) are written as that line's
    allowance, so Σ line net = ``LineExtensionAmount`` and no document-level allowance is needed (AllowanceTotal 0).
    The price is (net + allowance) over the quantity: the unit price itself when it has two decimals and states
    the line exactly, else the per-unit price when it divides exactly, else that amount with ``BaseQuantity`` = the
    quantity (BR-KSA-EN16931-11 stays exact).

Exclusive VAT on a sale
    Line net = the calculator's line total, line VAT = round(net × rate) (the calculator's line tax), taxable =
    Σ line totals, VAT = the calculator's tax rounded once on that sum: nothing is adjusted.

Inclusive VAT (the price contains it), and returns
    UBL states amounts net of VAT.  An inclusive line starts at net = gross total − the calculator's line tax.  The
    taxable amount of the category aims at Σ gross − the calculator's tax (for exclusive lines: Σ line totals); when
    round(that × rate) is not the calculator's tax (an inclusive split, or a return whose tax is the sale's tax pro
    rata), the taxable amount moves by the fewest halalas that make it so (BR-S-09), the lines' nets move with it a
    halala at a time (the largest first, ties: the earliest), each line's VAT is round(net × rate) and its
    ``RoundingAmount`` net + VAT, and the difference between the calculator's total and net + VAT is written as
    ``PayableRoundingAmount`` (BR-CO-16) so ``PayableAmount`` stays the calculator's total.  Chosen because ZATCA
    rejects a document that breaks BR-S-09 (and a standard one that breaks BR-KSA-50), while the customer's total
    and the tax must be the API's; the price is a line's gross shown one halala off in rare cases, and a payable
    rounding of a few halalas on the document.

Refused (ValueError): a line without VAT or at rate 0 without its category (Z, E or O); a figure with more than two
decimals; a calculation whose taxes do not match its lines' (a tax no line carries with an amount, as when the
calculator taxed a line twice: ZATCA knows one VAT per line), or whose total is more than a riyal from net + VAT.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Protocol

from invoicing.zatca.documents import HALALA, Line, TaxSubtotal, Totals, VatCategory

if TYPE_CHECKING:  # the calculator's types; not imported at run time, so the core stays free of Django
    from invoicing.calculation_types import TaxInput, TaxTotals

__all__ = ["SourceLine", "lines_and_totals"]

_ZERO = Decimal("0.00")
_MAX_PAYABLE_ROUNDING = Decimal("1.00")


class _LineFigures(Protocol):
    subtotal: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    total: Decimal


class _Calculation(Protocol):
    lines: Sequence[_LineFigures]
    taxes: Sequence[TaxTotals]
    total: Decimal


@dataclass(frozen=True)
class SourceLine:
    """A line as sold: ``quantity`` sold or returned, ``unit_price`` as priced (with VAT if ``tax`` is inclusive).

    ``tax`` is the line's one VAT as given to the calculator (None: no VAT); ``category`` defaults to S for a rate
    above 0 and is required (Z, E or O, with its exemption reason) for a rate of 0 or no VAT.
    """

    name: str
    quantity: Decimal
    unit_price: Decimal
    tax: TaxInput | None = None
    category: VatCategory | None = None
    exemption_reason_code: str | None = None
    exemption_reason: str | None = None
    unit_code: str = "PCE"


@dataclass
class _Draft:
    index: int
    source: SourceLine
    figures: _LineFigures
    category: VatCategory
    rate: Decimal
    key: Hashable | None
    inclusive: bool
    net: Decimal = _ZERO


def _round(value: Decimal) -> Decimal:
    return value.quantize(HALALA, rounding=ROUND_HALF_UP)


def _vat(amount: Decimal, rate: Decimal) -> Decimal:
    return _round(amount * rate / 100)


def _category(source: SourceLine, index: int) -> tuple[VatCategory, Decimal]:
    rate = source.tax.rate if source.tax is not None else Decimal(0)
    if rate > 0:
        if source.category not in (None, VatCategory.STANDARD):
            raise ValueError(f"Line {index + 1}: a rate above 0 is category S.")
        return VatCategory.STANDARD, rate
    if source.category in (None, VatCategory.STANDARD):
        raise ValueError(f"Line {index + 1}: a line without VAT needs its category (Z, E or O).")
    return source.category, rate


def _check_money(*values: Decimal) -> None:
    for value in values:
        if value != _round(value):
            raise ValueError(f"{value} has more than two decimals.")


def _drafts(source_lines: Sequence[SourceLine], calculation: _Calculation) -> list[_Draft]:
    if len(source_lines) != len(calculation.lines):
        raise ValueError("There must be one source line per calculated line.")
    drafts = []
    for index, (source, figures) in enumerate(zip(source_lines, calculation.lines, strict=True)):
        if not source.quantity and not figures.total:
            continue  # a line of the sale that this return does not touch
        _check_money(figures.subtotal, figures.discount_amount, figures.tax_amount, figures.total)
        category, rate = _category(source, index)
        tax = source.tax
        inclusive = bool(tax is not None and tax.inclusive)
        drafts.append(
            _Draft(
                index=index,
                source=source,
                figures=figures,
                category=category,
                rate=rate,
                key=tax.key if tax is not None else None,
                inclusive=inclusive,
                net=figures.total - figures.tax_amount if inclusive else figures.total,
            )
        )
    if not drafts:
        raise ValueError("A document needs at least one line.")
    return drafts


def _taxable(drafts: list[_Draft], tax: Decimal, inclusive_tax: Decimal, rate: Decimal) -> Decimal:
    """The taxable amount of one category and rate: the nearest to its aim with round(taxable × rate) = ``tax``.

    The aim is Σ exclusive line totals + Σ inclusive gross totals − their tax (``inclusive_tax``).
    """
    aim = sum((d.figures.total for d in drafts), _ZERO) - inclusive_tax
    if not rate:
        return aim
    for steps in range(int(200 / rate) + 2):
        for candidate in (aim + steps * HALALA, aim - steps * HALALA):
            if candidate >= 0 and _vat(candidate, rate) == tax:
                return candidate
    raise ValueError(f"No taxable amount gives the tax {tax} at {rate} %.")


def _move_nets(drafts: list[_Draft], taxable: Decimal) -> None:
    """Move the lines' nets a halala at a time (largest first, ties: earliest) until they add up to ``taxable``."""
    remainder = taxable - sum((d.net for d in drafts), _ZERO)
    order = sorted(drafts, key=lambda d: (-d.net, d.index))
    while remainder:
        step = HALALA if remainder > 0 else -HALALA
        moved = False
        for draft in order:
            if remainder and draft.net + step >= 0:
                draft.net += step
                remainder -= step
                moved = True
        if not moved:
            raise ValueError("The taxable amount cannot be shared over its lines.")


def _price(source: SourceLine, priced: Decimal) -> tuple[Decimal, Decimal | None]:
    """The price amount and base quantity for a line whose quantity × price / base quantity is ``priced``."""
    unit = source.unit_price if not (source.tax and source.tax.inclusive) else None
    if unit is not None and unit == _round(unit) and source.quantity * unit == priced:
        return unit, None
    if source.quantity and priced / source.quantity == _round(priced / source.quantity):
        return _round(priced / source.quantity), None
    return priced, source.quantity


def _line(draft: _Draft, position: int) -> Line:
    figures, source = draft.figures, draft.source
    if draft.inclusive:
        allowance = _round(figures.discount_amount * 100 / (100 + draft.rate))
    else:
        allowance = figures.discount_amount
    vat = _vat(draft.net, draft.rate)
    price, base = _price(source, draft.net + allowance)
    return Line(
        id=str(position),
        name=source.name,
        quantity=source.quantity,
        price_amount=price,
        price_base_quantity=base,
        allowance_amount=allowance,
        net_amount=draft.net,
        vat_category=draft.category,
        vat_rate=draft.rate,
        vat_amount=vat,
        rounding_amount=draft.net + vat,
        unit_code=source.unit_code,
    )


def lines_and_totals(
    source_lines: Sequence[SourceLine], calculation: _Calculation
) -> tuple[tuple[Line, ...], Totals]:
    """The ZATCA lines and totals of ``calculation`` (see the module docstring for every rule)."""
    drafts = _drafts(source_lines, calculation)
    tax_by_key = {tax.key: tax.amount for tax in calculation.taxes}
    groups: dict[tuple[VatCategory, Decimal], list[_Draft]] = {}
    for draft in drafts:
        groups.setdefault((draft.category, draft.rate), []).append(draft)
    subtotals = []
    for (category, rate), members in groups.items():
        keys = {draft.key for draft in members} - {None}
        missing = keys - set(tax_by_key)
        if missing:
            raise ValueError(f"The calculation has no tax for {sorted(map(str, missing))}.")
        tax = sum((tax_by_key[key] for key in keys), _ZERO)
        inclusive_keys = {draft.key for draft in members if draft.inclusive}
        inclusive_tax = sum((tax_by_key[key] for key in inclusive_keys), _ZERO)
        taxable = _taxable(members, tax, inclusive_tax, rate)
        _move_nets(members, taxable)
        first = members[0].source
        subtotals.append(
            TaxSubtotal(
                category=category,
                rate=rate,
                taxable_amount=taxable,
                tax_amount=tax,
                exemption_reason_code=first.exemption_reason_code
                if category != VatCategory.STANDARD
                else None,
                exemption_reason=first.exemption_reason if category != VatCategory.STANDARD else None,
            )
        )
    unused = {tax.key for tax in calculation.taxes if tax.amount} - {draft.key for draft in drafts}
    if unused:
        raise ValueError(f"The calculation has taxes no line carries: {sorted(map(str, unused))}.")
    lines = tuple(_line(draft, position) for position, draft in enumerate(drafts, start=1))
    line_extension = sum((line.net_amount for line in lines), _ZERO)
    tax_total = sum((subtotal.tax_amount for subtotal in subtotals), _ZERO)
    if abs(calculation.total - line_extension - tax_total) > _MAX_PAYABLE_ROUNDING:
        raise ValueError(
            f"The lines ({line_extension}) and the VAT ({tax_total}) are far from the total ({calculation.total})."
        )
    totals = Totals(
        line_extension=line_extension,
        allowance_total=_ZERO,
        tax_exclusive=line_extension,
        tax_total=tax_total,
        subtotals=tuple(subtotals),
        tax_inclusive=line_extension + tax_total,
        prepaid=_ZERO,
        payable=calculation.total,
        payable_rounding=calculation.total - line_extension - tax_total,
    )
    return lines, totals
