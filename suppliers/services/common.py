"""What the supplier services share: the permission and tenancy checks, amounts in the currency's digits, the
balance rule."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Model
from django.utils.translation import gettext as _

from invoicing.money import has_at_most_places, minor_unit
from suppliers import error_codes, locks
from suppliers.models import SupplierInvoice
from workspaces import codes
from workspaces.errors import ApplicationError, NotFoundError, ValidationFailed
from workspaces.models import Workspace
from workspaces.tenancy import Access


def require_manage(workspace: Workspace, access: Access) -> None:
    """Every supplier write needs `suppliers.manage` and the workspace's suppliers section (403
    `suppliers_disabled` when it is off), as the API's, whatever door the caller came through."""
    access.require(codes.SUPPLIERS_MANAGE)
    if not workspace.suppliers_enabled:
        raise ApplicationError(
            _("The suppliers section is turned off for this workspace."),
            code=error_codes.SUPPLIERS_DISABLED,
            status=403,
        )


def require_same_workspace(workspace: Workspace, *rows: Model) -> None:
    """A row of another workspace is treated as one that does not exist."""
    for row in rows:
        if row.workspace_id != workspace.pk:
            raise NotFoundError(_("%(model)s not found.") % {"model": row._meta.verbose_name.capitalize()})


def amount_check(currency: str, value: Decimal, field: str, *, positive: bool = False) -> None:
    places = minor_unit(currency)
    if not has_at_most_places(value, places):
        raise ValidationFailed(
            {field: [_("The amount can have at most %(places)d decimal places.") % {"places": places}]}
        )
    if positive and value <= 0:
        raise ValidationFailed({field: [_("The amount must be more than zero.")]})
    if not positive and value < 0:
        raise ValidationFailed({field: [_("The amount must be zero or more.")]})


def apply_balance(invoice: SupplierInvoice, paid: Decimal) -> None:
    """Sets paid, remaining and status from the sum of the payments (a total of 0 is `paid`).

    The one place where remaining = total - paid is computed: in Decimal, in Python, never in SQL (SQLite would
    subtract binary floats), and every write of an invoice's balance (create, update, each payment added or
    removed) comes through here. Below zero is refused by the callers first and by the database's check."""
    invoice.paid_amount = paid
    invoice.remaining_amount = invoice.total_amount - paid
    if invoice.remaining_amount == 0:
        invoice.status = SupplierInvoice.Status.PAID
    elif paid == 0:
        invoice.status = SupplierInvoice.Status.PENDING
    else:
        invoice.status = SupplierInvoice.Status.PARTIALLY_PAID


def locked_invoice(invoice: SupplierInvoice) -> SupplierInvoice:
    """The invoice re-read under its row lock (the only way its balance is changed); 404 if deleted meanwhile."""
    locked = locks.lock_invoice(invoice.pk)
    if locked is None:
        raise NotFoundError(_("Invoice not found."))
    return locked
