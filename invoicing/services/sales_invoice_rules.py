"""The rules of an api2 invoice's body (PRODUCT.md section 8), checked all at once before anything is locked or
written: every refusal is named in `validation_errors` with api2's own field names (`client_id`,
`InvoiceItem.0.product_id`, `Payment.0.amount`); a foreign id is a refusal like any other. Then its totals from the
one calculator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from invoicing import limits
from invoicing.calculations import (
    CalculationError,
    DiscountInput,
    DocumentTotals,
    LineInput,
    TaxInput,
    calculate_document,
)
from invoicing.models import (
    TAX_RATE_DECIMAL_PLACES,
    InvoiceItem,
    Product,
    Tax,
)
from invoicing.money import (
    PRICE_DECIMAL_PLACES,
    QUANTITY_DECIMAL_PLACES,
    has_at_most_places,
    minor_unit,
    quantize_money,
)
from workspaces.currencies import is_valid_currency
from workspaces.errors import ValidationFailed
from workspaces.models import Client, Store, Workspace

STOCK_SOURCE = "api2_invoice"
ITEMS = "InvoiceItem"
PAYMENTS = "Payment"
PAYMENT_METHOD_MAX_LENGTH = 50


@dataclass(frozen=True)
class SalesInvoiceLine:
    """One `InvoiceItem`: `discount` is a percent (`discount_type` 1) or an amount off the line (2)."""

    product_id: int
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = Decimal(0)
    discount_type: int = InvoiceItem.DiscountType.PERCENT
    tax1_id: int | None = None
    tax2_id: int | None = None
    col_3: str | None = None
    col_4: str | None = None
    col_5: str | None = None


@dataclass(frozen=True)
class SalesInvoicePayment:
    """One `Payment`; `date` None: today in the workspace's time zone."""

    payment_method: str
    amount: Decimal
    date: dt.date | None = None


class _Errors(dict[str, list[str]]):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _places(errors: _Errors, field: str, value: Decimal, places: int) -> None:
    if not has_at_most_places(Decimal(value), places):
        errors.add(field, _("At most %(places)d decimal places.") % {"places": places})


def _check_document(errors: _Errors, *, currency: str, discount: Decimal, discount_amount: Decimal) -> None:
    if not Decimal(0) <= discount <= Decimal(100):
        errors.add("discount", _("A percent discount is from 0 to 100."))
    _places(errors, "discount", discount, TAX_RATE_DECIMAL_PLACES)
    if discount_amount < 0:
        errors.add("discount_amount", _("A discount cannot be negative."))
    if is_valid_currency(currency):
        _places(errors, "discount_amount", discount_amount, minor_unit(currency))
    if discount and discount_amount:
        errors.add(
            "discount_amount", _("Give either discount (a percent) or discount_amount (fixed), not both.")
        )


def _check_lines(
    errors: _Errors,
    *,
    workspace: Workspace,
    currency: str,
    lines: Sequence[SalesInvoiceLine],
) -> tuple[dict[int, Product], dict[int, Tax]]:
    """Every line's figures, and its product and taxes among this workspace's rows (two queries)."""
    if not lines:
        errors.add(ITEMS, _("At least one invoice item is required."))
        return {}, {}
    products = Product.objects.filter(workspace=workspace, pk__in={line.product_id for line in lines}).only(
        "pk", "track_stock"
    )
    products_by_id = {product.pk: product for product in products}
    tax_ids = {tax_id for line in lines for tax_id in (line.tax1_id, line.tax2_id) if tax_id is not None}
    taxes_by_id = {tax.pk: tax for tax in Tax.objects.filter(workspace=workspace, pk__in=tax_ids)}
    for index, line in enumerate(lines):
        prefix = f"{ITEMS}.{index}"
        if line.product_id not in products_by_id:
            errors.add(f"{prefix}.product_id", _("No such product in this workspace."))
        if line.quantity <= 0:
            errors.add(f"{prefix}.quantity", _("A quantity is more than zero."))
        _places(errors, f"{prefix}.quantity", line.quantity, QUANTITY_DECIMAL_PLACES)
        if line.unit_price < 0:
            errors.add(f"{prefix}.unit_price", _("A unit price cannot be negative."))
        _places(errors, f"{prefix}.unit_price", line.unit_price, PRICE_DECIMAL_PLACES)
        if line.discount_type not in InvoiceItem.DiscountType.values:
            errors.add(f"{prefix}.discount_type", _("1 (percentage) or 2 (absolute)."))
        elif line.discount < 0:
            errors.add(f"{prefix}.discount", _("A discount cannot be negative."))
        elif line.discount_type == InvoiceItem.DiscountType.PERCENT:
            if line.discount > 100:
                errors.add(f"{prefix}.discount", _("A percent discount is from 0 to 100."))
            _places(errors, f"{prefix}.discount", line.discount, TAX_RATE_DECIMAL_PLACES)
        elif is_valid_currency(currency):
            _places(errors, f"{prefix}.discount", line.discount, minor_unit(currency))
        for name, tax_id in (("tax1", line.tax1_id), ("tax2", line.tax2_id)):
            if tax_id is not None and tax_id not in taxes_by_id:
                errors.add(f"{prefix}.{name}", _("No such tax in this workspace."))
        if line.tax1_id is not None and line.tax1_id == line.tax2_id:
            errors.add(f"{prefix}.tax2", _("tax2 is the same tax as tax1."))
        elif (
            line.tax1_id in taxes_by_id
            and line.tax2_id in taxes_by_id
            and taxes_by_id[line.tax1_id].inclusive != taxes_by_id[line.tax2_id].inclusive
        ):
            errors.add(f"{prefix}.tax2", _("A line cannot mix tax-inclusive and tax-exclusive taxes."))
    return products_by_id, taxes_by_id


