"""Sales a till made offline, recorded on arrival exactly once (PRODUCT.md section 8d).

Each sale is its own transaction: a rejected sale never rejects its neighbours, and the locks a sale takes (its
store's open session `FOR SHARE`, the document counter, the stock levels, in the house's order) are held for that
sale only, so the other tills of the shop wait at most one sale. `client_ref` is unique per workspace in the
database: a sale sent again, in the same batch, a later one or a concurrent one, finds the invoice first made.

A sale already happened: nothing the shop cannot undo refuses it. Short stock is recorded (the level goes below
zero, the invoice and its movements flagged `stock_short`); a total the till computed differently is kept
(`offline_total`, `total_mismatch`) while the calculator's figures are the invoice's, and the payments are checked
against what the customer paid (the till's total). What the till can fix (a foreign or unknown id, a malformed
line, payments short of its own total, no open session) is rejected, to be sent again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing import limits
from invoicing.calculations import CalculationError, DocumentTotals
from invoicing.models import Product, Tax
from invoicing.numbering import POS_SERIES, format_number, number_next
from invoicing.services import stock_deduct_sold
from pos import error_codes
from pos.calculations import invoice_totals
from pos.einvoicing import sign_sale
from pos.locks import share_open_session_of_store
from pos.models import OrderStatus, PosInvoice, PosInvoiceDiscount, PosInvoiceItem, PosPayment
from pos.selectors import keep_rows
from pos.services.checkout import PaymentInput, payments_settle
from pos.services.common import STOCK_SOURCE, actor_type, amount_places_check, log_event, store_of
from workspaces import codes
from workspaces.discounts import discount_value_validate
from workspaces.errors import ApplicationError, NotFoundError, ValidationFailed
from workspaces.models import Client, Store, Workspace
from workspaces.tenancy import Access
from workspaces.transactions import all_or_nothing

MAX_SALES = 500

CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"


@dataclass(frozen=True)
class OfflineLine:
    product_id: int
    quantity: Decimal
    unit_price: Decimal
    note: str = ""


@dataclass(frozen=True)
class OfflineDiscount:
    type: str
    value: Decimal
    reason: str = ""


@dataclass(frozen=True)
class OfflineSale:
    """A sale as the till made it: its own reference, its clock, what it sold, what the customer paid."""

    client_ref: uuid.UUID
    store_id: int
    created_at: dt.datetime
    completed_at: dt.datetime
    items: Sequence[OfflineLine]
    payments: Sequence[PaymentInput]
    total: Decimal
    client_id: int | None = None
    discounts: Sequence[OfflineDiscount] = ()
    order_status_id: int | None = None


@dataclass
class SyncResult:
    """One sale's outcome: `invoice` for created (carrying its lines) and duplicate (None here: the caller reads
    the duplicates' invoices together, `invoice_id`), `error` for rejected."""

    client_ref: uuid.UUID | None
    status: str
    invoice: PosInvoice | None = None
    invoice_id: int | None = None
    error: ApplicationError | None = None


@dataclass(frozen=True)
class _Known:
    """What the batch's sales name, read once for the whole batch."""

    stores: set[int]
    clients: set[int]
    products: dict[int, Product]
    order_statuses: dict[int, OrderStatus]
    default_status: OrderStatus | None


def _known(workspace: Workspace, sales: Sequence[OfflineSale]) -> _Known:
    """The workspace's stores, clients, products (with their taxes) and order statuses the sales name: four or
    five queries for any number of sales. A product is found whatever happened to it since the till loaded it."""
    store_ids = {sale.store_id for sale in sales}
    client_ids = {sale.client_id for sale in sales if sale.client_id is not None}
    product_ids = {line.product_id for sale in sales for line in sale.items}
    status_ids = {sale.order_status_id for sale in sales if sale.order_status_id is not None}
    stores = set(Store.objects.filter(workspace=workspace, pk__in=store_ids).values_list("pk", flat=True))
    clients = set()
    if client_ids:
        clients = set(
            Client.objects.filter(workspace=workspace, pk__in=client_ids).values_list("pk", flat=True)
        )
    products = {}
    if product_ids:
        products = {
            product.pk: product
            for product in Product.with_deleted.filter(
                workspace=workspace, pk__in=product_ids
            ).prefetch_related(Prefetch("taxes", queryset=Tax.objects.order_by("pk")))
        }
    statuses = {
        status.pk: status
        for status in OrderStatus.objects.filter(
            Q(pk__in=status_ids) | Q(is_default=True), workspace=workspace
        ).only("pk", "label_ar", "label_en", "is_default")
    }
    default = next((status for status in statuses.values() if status.is_default), None)
    return _Known(
        stores, clients, products, {pk: s for pk, s in statuses.items() if pk in status_ids}, default
    )


def _not_found(field: str, message: str) -> NotFoundError:
    return NotFoundError(message, errors={field: [message]})


