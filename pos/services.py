"""POS writes: business sessions, order statuses, invoices, completion and cancellation.

Locks are always taken in one order: the business session, then the invoice, then (through the invoicing core)
the document counter or the stock levels. Creating, completing and closing lock the session row, so a day cannot
close while an invoice is being created or completed in it, and every completion sees the session as it is.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.calculations import CalculationError, DiscountInput, LineInput, TaxInput, calculate_document
from invoicing.models import Product
from invoicing.money import has_at_most_places, minor_unit
from invoicing.numbering import POS_SERIES, format_number, number_next
from invoicing.services import StockLine, stock_deduct_for_document, stock_restore_for_document
from pos import error_codes
from pos.models import (
    ActorType,
    BusinessSession,
    OrderStatus,
    PosInvoice,
    PosInvoiceDiscount,
    PosInvoiceEvent,
    PosInvoiceItem,
    PosPayment,
)
from workspaces import codes
from workspaces.api.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailed
from workspaces.models import Client, Store, Workspace
from workspaces.tenancy import Access, permission_denied

STOCK_SOURCE = "pos_invoice"
PAYMENT_METHODS = tuple(PosPayment.Method.values)


def workspace_today(workspace: Workspace) -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(workspace.timezone)).date()


def actor_type(access: Access) -> str:
    if access.api_key is not None:
        return ActorType.API_KEY
    return ActorType.OWNER if access.is_owner else ActorType.STAFF


def _amount_places(workspace: Workspace, value: Decimal, field: str) -> None:
    places = minor_unit(workspace.currency)
    if not has_at_most_places(value, places):
        raise ValidationFailed({field: [_("At most %(places)d decimal places.") % {"places": places}]})


# --- Business sessions ---------------------------------------------------------------------------------------


def default_store(*, workspace: Workspace, access: Access) -> Store:
    """The only store; else the member's default store; else the caller must say (400 `store_required`)."""
    stores = list(Store.objects.filter(workspace=workspace).order_by("pk")[:2])
    if len(stores) == 1:
        return stores[0]
    if access.membership is not None and access.membership.store_id is not None:
        return Store.objects.get(pk=access.membership.store_id)
    raise ApplicationError(
        _("This workspace has several stores: say which one (storeId)."),
        code=error_codes.STORE_REQUIRED,
        status=400,
    )


@transaction.atomic
def session_open(
    *,
    workspace: Workspace,
    access: Access,
    store: Store | None,
    opening_cash: Decimal,
    business_date: dt.date | None,
) -> BusinessSession:
    """Opens the store's day. At most one open session per store: the database's partial unique index decides."""
    if store is None:
        store = default_store(workspace=workspace, access=access)
    if opening_cash < 0:
        raise ValidationFailed({"openingCash": [_("Must be zero or more.")]})
    _amount_places(workspace, opening_cash, "openingCash")
    already_open = ConflictError(
        _("This store already has an open business session."), code=error_codes.SESSION_ALREADY_OPEN
    )
    if BusinessSession.objects.filter(
        workspace=workspace, store=store, status=BusinessSession.Status.OPEN
    ).exists():
        raise already_open
    try:
        with transaction.atomic():
            return BusinessSession.objects.create(
                workspace=workspace,
                store=store,
                business_date=business_date or workspace_today(workspace),
                opening_cash=opening_cash,
                opened_by=access.user,
                opened_by_api_key=access.api_key,
                opened_by_type=actor_type(access),
            )
    except IntegrityError as exc:  # a concurrent open of the same store won
        raise already_open from exc


def _lock_session(session_id: int) -> BusinessSession:
    return BusinessSession.objects.select_for_update().get(pk=session_id)


def session_summary(*, session: BusinessSession, counted_cash: Decimal | None) -> dict[str, Any]:
    """The Z-report: counts by status, completed sales, payments by method, expected and counted cash."""
    invoices = PosInvoice.objects.filter(session=session)
    counts = {status: 0 for status in PosInvoice.Status.values}
    for row in invoices.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    completed = invoices.filter(status=PosInvoice.Status.COMPLETED)
    sums = completed.aggregate(
        gross=Sum("subtotal"),
        discounts=Sum("discount_total"),
        tax=Sum("tax_total"),
        net=Sum("total"),
        change=Sum("change_due"),
    )
    zero = Decimal(0)
    payments = {method: zero for method in PAYMENT_METHODS}
    for row in (
        PosPayment.objects.filter(invoice__in=completed).values("method").annotate(total=Sum("amount"))
    ):
        payments[row["method"]] = row["total"]
    expected_cash = session.opening_cash + payments["cash"] - (sums["change"] or zero)
    return {
        "invoiceCounts": counts,
        "grossSales": sums["gross"] or zero,
        "discountTotal": sums["discounts"] or zero,
        "taxTotal": sums["tax"] or zero,
        "netSales": sums["net"] or zero,
        "payments": payments,
        "expectedCash": expected_cash,
        "countedCash": counted_cash,
        "cashDifference": None if counted_cash is None else counted_cash - expected_cash,
    }


