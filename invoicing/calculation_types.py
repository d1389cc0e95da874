"""The totals calculator's vocabulary: its inputs, its outputs and its refusal (`invoicing.calculations` is the
calculator and re-exports every name here). Frozen dataclasses of Decimal; no Django."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from invoicing.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from workspaces.discounts import DiscountType

DISCOUNT_TYPES: tuple[str, ...] = tuple(DiscountType.values)
MAX_TAXES_PER_LINE = 2
# Largest magnitude a money column (max_digits=18, decimal_places=3) can hold, exclusive.
MAX_STORABLE_AMOUNT = Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)


class CalculationError(ValueError):
    """Input the calculator refuses.

    ``field`` names the offending input ("quantity", "unit_price", "discount", "taxes", "discounts",
    "currency", "subtotal", "total"); ``line_index`` is the 0-based line it belongs to (None for a
    document-level problem); ``discount_index`` is the 0-based document discount concerned, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        line_index: int | None = None,
        discount_index: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.line_index = line_index
        self.discount_index = discount_index


# ----------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class TaxInput:
    """A tax on a line. ``rate`` is a percent (15 = 15 %); ``inclusive`` means the price contains it."""

    key: Hashable
    rate: Decimal
    inclusive: bool


@dataclass(frozen=True)
class LineInput:
    """One invoice line. ``discount_value`` is a percent (0..100) or an amount, per ``discount_type``."""

    quantity: Decimal
    unit_price: Decimal
    discount_type: DiscountType | None = None
    discount_value: Decimal = Decimal(0)
    taxes: tuple[TaxInput, ...] = ()


@dataclass(frozen=True)
class DiscountInput:
    """A document-level discount: a percent (0..100) of the net subtotal, or a fixed amount."""

    type: DiscountType
    value: Decimal


# ---------------------------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class LineTotals:
    subtotal: Decimal
    own_discount: Decimal
    discount_share: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    total: Decimal


@dataclass(frozen=True)
class TaxTotals:
    """One tax of the document.

    ``taxable_amount`` is the sum of the totals of the lines carrying the tax (for an inclusive tax
    that sum contains the tax); ``amount`` is the tax rounded once on the document.
    """

    key: Hashable
    rate: Decimal
    inclusive: bool
    taxable_amount: Decimal
    amount: Decimal


@dataclass(frozen=True)
class DocumentTotals:
    lines: tuple[LineTotals, ...]
    discounts: tuple[Decimal, ...]  # applied amount of each input discount, in input order
    subtotal: Decimal
    line_discount_total: Decimal
    document_discount_total: Decimal
    discount_total: Decimal
    exclusive_tax_total: Decimal
    inclusive_tax_total: Decimal
    tax_total: Decimal
    taxes: tuple[TaxTotals, ...]  # in order of first appearance (line order, then order on the line)
    total: Decimal