def _check_payments(
    errors: _Errors, *, currency: str, draft: bool, payments: Sequence[SalesInvoicePayment]
) -> None:
    if payments and draft:
        errors.add(PAYMENTS, _("Payments cannot be recorded on a draft invoice."))
    for index, payment in enumerate(payments):
        prefix = f"{PAYMENTS}.{index}"
        method = payment.payment_method.strip()
        if not method or len(method) > PAYMENT_METHOD_MAX_LENGTH:
            errors.add(
                f"{prefix}.payment_method",
                _("A payment method of 1 to %(max)d characters is required.")
                % {"max": PAYMENT_METHOD_MAX_LENGTH},
            )
        if payment.amount <= 0:
            errors.add(f"{prefix}.amount", _("A payment is more than zero."))
        if is_valid_currency(currency):
            _places(errors, f"{prefix}.amount", payment.amount, minor_unit(currency))


def sales_invoice_totals(
    *,
    lines: Sequence[SalesInvoiceLine],
    taxes_by_id: dict[int, Tax],
    currency: str,
    discount: Decimal,
    discount_amount: Decimal,
) -> DocumentTotals:
    """The one totals calculator: item discounts first, then the document's percent or fixed discount shared
    out over the lines; tax1 and tax2 both on each line's amount after both discounts, rounded once per tax."""
    line_inputs = []
    for line in lines:
        taxes = tuple(
            TaxInput(key=tax.pk, rate=tax.rate, inclusive=tax.inclusive)
            for tax in (taxes_by_id.get(line.tax1_id), taxes_by_id.get(line.tax2_id))  # type: ignore[arg-type]
            if tax is not None
        )
        percent = line.discount_type == InvoiceItem.DiscountType.PERCENT
        line_inputs.append(
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_type=("percent" if percent else "fixed") if line.discount else None,
                discount_value=line.discount,
                taxes=taxes,
            )
        )
    document_discounts = []
    if discount:
        document_discounts.append(DiscountInput(type="percent", value=discount))
    if discount_amount:
        document_discounts.append(DiscountInput(type="fixed", value=discount_amount))
    try:
        return calculate_document(lines=line_inputs, discounts=document_discounts, currency=currency)
    except CalculationError as exc:
        if exc.line_index is None:
            field = "discount_amount" if exc.field == "discounts" else ITEMS
        else:
            name = {"discount": "discount", "quantity": "quantity", "taxes": "tax1"}.get(
                exc.field, "unit_price"
            )
            field = f"{ITEMS}.{exc.line_index}.{name}"
        # The calculator's messages are for developers; the user is told what to change.
        message = (
            _("A discount cannot exceed the line amount.")
            if exc.field == "discount"
            else _("This amount is too large.")
        )
        raise ValidationFailed({field: [message]}) from exc


@dataclass(frozen=True)
class CheckedSalesInvoice:
    client: Client
    store: Store
    currency: str
    totals: DocumentTotals
    paid: Decimal


def sales_invoice_check(
    *,
    workspace: Workspace,
    client_id: int,
    store_id: int,
    lines: Sequence[SalesInvoiceLine],
    payments: Sequence[SalesInvoicePayment],
    currency: str | None,
    draft: bool,
    discount: Decimal,
    discount_amount: Decimal,
) -> CheckedSalesInvoice:
    """Every rule of the body, all refusals at once (a `ValidationFailed` naming each field), then the totals."""
    limits.lines_check(len(lines))
    limits.payments_check(len(payments))
    errors = _Errors()
    client = Client.objects.filter(workspace=workspace, pk=client_id).first()
    if client is None:
        errors.add("client_id", _("No such client in this workspace."))
    store = Store.objects.filter(workspace=workspace, pk=store_id).first()
    if store is None:
        errors.add("store_id", _("No such store in this workspace."))
    currency = workspace.currency if currency is None else currency
    if not is_valid_currency(currency):
        errors.add("currency_code", _("Not an ISO 4217 currency code."))
    _check_document(errors, currency=currency, discount=discount, discount_amount=discount_amount)
    _products, taxes_by_id = _check_lines(errors, workspace=workspace, currency=currency, lines=lines)
    _check_payments(errors, currency=currency, draft=draft, payments=payments)
    if errors:
        raise ValidationFailed(errors)
    assert client is not None and store is not None

    totals = sales_invoice_totals(
        lines=lines,
        taxes_by_id=taxes_by_id,
        currency=currency,
        discount=discount,
        discount_amount=discount_amount,
    )
    paid = sum((payment.amount for payment in payments), Decimal(0))
    if paid > totals.total:
        raise ValidationFailed(
            {
                PAYMENTS: [
                    _("The payments (%(paid)s) exceed the total (%(total)s).")
                    % {
                        "paid": quantize_money(paid, currency),
                        "total": quantize_money(totals.total, currency),
                    }
                ]
            }
        )
    return CheckedSalesInvoice(client=client, store=store, currency=currency, totals=totals, paid=paid)
