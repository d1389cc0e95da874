"""Writes for the generic sales invoice behind api2 (PRODUCT.md section 8, seed 004).

api2 names every refusal of the body in `validation_errors` (a 400), a foreign id included: the fields are named
as api2 names them (`client_id`, `InvoiceItem.0.product_id`, `Payment.0.amount`), never camelCased.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from invoicing.calculations import (
    CalculationError,
    DiscountInput,
    DocumentTotals,
    LineInput,
    TaxInput,
    calculate_document,
)
from invoicing.locks import lock_sales_invoice
from invoicing.models import (
    TAX_RATE_DECIMAL_PLACES,
    Invoice,
    InvoiceItem,
    InvoicePayment,
    Product,
    StockMovement,
    Tax,
)
from invoicing.money import (
    PRICE_DECIMAL_PLACES,
    QUANTITY_DECIMAL_PLACES,
    has_at_most_places,
    minor_unit,
)
from invoicing.numbering import API2_SERIES, number_next
from invoicing.services.stock import StockLine, stock_deduct_for_document
from workspaces.currencies import is_valid_currency
from workspaces.dates import workspace_today
from workspaces.errors import ApplicationError, ValidationFailed
from workspaces.models import Client, Store, Workspace
from workspaces.tenancy import Access

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


def _totals(
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


def _deduct_stock(
    *, invoice: Invoice, store: Store, lines: Sequence[SalesInvoiceLine], access: Access
) -> None:
    """Short stock names each short line: `"InvoiceItem.N.quantity": "insufficient stock"` (section 8)."""
    try:
        stock_deduct_for_document(
            workspace=invoice.workspace,
            store=store,
            source_type=STOCK_SOURCE,
            source_id=invoice.pk,
            lines=[StockLine(product_id=line.product_id, quantity=line.quantity) for line in lines],
            actor=access,
            reason=StockMovement.Reason.INVOICE,
        )
    except ValidationFailed as exc:  # the summed quantity of one product would not fit a stock level
        raise ValidationFailed(
            {ITEMS: [message for messages in exc.errors.values() for message in messages]}
        ) from exc
    except ApplicationError as exc:
        if exc.code != "insufficient_stock":
            raise
        short = {int(product["product_id"]) for product in exc.details["products"]}
        raise ValidationFailed(
            {
                f"{ITEMS}.{index}.quantity": [_("insufficient stock")]
                for index, line in enumerate(lines)
                if line.product_id in short
            },
            message=exc.message,
        ) from exc


@dataclass(frozen=True)
class _Checked:
    client: Client
    store: Store
    currency: str
    totals: DocumentTotals
    paid: Decimal


def _check(
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
) -> _Checked:
    """Every rule of the body, all refusals at once (a `ValidationFailed` naming each field), then the totals."""
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

    totals = _totals(
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
                    % {"paid": paid, "total": totals.total}
                ]
            }
        )
    return _Checked(client=client, store=store, currency=currency, totals=totals, paid=paid)


def _summary(totals: DocumentTotals) -> dict[str, Decimal]:
    return {
        "summary_subtotal": totals.subtotal,
        "summary_discount": totals.discount_total,
        "summary_tax": totals.tax_total,
        "summary_total": totals.total,
    }


def _write_items(invoice: Invoice, lines: Sequence[SalesInvoiceLine], totals: DocumentTotals) -> None:
    InvoiceItem.objects.bulk_create(
        InvoiceItem(
            workspace_id=invoice.workspace_id,
            invoice=invoice,
            product_id=line.product_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
            discount_type=line.discount_type,
            tax1_id=line.tax1_id,
            tax2_id=line.tax2_id,
            col_3=line.col_3,
            col_4=line.col_4,
            col_5=line.col_5,
            subtotal=figures.subtotal,
            discount_amount=figures.discount_amount,
            tax_amount=figures.tax_amount,
            total=figures.total,
        )
        for line, figures in zip(lines, totals.lines, strict=True)
    )


def _lines_of(invoice: Invoice) -> list[SalesInvoiceLine]:
    return [
        SalesInvoiceLine(product_id=item.product_id, quantity=item.quantity, unit_price=item.unit_price)
        for item in InvoiceItem.objects.filter(invoice=invoice).order_by("pk")
    ]


def _require_draft(invoice: Invoice) -> None:
    if not invoice.draft:
        raise ApplicationError(
            _("Invoice %(no)s is issued: only a draft can be changed.") % {"no": invoice.no},
            code="invoice_not_draft",
        )


@transaction.atomic
def sales_invoice_create(
    *,
    workspace: Workspace,
    access: Access,
    client_id: int,
    store_id: int,
    lines: Sequence[SalesInvoiceLine],
    payments: Sequence[SalesInvoicePayment] = (),
    currency: str | None = None,
    date: dt.date | None = None,
    draft: bool = False,
    discount: Decimal = Decimal(0),
    discount_amount: Decimal = Decimal(0),
    notes: str | None = None,
    po_number: str | None = None,
    is_offline: bool = False,
) -> Invoice:
    """Creates a sales invoice with its items (and, unless a draft, its payments), numbered "000001", ...

    - Tenancy: the client, the store, each product and tax are looked up among `workspace`'s rows only; an id of
      another workspace (or of nothing) is a `ValidationFailed` naming the field, as api2 answers it (400).
    - Every refusal of the input is collected and raised at once, before any lock or write.
    - Money: every figure comes from `invoicing.calculations.calculate_document` in the invoice's currency
      (default: the workspace's); amounts given with more decimals than the currency has are refused.
    - Payments: none on a draft; their sum may not exceed the total.
    - Locks, in the house order: the document counter (`number_next`, gapless: a refusal below rolls the number
      back), then the stock levels (in `stock_deduct_for_document`, primary-key order). A non-draft invoice takes
      its quantities out of `store` once (source "api2_invoice"); short stock refuses the whole invoice unless
      the workspace allows negative stock. A draft touches no stock.
    """
    checked = _check(
        workspace=workspace,
        client_id=client_id,
        store_id=store_id,
        lines=lines,
        payments=payments,
        currency=currency,
        draft=draft,
        discount=discount,
        discount_amount=discount_amount,
    )
    number = number_next(workspace=workspace, series=API2_SERIES)
    invoice = Invoice.objects.create(
        workspace=workspace,
        number=number,
        client=checked.client,
        store=checked.store,
        currency=checked.currency,
        date=date or workspace_today(workspace),
        draft=draft,
        discount=discount,
        discount_amount=discount_amount,
        notes=notes,
        po_number=po_number,
        is_offline=is_offline,
        summary_paid=checked.paid,
        created_by=access.user,
        created_by_api_key=access.api_key,
        **_summary(checked.totals),
    )
    _write_items(invoice, lines, checked.totals)
    if payments:
        today = workspace_today(workspace)
        InvoicePayment.objects.bulk_create(
            InvoicePayment(
                workspace=workspace,
                invoice=invoice,
                payment_method=payment.payment_method.strip(),
                amount=payment.amount,
                date=payment.date or today,
            )
            for payment in payments
        )
    if not draft:
        _deduct_stock(invoice=invoice, store=checked.store, lines=lines, access=access)
    return invoice


@transaction.atomic
def sales_invoice_update_draft(
    *,
    invoice: Invoice,
    access: Access,
    client_id: int,
    store_id: int,
    lines: Sequence[SalesInvoiceLine],
    currency: str | None,
    date: dt.date,
    discount: Decimal = Decimal(0),
    discount_amount: Decimal = Decimal(0),
    notes: str | None = None,
    po_number: str | None = None,
    is_offline: bool = False,
) -> Invoice:
    """Replaces a draft's fields and items (the back office's edit), under the same rules as a new invoice.

    Locks the invoice first (`lock_sales_invoice`), so an edit and an issue of the same draft queue; an issued
    invoice is a 422 `invoice_not_draft` and is never changed. A draft has no payments and touches no stock.
    """
    invoice = lock_sales_invoice(workspace=invoice.workspace, invoice_id=invoice.pk)
    _require_draft(invoice)
    checked = _check(
        workspace=invoice.workspace,
        client_id=client_id,
        store_id=store_id,
        lines=lines,
        payments=(),
        currency=currency,
        draft=True,
        discount=discount,
        discount_amount=discount_amount,
    )
    fields = {
        "client": checked.client,
        "store": checked.store,
        "currency": checked.currency,
        "date": date,
        "discount": discount,
        "discount_amount": discount_amount,
        "notes": notes,
        "po_number": po_number,
        "is_offline": is_offline,
        **_summary(checked.totals),
    }
    for name, value in fields.items():
        setattr(invoice, name, value)
    invoice.save(update_fields=[*[name for name in fields], "updated_at"])
    InvoiceItem.objects.filter(invoice=invoice).delete()
    _write_items(invoice, lines, checked.totals)
    return invoice


@transaction.atomic
def sales_invoice_issue(*, invoice: Invoice, access: Access) -> Invoice:
    """Turns a draft into an issued invoice: its quantities leave its store once, as for a non-draft create.

    Locks the invoice, then (in the stock service) the stock levels in primary-key order. A retry or a race finds
    the invoice issued (422 `invoice_not_draft`) and deducts nothing again; short stock refuses and changes
    nothing, unless the workspace allows negative stock.
    """
    invoice = lock_sales_invoice(workspace=invoice.workspace, invoice_id=invoice.pk)
    _require_draft(invoice)
    _deduct_stock(
        invoice=invoice,
        store=Store.objects.get(workspace=invoice.workspace, pk=invoice.store_id),
        lines=_lines_of(invoice),
        access=access,
    )
    invoice.draft = False
    invoice.save(update_fields=["draft", "updated_at"])
    return invoice