def _check_ids(sale: OfflineSale, known: _Known) -> None:
    """Every id the sale names is the workspace's (else `not_found`, naming the field or the line)."""
    if sale.store_id not in known.stores:
        raise _not_found("storeId", _("Store not found."))
    if sale.client_id is not None and sale.client_id not in known.clients:
        raise _not_found("clientId", _("Client not found."))
    if sale.order_status_id is not None and sale.order_status_id not in known.order_statuses:
        raise _not_found("orderStatusId", _("Order status not found."))
    for index, line in enumerate(sale.items):
        if line.product_id not in known.products:
            raise _not_found(f"items.{index}.productId", _("Product not found."))


def _lines(sale: OfflineSale, known: _Known, workspace: Workspace) -> list[PosInvoiceItem]:
    """The invoice's lines, each copying its product's name, SKU and taxes now."""
    if not sale.items:
        raise ValidationFailed({"items": [_("A sale has at least one item.")]})
    limits.lines_check(len(sale.items))
    lines = []
    for index, line in enumerate(sale.items):
        if line.quantity <= 0:
            raise ValidationFailed({f"items.{index}.quantity": [_("The quantity must be more than zero.")]})
        if line.unit_price < 0:
            raise ValidationFailed({f"items.{index}.unitPrice": [_("The unit price must be zero or more.")]})
        product = known.products[line.product_id]
        lines.append(
            PosInvoiceItem(
                workspace_id=workspace.pk,
                product_id=product.pk,
                name=product.name,
                sku=product.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                taxes=[tax.snapshot() for tax in product.taxes.all()],
                note=line.note,
            )
        )
    return lines


def _discounts(sale: OfflineSale, workspace: Workspace) -> list[PosInvoiceDiscount]:
    """The discounts the till applied, all of them: the client's included (the till knew it when it sold)."""
    discounts = []
    for index, discount in enumerate(sale.discounts):
        discount_value_validate(
            type=discount.type,
            value=discount.value,
            currency=workspace.currency,
            field=f"discounts.{index}.value",
        )
        discounts.append(
            PosInvoiceDiscount(
                workspace_id=workspace.pk,
                source=PosInvoiceDiscount.Source.MANUAL,
                type=discount.type,
                value=discount.value,
                reason=discount.reason,
            )
        )
    return discounts


def _figures(
    lines: list[PosInvoiceItem], discounts: list[PosInvoiceDiscount], currency: str
) -> DocumentTotals:
    """The one totals calculator's figures, written onto the lines and discounts."""
    try:
        totals = invoice_totals(items=lines, discounts=discounts, currency=currency)
    except CalculationError as exc:
        raise ValidationFailed({exc.field or "items": [str(exc)]}) from exc
    for item, line in zip(lines, totals.lines, strict=True):
        item.subtotal, item.discount_amount, item.tax_amount, item.total = (
            line.subtotal,
            line.discount_amount,
            line.tax_amount,
            line.total,
        )
    for discount, amount in zip(discounts, totals.discounts, strict=True):
        discount.amount = amount
    return totals


@dataclass(frozen=True)
class _Prepared:
    """A sale checked and figured before any lock is taken."""

    sale: OfflineSale
    lines: list[PosInvoiceItem]
    discounts: list[PosInvoiceDiscount]
    totals: DocumentTotals
    payments: list[PaymentInput]
    change: Decimal


def _prepare(sale: OfflineSale, known: _Known, workspace: Workspace) -> _Prepared:
    """Everything a sale can be refused for without the database: ids, lines, discounts, payments."""
    if sale.completed_at < sale.created_at:
        raise ValidationFailed({"completedAt": [_("A sale is completed after it is created.")]})
    _check_ids(sale, known)
    lines = _lines(sale, known, workspace)
    discounts = _discounts(sale, workspace)
    totals = _figures(lines, discounts, workspace.currency)
    amount_places_check(workspace, sale.total, "total")
    limits.payments_check(len(sale.payments))
    # The customer paid the till's total: the payments must cover that, whatever the calculator says.
    payments, change = payments_settle(
        total=sale.total, workspace=workspace, currency=workspace.currency, payments=sale.payments
    )
    return _Prepared(sale, lines, discounts, totals, payments, change)


