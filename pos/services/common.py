"""What the POS services share: who acted, the audit trail, the draft rule, amounts in the currency's digits."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from invoicing.money import has_at_most_places, minor_unit
from pos import error_codes
from pos.locks import lock_invoice
from pos.models import PosInvoice, PosInvoiceDiscount, PosInvoiceEvent
from workspaces.errors import ApplicationError, NotFoundError, ValidationFailed
from workspaces.models import ActorType, Workspace
from workspaces.tenancy import Access

STOCK_SOURCE = "pos_invoice"


def actor_type(access: Access) -> str:
    if access.api_key is not None:
        return ActorType.API_KEY
    return ActorType.OWNER if access.is_owner else ActorType.STAFF


def amount_places_check(workspace: Workspace, value: Decimal, field: str) -> None:
    places = minor_unit(workspace.currency)
    if not has_at_most_places(value, places):
        raise ValidationFailed(
            {field: [_("The amount can have at most %(places)d decimal places.") % {"places": places}]}
        )


def log_event(
    invoice: PosInvoice, action: str, access: Access | None, data: dict[str, Any] | None = None
) -> None:
    PosInvoiceEvent.objects.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        action=action,
        data=data or {},
        user=access.user if access else None,
        api_key=access.api_key if access else None,
    )


def log_events(invoices: Sequence[PosInvoice], action: str, access: Access, data: dict[str, Any]) -> None:
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


def require_draft(invoice: PosInvoice) -> None:
    if not invoice.is_draft:
        raise ApplicationError(
            _("Only a draft invoice can be changed; this one is %(status)s.")
            % {"status": invoice.get_status_display()},
            code=error_codes.INVOICE_NOT_DRAFT,
        )


def invoice_locked(invoice: PosInvoice) -> PosInvoice:
    """The invoice read again under its row lock, in its own workspace: only `invoice.pk` and
    `invoice.workspace_id` are looked at, so a view hands over the ids from its path and the invoice is read once.
    Another workspace's or a vanished invoice is a `NotFoundError`."""
    locked = lock_invoice(invoice.pk, workspace_id=invoice.workspace_id)
    if locked is None:
        raise NotFoundError(_("Invoice not found."))
    return locked


def discounts_of(invoice: PosInvoice) -> list[PosInvoiceDiscount]:
    """The invoice's discounts in primary-key order; none read when its lock said it has none."""
    if not getattr(invoice, "has_discounts", True):
        return []
    return list(PosInvoiceDiscount.objects.filter(invoice=invoice).order_by("pk"))
