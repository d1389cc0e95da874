"""The business day of a store: opened, then closed with its Z-report (PRODUCT.md section 5).

Lock order: the session row, then its draft invoices (`pos.locks`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pos import error_codes
from pos.locks import lock_session, lock_session_drafts
from pos.models import BusinessSession, PosInvoice
from pos.selectors import session_report
from pos.services.common import actor_type, amount_places_check, log_events
from workspaces import codes
from workspaces.dates import workspace_today
from workspaces.errors import ApplicationError, ConflictError, ValidationFailed
from workspaces.models import Store, Workspace
from workspaces.selectors import store_get, store_list
from workspaces.tenancy import Access, require_in_workspace


def default_store(*, workspace: Workspace, access: Access) -> Store:
    """The only store; else the member's default store; else the caller must say (400 `store_required`)."""
    stores = list(store_list(workspace=workspace).order_by("pk")[:2])
    if len(stores) == 1:
        return stores[0]
    if access.membership is not None and access.membership.store_id is not None:
        store = store_get(workspace=workspace, store_id=access.membership.store_id)
        if store is not None:
            return store
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
    """Opens the store's day (needs `pos.sessions.manage`). At most one open session per store: the database's
    partial unique index decides. The store must be the workspace's (else `NotFoundError`)."""
    access.require(codes.POS_SESSIONS_MANAGE)
    require_in_workspace(store, workspace_id=workspace.pk, message=_("Store not found."))
    if store is None:
        store = default_store(workspace=workspace, access=access)
    if opening_cash < 0:
        raise ValidationFailed({"opening_cash": [_("The opening cash must be zero or more.")]})
    amount_places_check(workspace, opening_cash, "opening_cash")
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


@transaction.atomic
def session_close(
    *, session: BusinessSession, access: Access, closing_cash: Decimal | None, cancel_drafts: bool
) -> BusinessSession:
    """Closes the day and stores its Z-report (needs `pos.sessions.manage`). Drafts block closing (422
    `drafts_open` naming them) unless `cancel_drafts`, which cancels them first."""
    access.require(codes.POS_SESSIONS_MANAGE)
    session = lock_session(session.pk)
    if session.status != BusinessSession.Status.OPEN:
        raise ApplicationError(_("This business session is already closed."), code=error_codes.SESSION_CLOSED)
    if closing_cash is not None:
        if closing_cash < 0:
            raise ValidationFailed({"closing_cash": [_("The counted cash must be zero or more.")]})
        amount_places_check(session.workspace, closing_cash, "closing_cash")
    drafts = lock_session_drafts(session)
    if drafts and not cancel_drafts:
        raise ApplicationError(
            _("Draft invoices are still open in this session."),
            code=error_codes.DRAFTS_OPEN,
            details={"draft_ids": [str(invoice.pk) for invoice in drafts]},
        )
    now = timezone.now()
    for invoice in drafts:
        invoice.status = PosInvoice.Status.CANCELLED
        invoice.cancelled_at = now
        invoice.cancel_reason = _("Cancelled when the day was closed.")
    if drafts:
        PosInvoice.objects.bulk_update(drafts, ["status", "cancelled_at", "cancel_reason", "updated_at"])
        log_events(drafts, "cancelled", access, {"reason": "session_closed"})
    session.status = BusinessSession.Status.CLOSED
    session.closing_cash = closing_cash
    session.closed_at = now
    session.closed_by = access.user
    session.closed_by_api_key = access.api_key
    session.closed_by_type = actor_type(access)
    session.summary = session_report(session=session, counted_cash=closing_cash)
    session.save()
    return session