def _record(
    prepared: _Prepared, *, workspace: Workspace, access: Access, device_id: str, known: _Known
) -> PosInvoice:
    """The sale as a completed invoice of its store's open session, numbered now: one transaction."""
    sale, totals = prepared.sale, prepared.totals
    with all_or_nothing():  # its own transaction; the services below join it without a savepoint
        session = share_open_session_of_store(workspace_id=workspace.pk, store_id=sale.store_id)
        if session is None:
            raise ApplicationError(
                _("The store has no open business session: open the day, then send the sale again."),
                code=error_codes.NO_OPEN_SESSION,
            )
        number = number_next(workspace=workspace, series=POS_SERIES)
        now = timezone.now()
        mismatch = sale.total != totals.total
        order_status = (
            known.order_statuses[sale.order_status_id]
            if sale.order_status_id is not None
            else known.default_status
        )
        invoice = PosInvoice(
            workspace=workspace,
            store_id=sale.store_id,
            session=session,
            business_date=session.business_date,
            client=None if sale.client_id is None else Client(pk=sale.client_id, workspace_id=workspace.pk),
            number=number,
            public_id=format_number(POS_SERIES, number),
            status=PosInvoice.Status.COMPLETED,
            order_status=order_status,
            currency=workspace.currency,
            subtotal=totals.subtotal,
            discount_total=totals.discount_total,
            tax_total=totals.tax_total,
            total=totals.total,
            paid_total=sum((p.amount for p in prepared.payments), Decimal(0)),
            change_due=prepared.change,
            stock_deducted_at=now,
            completed_at=sale.completed_at,
            created_at=sale.created_at,
            created_by=access.user,
            created_by_api_key=access.api_key,
            created_by_type=actor_type(access),
            offline=True,
            client_ref=sale.client_ref,
            device_ref=device_id,
            synced_at=now,
            offline_total=sale.total if mismatch else None,
            total_mismatch=mismatch,
        )
        invoice.save(force_insert=True)
        for row in (*prepared.lines, *prepared.discounts):
            row.invoice = invoice
        items = PosInvoiceItem.objects.bulk_create(prepared.lines)
        discounts = PosInvoiceDiscount.objects.bulk_create(prepared.discounts) if prepared.discounts else []
        payments = PosPayment.objects.bulk_create(
            PosPayment(workspace_id=workspace.pk, invoice=invoice, method=p.method, amount=p.amount)
            for p in prepared.payments
        )
        log_event(invoice, "synced", access, {"deviceId": device_id, "tillTotal": str(sale.total)})
        if session.zatca_device:  # signed and chained on arrival: the server is the device (section 8b)
            sign_sale(invoice, items, discounts, payments)
        taken: dict[int, Decimal] = {}
        for item in items:  # a product deleted since is still taken out, as the till sold it
            if known.products[item.product_id].track_stock:
                taken[item.product_id] = taken.get(item.product_id, Decimal(0)) + item.quantity
        movements = stock_deduct_sold(
            workspace=workspace,
            store=store_of(invoice),
            source_type=STOCK_SOURCE,
            source_id=invoice.pk,
            taken=taken,
            actor=access,
        )
        if any(movement.stock_short for movement in movements):
            invoice.stock_short = True
            PosInvoice.objects.filter(pk=invoice.pk).update(stock_short=True)
    keep_rows(invoice, items=items, discounts=discounts, payments=payments)
    return invoice


def _existing(workspace: Workspace, refs: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The invoices already made from these references: reference → invoice id."""
    return dict(
        PosInvoice.objects.filter(workspace=workspace, client_ref__in=refs).values_list("client_ref", "pk")
    )


def sales_sync(
    *,
    workspace: Workspace,
    access: Access,
    device_id: str,
    sales: Sequence[OfflineSale | ApplicationError],
) -> list[SyncResult]:
    """One result per sale, in order. A sale the caller could not read is passed as its `ApplicationError` and
    answered `rejected` (its `client_ref` None: the caller echoes what was sent).

    Needs `store.orders.manage`. Must not run inside a transaction that rolls back on a sale's refusal: each sale
    commits on its own."""
    access.require(codes.STORE_ORDERS_MANAGE)
    if len(sales) > MAX_SALES:  # the view answers 413 before this; a caller of the service is held to it too
        raise ApplicationError(
            _("At most %(max)d sales per request.") % {"max": MAX_SALES},
            code="payload_too_large",
            status=413,
            details={"max": MAX_SALES, "sales": len(sales)},
        )
    readable = [sale for sale in sales if isinstance(sale, OfflineSale)]
    known = _known(workspace, readable)
    made = _existing(workspace, [sale.client_ref for sale in readable])
    results = []
    for sale in sales:
        if isinstance(sale, ApplicationError):
            results.append(SyncResult(client_ref=None, status=REJECTED, error=sale))
            continue
        if sale.client_ref in made:
            results.append(SyncResult(sale.client_ref, DUPLICATE, invoice_id=made[sale.client_ref]))
            continue
        try:
            prepared = _prepare(sale, known, workspace)
            invoice = _record(prepared, workspace=workspace, access=access, device_id=device_id, known=known)
        except ApplicationError as error:
            results.append(SyncResult(sale.client_ref, REJECTED, error=error))
            continue
        except IntegrityError:
            # A concurrent request recorded this reference first: its invoice is the sale's.
            first = _existing(workspace, [sale.client_ref]).get(sale.client_ref)
            if first is None:
                raise
            made[sale.client_ref] = first
            results.append(SyncResult(sale.client_ref, DUPLICATE, invoice_id=first))
            continue
        made[sale.client_ref] = invoice.pk
        results.append(SyncResult(sale.client_ref, CREATED, invoice=invoice, invoice_id=invoice.pk))
    return results
