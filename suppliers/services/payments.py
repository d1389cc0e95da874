"""Payments on supplier invoices.

Invariants: every change of an invoice's payments runs under that invoice's row lock (`suppliers.locks`), and
`paid_amount`, `remaining_amount` and `status` are recomputed from the sum of its payments in the same
transaction, so they always agree with the payments and `remaining_amount` never goes below zero, however many
payments arrive at once. Amounts have at most the currency's minor digits; no rounding happens here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing import limits
from invoicing.money import quantize_money
from suppliers import error_codes
from suppliers.models import SupplierInvoice, SupplierPayment
from suppliers.services.common import (
    amount_check,
    apply_balance,
    locked_invoice,
    require_manage,
    require_same_workspace,
)
from workspaces.errors import ApplicationError, NotFoundError
from workspaces.models import Workspace
from workspaces.tenancy import Access


def _rebalance(invoice: SupplierInvoice) -> None:
    # Added up here in Decimal, not by SQL's SUM (binary floats on SQLite); at most 20 rows (invoicing.limits).
    amounts = list(SupplierPayment.objects.filter(invoice=invoice).values_list("amount", flat=True))
    limits.payments_check(len(amounts))  # under the invoice's lock: a refused payment rolls back
    apply_balance(invoice, sum(amounts, Decimal(0)))
    invoice.save(update_fields=["paid_amount", "remaining_amount", "status", "updated_at"])


@transaction.atomic
def supplier_payment_add(
    *,
    workspace: Workspace,
    access: Access,
    invoice: SupplierInvoice,
    amount: Decimal,
    paid_at: dt.datetime | None = None,
    method: str | None = None,
    reference: str | None = None,
    notes: str | None = None,
) -> tuple[SupplierPayment, SupplierInvoice]:
    """Records a payment; more than the remaining amount is 422 `overpayment` and records nothing."""
    require_manage(workspace, access)
    require_same_workspace(workspace, invoice)
    invoice = locked_invoice(invoice)
    amount_check(invoice.currency, amount, "amount", positive=True)
    if amount > invoice.remaining_amount:
        raise ApplicationError(
            _("The payment is more than the %(remaining)s that remains to be paid.")
            % {"remaining": quantize_money(invoice.remaining_amount, invoice.currency)},
            code=error_codes.OVERPAYMENT,
            details={"remaining_amount": invoice.remaining_amount},
        )
    payment = SupplierPayment.objects.create(
        workspace=workspace,
        invoice=invoice,
        amount=amount,
        paid_at=paid_at or timezone.now(),
        method=method,
        reference=(reference or "").strip() or None,
        notes=(notes or "").strip() or None,
        created_by=access.user,
        created_by_api_key=access.api_key,
    )
    _rebalance(invoice)
    return payment, invoice


@transaction.atomic
def supplier_payment_remove(
    *, workspace: Workspace, access: Access, invoice: SupplierInvoice, payment_id: int
) -> SupplierInvoice:
    """Removes one payment of this invoice (another invoice's payment is a 404) and rebalances."""
    require_manage(workspace, access)
    require_same_workspace(workspace, invoice)
    invoice = locked_invoice(invoice)
    deleted, _rows = SupplierPayment.objects.filter(invoice=invoice, pk=payment_id).delete()
    if not deleted:
        raise NotFoundError(_("Payment not found."))
    _rebalance(invoice)
    return invoice