@transaction.atomic
def session_close(
    *, session: BusinessSession, access: Access, closing_cash: Decimal | None, cancel_drafts: bool
) -> BusinessSession:
    """Closes the day and stores its Z-report. Drafts block closing (422 `drafts_open` naming them) unless
    `cancel_drafts`, which cancels them first."""
    session = _lock_session(session.pk)
    if session.status != BusinessSession.Status.OPEN:
        raise ApplicationError(_("This business session is already closed."), code=error_codes.SESSION_CLOSED)
    if closing_cash is not None:
        if closing_cash < 0:
            raise ValidationFailed({"closingCash": [_("Must be zero or more.")]})
        _amount_places(session.workspace, closing_cash, "closingCash")
    drafts = list(
        PosInvoice.objects.select_for_update()
        .filter(session=session, status=PosInvoice.Status.DRAFT)
        .order_by("pk")
    )
    if drafts and not cancel_drafts:
        raise ApplicationError(
            _("Draft invoices are still open in this session."),
            code=error_codes.DRAFTS_OPEN,
            details={"draftIds": [str(invoice.pk) for invoice in drafts]},
        )
    now = timezone.now()
    for invoice in drafts:
        invoice.status = PosInvoice.Status.CANCELLED
        invoice.cancelled_at = now
        invoice.cancel_reason = _("Cancelled when the day was closed.")
    if drafts:
        PosInvoice.objects.bulk_update(drafts, ["status", "cancelled_at", "cancel_reason", "updated_at"])
        _log_many(drafts, "cancelled", access, {"reason": "session_closed"})
    session.status = BusinessSession.Status.CLOSED
    session.closing_cash = closing_cash
    session.closed_at = now
    session.closed_by = access.user
    session.closed_by_api_key = access.api_key
    session.closed_by_type = actor_type(access)
    session.summary = session_summary(session=session, counted_cash=closing_cash)
    session.save()
    return session


# --- Order statuses ------------------------------------------------------------------------------------------

ORDER_STATUS_FIELDS = ("label_ar", "label_en", "color", "position")


@transaction.atomic
def order_status_save(
    *, workspace: Workspace, status: OrderStatus | None, data: dict[str, Any]
) -> OrderStatus:
    """Creates or updates a status; making one the default unsets the previous default in the same transaction."""
    status = status or OrderStatus(workspace=workspace)
    for name in ORDER_STATUS_FIELDS:
        if name in data:
            setattr(status, name, data[name])
    if "is_default" in data:
        if data["is_default"]:
            OrderStatus.objects.filter(workspace=workspace, is_default=True).exclude(pk=status.pk).update(
                is_default=False
            )
        status.is_default = data["is_default"]
    status.save()
    return status


def order_status_delete(*, status: OrderStatus) -> None:
    """Invoices that showed it keep no status (SET_NULL)."""
    status.delete()


# --- Invoices ------------------------------------------------------------------------------------------------


def _log(invoice: PosInvoice, action: str, access: Access | None, data: dict[str, Any] | None = None) -> None:
    PosInvoiceEvent.objects.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        action=action,
        data=data or {},
        user=access.user if access else None,
        api_key=access.api_key if access else None,
    )


def _log_many(invoices: Sequence[PosInvoice], action: str, access: Access, data: dict[str, Any]) -> None:
    PosInvoiceEvent.objects.bulk_create(
        PosInvoiceEvent(
            workspace_id=invoice.workspace_id,
            invoice=invoice,
            action=action,
            data=data,
            user=access.user,
            api_key=access.api_key,
        )
        for invoice in invoices
    )


