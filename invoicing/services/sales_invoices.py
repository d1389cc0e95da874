"""Writes for the generic sales invoice behind api2 (PRODUCT.md section 8, seed 004).

api2 names every refusal of the body in `validation_errors` (a 400), a foreign id included: the fields are named
as api2 names them (`client_id`, `InvoiceItem.0.product_id`, `Payment.0.amount`), never camelCased.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from invoicing.calculations import (
    DocumentTotals,
)
from invoicing.locks import lock_sales_invoice
from invoicing.models import (
    Invoice,
    InvoiceItem,
    InvoicePayment,
    StockMovement,
)
from invoicing.numbering import API2_SERIES, number_next
from invoicing.services.sales_invoice_rules import (
    ITEMS,
    STOCK_SOURCE,
    SalesInvoiceLine,
    SalesInvoicePayment,
    sales_invoice_check,
)
from invoicing.services.sales_invoice_zatca import sign_sales_invoice
from invoicing.services.stock import StockLine, stock_deduct_for_document
from invoicing.zatca.issuing import signing_for
from workspaces import codes
from workspaces.dates import workspace_today
from workspaces.errors import ApplicationError, ValidationFailed
from workspaces.models import Store, Workspace
from workspaces.tenancy import Access


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
    """A stored invoice's lines as they were given (their discounts and taxes too: a draft is signed from them)."""
    return [
        SalesInvoiceLine(
            product_id=item.product_id,
            quantity=item.quantity,
            unit_price=item.unit_price,
            discount=item.discount,
            discount_type=item.discount_type,
            tax1_id=item.tax1_id,
            tax2_id=item.tax2_id,
        )
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
    - Needs `invoices.manage`, checked first.
    """
    access.require(codes.INVOICES_MANAGE)
    checked = sales_invoice_check(
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
    # A store that signs: its device locked before the counter (the buyer of a standard invoice checked first).
    signing = None if draft else signing_for(store_id=checked.store.pk, client=checked.client)
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
    if signing is not None:
        method = payments[0].payment_method if payments else None
        sign_sales_invoice(signing, invoice, checked.client, lines, checked.totals, method)
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
    Needs `invoices.manage`.
    """
    access.require(codes.INVOICES_MANAGE)
    invoice = lock_sales_invoice(workspace=invoice.workspace, invoice_id=invoice.pk)
    _require_draft(invoice)
    checked = sales_invoice_check(
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
    nothing, unless the workspace allows negative stock. Needs `invoices.manage`.
    """
    access.require(codes.INVOICES_MANAGE)
    invoice = lock_sales_invoice(workspace=invoice.workspace, invoice_id=invoice.pk)
    _require_draft(invoice)
    lines = _lines_of(invoice)
    signing = signing_for(store_id=invoice.store_id, client=invoice.client)
    if signing is not None:
        # The draft's figures as stored, recomputed by the one calculator (the same rules as at its creation).
        checked = sales_invoice_check(
            workspace=invoice.workspace,
            client_id=invoice.client_id,
            store_id=invoice.store_id,
            lines=lines,
            payments=(),
            currency=invoice.currency,
            draft=True,
            discount=invoice.discount,
            discount_amount=invoice.discount_amount,
        )
        sign_sales_invoice(signing, invoice, invoice.client, lines, checked.totals, None)
    _deduct_stock(
        invoice=invoice,
        store=Store.objects.get(workspace=invoice.workspace, pk=invoice.store_id),
        lines=lines,
        access=access,
    )
    invoice.draft = False
    invoice.save(update_fields=["draft", "updated_at"])
    return invoice
