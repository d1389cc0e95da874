"""What the POS services share: who acted, the audit trail, the draft rule, amounts in the currency's digits."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from invoicing.money import has_at_most_places, minor_unit
from pos import error_codes
from pos.locks import SALE_STOCK_SOURCE, lock_invoice, lock_invoice_with_items
from pos.models import PosInvoice, PosInvoiceDiscount, PosInvoiceEvent, PosInvoiceItem
from workspaces.errors import ApplicationError, NotFoundError, ValidationFailed
from workspaces.models import ActorType, Store, Workspace
from workspaces.statements import insert
from workspaces.tenancy import Access

STOCK_SOURCE = SALE_STOCK_SOURCE


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
    insert(
        PosInvoiceEvent(
            workspace_id=invoice.workspace_id,
            invoice=invoice,
            action=action,
            data=data or {},
            user=access.user if access else None,
            api_key=access.api_key if access else None,
        )
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


def _workspace_of(invoice: PosInvoice) -> Workspace | None:
    """The workspace object the caller's invoice carries (a view's `invoice_ref`), if any: not read again."""
    return invoice.workspace if PosInvoice.workspace.is_cached(invoice) else None


def invoice_locked(invoice: PosInvoice) -> PosInvoice:
    """The invoice read again under its row lock, in its own workspace: only `invoice.pk` and
    `invoice.workspace_id` are looked at (and the workspace object, when it carries one), so a view hands over
    the ids from its path and the invoice is read once. Another workspace's or a vanished invoice is a
    `NotFoundError`."""
    locked = lock_invoice(invoice.pk, workspace_id=invoice.workspace_id, workspace=_workspace_of(invoice))
    if locked is None:
        raise NotFoundError(_("Invoice not found."))
    return locked


def invoice_locked_with_items(invoice: PosInvoice) -> tuple[PosInvoice, list[PosInvoiceItem]]:
    """`invoice_locked` and its items, read in the same query (`pos.locks.lock_invoice_with_items`)."""
    locked, items = lock_invoice_with_items(
        invoice.pk, workspace_id=invoice.workspace_id, workspace=_workspace_of(invoice)
    )
    if locked is None:
        raise NotFoundError(_("Invoice not found."))
    return locked, items


def store_of(invoice: PosInvoice) -> Store:
    """The invoice's store as the stock ledger needs it (its id, in the invoice's workspace), unread."""
    return Store(pk=invoice.store_id, workspace_id=invoice.workspace_id)


def discounts_of(invoice: PosInvoice) -> list[PosInvoiceDiscount]:
    """The invoice's discounts in primary-key order: those its lock read (`pos.locks`, PostgreSQL), else read
    now; none read when its lock said it has none. A service that adds or removes one says so
    (`discounts_changed`)."""
    read = getattr(invoice, "discounts_read", None)
    if read is not None:
        return list(read)
    if not getattr(invoice, "has_discounts", True):
        return []
    return list(PosInvoiceDiscount.objects.filter(invoice=invoice).order_by("pk"))


def discounts_changed(invoice: PosInvoice, discounts: list[PosInvoiceDiscount]) -> None:
    """The invoice's discounts are `discounts` now (primary-key order): what its lock read is out of date."""
    invoice.discounts_read = discounts
    invoice.has_discounts = bool(discounts)