def _session_for_new_invoice(*, workspace: Workspace, access: Access, store: Store | None) -> BusinessSession:
    no_session = ApplicationError(
        _("No open POS business session: the workspace owner must open the day first."),
        code=error_codes.NO_OPEN_SESSION,
    )
    open_sessions = BusinessSession.objects.filter(workspace=workspace, status=BusinessSession.Status.OPEN)
    if store is not None:
        session = open_sessions.filter(store=store).first()
        if session is None:
            raise no_session
        return session
    sessions = list(open_sessions.order_by("pk")[:2])
    if not sessions:
        raise no_session
    if len(sessions) == 1:
        return sessions[0]
    default_store_id = access.membership.store_id if access.membership else None
    session = open_sessions.filter(store_id=default_store_id).first() if default_store_id else None
    if session is None:
        raise ApplicationError(
            _("Several stores have an open session: say which one (storeId)."),
            code=error_codes.STORE_REQUIRED,
            status=400,
        )
    return session


@transaction.atomic
def invoice_create(
    *, workspace: Workspace, access: Access, client: Client, store: Store | None
) -> PosInvoice:
    """A draft in the store's open session, numbered gaplessly (`POS-001`), with the client's discount line."""
    session = _session_for_new_invoice(workspace=workspace, access=access, store=store)
    session = _lock_session(session.pk)
    if session.status != BusinessSession.Status.OPEN:  # closed while we looked
        raise ApplicationError(_("No open POS business session."), code=error_codes.NO_OPEN_SESSION)
    number = number_next(workspace=workspace, series=POS_SERIES)
    invoice = PosInvoice.objects.create(
        workspace=workspace,
        store_id=session.store_id,
        session=session,
        business_date=session.business_date,
        client=client,
        number=number,
        public_id=format_number(POS_SERIES, number),
        order_status=OrderStatus.objects.filter(workspace=workspace, is_default=True).first(),
        currency=workspace.currency,
        created_by=access.user,
        created_by_api_key=access.api_key,
        created_by_type=actor_type(access),
    )
    if client.has_active_pos_discount:
        PosInvoiceDiscount.objects.create(
            workspace=workspace,
            invoice=invoice,
            source=PosInvoiceDiscount.Source.CLIENT,
            type=client.pos_discount_type,
            value=client.pos_discount_value,
        )
    _log(invoice, "created", access)
    return invoice


def _lock_invoice(invoice: PosInvoice) -> PosInvoice:
    return PosInvoice.objects.select_for_update().select_related("workspace").get(pk=invoice.pk)


def _require_draft(invoice: PosInvoice) -> None:
    if not invoice.is_draft:
        raise ApplicationError(
            _("Only a draft invoice can be changed; this one is %(status)s.")
            % {"status": invoice.get_status_display()},
            code=error_codes.INVOICE_NOT_DRAFT,
        )


def item_line_input(item: PosInvoiceItem) -> LineInput:
    taxes = tuple(
        TaxInput(key=tax["id"], rate=Decimal(str(tax["rate"])), inclusive=tax["inclusive"])
        for tax in item.taxes
    )
    return LineInput(quantity=item.quantity, unit_price=item.unit_price, taxes=taxes)


def recalculate(invoice: PosInvoice) -> None:
    """Every figure of the invoice from the one totals calculator: lines, discount amounts, totals.

    A fixed number of queries whatever the number of lines (one read and one bulk write per table).
    """
    items = list(PosInvoiceItem.objects.filter(invoice=invoice).order_by("pk"))
    discounts = list(PosInvoiceDiscount.objects.filter(invoice=invoice).order_by("pk"))
    try:
        totals = calculate_document(
            lines=[item_line_input(item) for item in items],
            discounts=[DiscountInput(type=d.type, value=d.value) for d in discounts],
            currency=invoice.currency,
        )
    except CalculationError as exc:
        raise ValidationFailed({exc.field or "items": [str(exc)]}) from exc
    for item, line in zip(items, totals.lines, strict=True):
        item.subtotal, item.discount_amount = line.subtotal, line.discount_amount
        item.tax_amount, item.total = line.tax_amount, line.total
    if items:
        PosInvoiceItem.objects.bulk_update(items, ["subtotal", "discount_amount", "tax_amount", "total"])
    for discount, amount in zip(discounts, totals.discounts, strict=True):
        discount.amount = amount
    if discounts:
        PosInvoiceDiscount.objects.bulk_update(discounts, ["amount"])
    invoice.subtotal = totals.subtotal
    invoice.discount_total = totals.discount_total
    invoice.tax_total = totals.tax_total
    invoice.total = totals.total
    invoice.save(update_fields=["subtotal", "discount_total", "tax_total", "total", "updated_at"])


def _check_quantity(quantity: Decimal) -> None:
    if quantity <= 0:
        raise ValidationFailed({"quantity": [_("A quantity is more than zero.")]})


def _check_unit_price(unit_price: Decimal) -> None:
    if unit_price < 0:
        raise ValidationFailed({"unitPrice": [_("Must be zero or more.")]})


