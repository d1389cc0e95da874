"""Completing a sale (payments, stock out exactly once) and cancelling or voiding one (stock back once).

Lock order: the session (`FOR SHARE`: tills complete at once, a close waits for them), then the invoice, then
(in the invoicing core) the stock levels in primary-key order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing import limits
from invoicing.money import quantize_money
from invoicing.services import StockLine, stock_deduct_for_document, stock_restore_for_document
from pos import error_codes
from pos.einvoicing import is_signed, sign_sale
from pos.locks import share_session_of_invoice
from pos.models import BusinessSession, PosInvoice, PosPayment, PosReturn
from pos.selectors import keep_rows
from pos.services.common import (
    STOCK_SOURCE,
    amount_places_check,
    discounts_of,
    invoice_locked,
    invoice_locked_with_items,
    log_event,
    require_draft,
    store_of,
)
from workspaces import codes
from workspaces.errors import ApplicationError, NotFoundError, ValidationFailed
from workspaces.models import Workspace
from workspaces.tenancy import Access
from workspaces.transactions import atomic


@dataclass(frozen=True)
class PaymentInput:
    method: str
    amount: Decimal


def payments_settle(
    *, total: Decimal, workspace: Workspace, currency: str, payments: Sequence[PaymentInput] | None
) -> tuple[list[PaymentInput], Decimal]:
    """Payments that cover `total`; only cash may exceed it, the excess being the change (else 422). None: the
    total in cash. Each amount is more than zero, in the currency's digits."""
    if payments is None:
        return ([PaymentInput(PosPayment.Method.CASH, total)] if total > 0 else []), Decimal(0)
    for index, payment in enumerate(payments):
        if payment.amount <= 0:
            raise ValidationFailed({f"payments.{index}.amount": [_("The payment must be more than zero.")]})
        amount_places_check(workspace, payment.amount, f"payments.{index}.amount")
    paid = sum((p.amount for p in payments), Decimal(0))
    cash = sum((p.amount for p in payments if p.method == PosPayment.Method.CASH), Decimal(0))
    change = paid - total
    if change < 0 or change > cash:
        raise ApplicationError(
            _("The payments (%(paid)s) must cover the total (%(total)s); only cash may exceed it.")
            % {"paid": quantize_money(paid, currency), "total": quantize_money(total, currency)},
            code=error_codes.PAYMENT_MISMATCH,
            details={"total": total, "paid": paid},
        )
    return list(payments), change


@atomic
def invoice_complete(
    *, invoice: PosInvoice, access: Access, payments: Sequence[PaymentInput] | None
) -> PosInvoice:
    """Completes a draft: payments recorded, stock taken out of the session's store exactly once.

    Locks the session `FOR SHARE` (other tills complete at once; a close waits), then the invoice, then (in the
    stock service) the stock levels in primary-key order. Only the invoice's id and workspace are read from
    `invoice`; the one returned carries its lines, discounts and payments for the answer. A
    retry or a race finds the invoice completed (422 `invoice_not_draft`) and deducts nothing again; the stock
    ledger's unique constraint backs that up. Needs `store.orders.manage`.
    """
    access.require(codes.STORE_ORDERS_MANAGE)
    session = share_session_of_invoice(invoice_id=invoice.pk, workspace_id=invoice.workspace_id)
    if session is None:
        raise NotFoundError(_("Invoice not found."))
    invoice, items = invoice_locked_with_items(invoice)
    require_draft(invoice)
    if session.status != BusinessSession.Status.OPEN:
        raise ApplicationError(
            _("This invoice's business session is closed."), code=error_codes.NO_OPEN_SESSION
        )
    if not items:
        raise ApplicationError(_("Add at least one item before completing."), code=error_codes.INVOICE_EMPTY)
    discounts = discounts_of(invoice)  # for the answer
    limits.payments_check(len(payments or ()))
    settled, change = payments_settle(
        total=invoice.total, workspace=invoice.workspace, currency=invoice.currency, payments=payments
    )
    recorded = PosPayment.objects.bulk_create(
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
    log_event(
        invoice,
        "completed",
        access,
        {"payments": [{"method": p.method, "amount": str(p.amount)} for p in settled]},
    )
    if session.zatca_device:  # signed in this transaction, the device row locked (section 8b)
        sign_sale(invoice, items, discounts, recorded)
    # The stock last: its level rows, which every sale of the store needs, are held from here to the commit only.
    stock_deduct_for_document(
        workspace=invoice.workspace,
        store=store_of(invoice),
        source_type=STOCK_SOURCE,
        source_id=invoice.pk,
        lines=[StockLine(product_id=item.product_id, quantity=item.quantity) for item in items],
        actor=access,
    )
    keep_rows(invoice, items=items, discounts=discounts, payments=recorded)
    return invoice


@atomic
def invoice_cancel(*, invoice: PosInvoice, access: Access, reason: str) -> PosInvoice:
    """Cancels a draft; voids a completed invoice and puts its stock back once. Both need
    `store.orders.manage`, voiding `pos.invoices.void` too (PRODUCT.md section 3).

    Voiding after the session closed is allowed and leaves that session's stored Z-report as it was.
    """
    access.require(codes.STORE_ORDERS_MANAGE)
    invoice = invoice_locked(invoice)
    if invoice.status == PosInvoice.Status.CANCELLED:
        raise ApplicationError(_("This invoice is already cancelled."), code=error_codes.INVOICE_NOT_DRAFT)
    was_completed = invoice.status == PosInvoice.Status.COMPLETED
    if was_completed:
        access.require(codes.POS_INVOICES_VOID)
        if PosReturn.objects.filter(invoice_id=invoice.pk).exists():
            raise ApplicationError(
                _("This sale has returns: refund what is left by a return instead of voiding it."),
                code=error_codes.INVOICE_HAS_RETURNS,
            )
        if is_signed(invoice):
            raise ApplicationError(
                _(
                    "This sale is signed and reported to ZATCA: refund it with a return (a credit note) instead."
                ),
                code=error_codes.INVOICE_SIGNED,
            )
        stock_restore_for_document(
            workspace=invoice.workspace,
            store=store_of(invoice),
            source_type=STOCK_SOURCE,
            source_id=invoice.pk,
            actor=access,
        )
    invoice.status = PosInvoice.Status.CANCELLED
    invoice.cancelled_at = timezone.now()
    invoice.cancel_reason = reason
    invoice.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    log_event(invoice, "voided" if was_completed else "cancelled", access, {"reason": reason})
    return invoice
