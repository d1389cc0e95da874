"""What the POS services share: who acted, the audit trail, the draft rule, amounts in the currency's digits."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from invoicing.money import has_at_most_places, minor_unit
from pos import error_codes
from pos.models import PosInvoice, PosInvoiceEvent
from workspaces.errors import ApplicationError, ValidationFailed
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