@transaction.atomic
def invoice_add_item(
    *,
    invoice: PosInvoice,
    access: Access,
    product: Product,
    quantity: Decimal,
    unit_price: Decimal | None,
    note: str,
) -> PosInvoice:
    """A new line, even for a product already on the invoice; its taxes are copied from the product now."""
    invoice = _lock_invoice(invoice)
    _require_draft(invoice)
    _check_quantity(quantity)
    price = product.price if unit_price is None else unit_price
    _check_unit_price(price)
    PosInvoiceItem.objects.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        product=product,
        name=product.name,
        sku=product.sku,
        quantity=quantity,
        unit_price=price,
        taxes=[
            {"id": tax.pk, "name": tax.name, "rate": str(tax.rate), "inclusive": tax.inclusive}
            for tax in product.taxes.all()
        ],
        note=note,
    )
    recalculate(invoice)
    _log(
        invoice,
        "item_added",
        access,
        {"productId": product.pk, "quantity": str(quantity), "unitPrice": str(price)},
    )
    return invoice


@transaction.atomic
def invoice_update_item(
    *, invoice: PosInvoice, access: Access, item_id: int, data: dict[str, Any]
) -> PosInvoice:
    invoice = _lock_invoice(invoice)
    item = _item_of(invoice, item_id)
    _require_draft(invoice)
    if "quantity" in data:
        _check_quantity(data["quantity"])
        item.quantity = data["quantity"]
    if "unit_price" in data:
        _check_unit_price(data["unit_price"])
        item.unit_price = data["unit_price"]
    if "note" in data:
        item.note = data["note"]
    item.save(update_fields=["quantity", "unit_price", "note"])
    recalculate(invoice)
    _log(invoice, "item_changed", access, {"itemId": item.pk, **{k: str(v) for k, v in data.items()}})
    return invoice


@transaction.atomic
def invoice_remove_item(*, invoice: PosInvoice, access: Access, item_id: int) -> PosInvoice:
    invoice = _lock_invoice(invoice)
    item = _item_of(invoice, item_id)
    _require_draft(invoice)
    item.delete()
    recalculate(invoice)
    _log(invoice, "item_removed", access, {"itemId": item_id, "productId": item.product_id})
    return invoice


def _item_of(invoice: PosInvoice, item_id: int) -> PosInvoiceItem:
    item = PosInvoiceItem.objects.filter(invoice=invoice, pk=item_id).first()
    if item is None:
        raise NotFoundError(_("Item not found."))
    return item


@transaction.atomic
def invoice_add_discount(
    *, invoice: PosInvoice, access: Access, type: str, value: Decimal, reason: str
) -> PosInvoice:
    """A manual document discount: a percent (0-100) of the subtotal after line discounts, or a fixed amount."""
    invoice = _lock_invoice(invoice)
    _require_draft(invoice)
    if value < 0:
        raise ValidationFailed({"value": [_("Must be zero or more.")]})
    if type == PosInvoiceDiscount.Type.PERCENT and value > 100:
        raise ValidationFailed({"value": [_("A percent is at most 100.")]})
    if type == PosInvoiceDiscount.Type.FIXED:
        _amount_places(invoice.workspace, value, "value")
    PosInvoiceDiscount.objects.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        source=PosInvoiceDiscount.Source.MANUAL,
        type=type,
        value=value,
        reason=reason,
    )
    recalculate(invoice)
    _log(invoice, "discount_added", access, {"type": type, "value": str(value), "reason": reason})
    return invoice


@transaction.atomic
def invoice_remove_discount(*, invoice: PosInvoice, access: Access, discount_id: int) -> PosInvoice:
    invoice = _lock_invoice(invoice)
    discount = PosInvoiceDiscount.objects.filter(invoice=invoice, pk=discount_id).first()
    if discount is None:
        raise NotFoundError(_("Discount not found."))
    _require_draft(invoice)
    discount.delete()
    recalculate(invoice)
    _log(invoice, "discount_removed", access, {"discountId": discount_id, "source": discount.source})
    return invoice


@transaction.atomic
def invoice_set_order_status(
    *, invoice: PosInvoice, access: Access, order_status: OrderStatus | None
) -> PosInvoice:
    """Allowed in any status: the kitchen follows completed orders too."""
    invoice = _lock_invoice(invoice)
    invoice.order_status = order_status
    invoice.save(update_fields=["order_status", "updated_at"])
    _log(invoice, "order_status_set", access, {"orderStatusId": order_status.pk if order_status else None})
    return invoice


@dataclass(frozen=True)
class PaymentInput:
    method: str
    amount: Decimal


def _settle(
    invoice: PosInvoice, payments: Sequence[PaymentInput] | None
) -> tuple[list[PaymentInput], Decimal]:
    """Payments that cover the total; only cash may exceed it, the excess being the change (else 422)."""
    total = invoice.total
    if payments is None:
        return ([PaymentInput(PosPayment.Method.CASH, total)] if total > 0 else []), Decimal(0)
    for index, payment in enumerate(payments):
        if payment.amount <= 0:
            raise ValidationFailed({f"payments.{index}.amount": [_("A payment is more than zero.")]})
        _amount_places(invoice.workspace, payment.amount, f"payments.{index}.amount")
    paid = sum((p.amount for p in payments), Decimal(0))
    cash = sum((p.amount for p in payments if p.method == PosPayment.Method.CASH), Decimal(0))
    change = paid - total
    if change < 0 or change > cash:
        raise ApplicationError(
            _("Payments must cover the total (%(total)s); only cash may exceed it.") % {"total": total},
            code=error_codes.PAYMENT_MISMATCH,
            details={"total": total, "paid": paid},
        )
    return list(payments), change


@transaction.atomic
def invoice_complete(
    *, invoice: PosInvoice, access: Access, payments: Sequence[PaymentInput] | None
) -> PosInvoice:
    """Completes a draft: payments recorded, stock taken out of the session's store exactly once.

    Locks the session, then the invoice, then (in the stock service) the stock levels in primary-key order. A
    retry or a race finds the invoice completed (422 `invoice_not_draft`) and deducts nothing again; the stock
    ledger's unique constraint backs that up.
    """
    session = _lock_session(invoice.session_id)
    invoice = _lock_invoice(invoice)
    _require_draft(invoice)
    if session.status != BusinessSession.Status.OPEN:
        raise ApplicationError(
            _("This invoice's business session is closed."), code=error_codes.NO_OPEN_SESSION
        )
    items = list(PosInvoiceItem.objects.filter(invoice=invoice).order_by("pk"))
    if not items:
        raise ApplicationError(_("Add at least one item before completing."), code=error_codes.INVOICE_EMPTY)
    settled, change = _settle(invoice, payments)
    stock_deduct_for_document(
        workspace=invoice.workspace,
        store=session.store,
        source_type=STOCK_SOURCE,
        source_id=invoice.pk,
        lines=[StockLine(product_id=item.product_id, quantity=item.quantity) for item in items],
        actor=access,
    )
    PosPayment.objects.bulk_create(
        PosPayment(workspace_id=invoice.workspace_id, invoice=invoice, method=p.method, amount=p.amount)
        for p in settled
    )
    now = timezone.now()
    invoice.status = PosInvoice.Status.COMPLETED
    invoice.paid_total = sum((p.amount for p in settled), Decimal(0))
    invoice.change_due = change
    invoice.completed_at = now
    invoice.stock_deducted_at = now
    invoice.save(
        update_fields=[
            "status",
            "paid_total",
            "change_due",
            "completed_at",
            "stock_deducted_at",
            "updated_at",
        ]
    )
    _log(
        invoice,
        "completed",
        access,
        {"payments": [{"method": p.method, "amount": str(p.amount)} for p in settled]},
    )
    return invoice


@transaction.atomic
def invoice_cancel(*, invoice: PosInvoice, access: Access, reason: str) -> PosInvoice:
    """Cancels a draft; voids a completed invoice (needs `pos.invoices.void`) and puts its stock back once.

    Voiding after the session closed is allowed and leaves that session's stored Z-report as it was.
    """
    invoice = _lock_invoice(invoice)
    if invoice.status == PosInvoice.Status.CANCELLED:
        raise ApplicationError(_("This invoice is already cancelled."), code=error_codes.INVOICE_NOT_DRAFT)
    was_completed = invoice.status == PosInvoice.Status.COMPLETED
    if was_completed:
        if not access.has(codes.POS_INVOICES_VOID):
            raise permission_denied(codes.POS_INVOICES_VOID)
        stock_restore_for_document(
            workspace=invoice.workspace,
            store=Store.objects.get(pk=invoice.store_id),
            source_type=STOCK_SOURCE,
            source_id=invoice.pk,
            actor=access,
        )
    invoice.status = PosInvoice.Status.CANCELLED
    invoice.cancelled_at = timezone.now()
    invoice.cancel_reason = reason
    invoice.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    _log(invoice, "voided" if was_completed else "cancelled", access, {"reason": reason})
    return invoice
