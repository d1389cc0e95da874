"""Creating a POS invoice: a draft in the day's open session, numbered gaplessly, with the client's discount line.

Lock order: the session (`FOR SHARE`), then the document counter (`invoicing.numbering`). The session's statement
also reads what a new invoice takes from elsewhere: the client's discount and the workspace's default order status.
"""

from __future__ import annotations

from django.db.models import Exists, QuerySet, Subquery
from django.utils.translation import gettext as _

from invoicing.numbering import POS_SERIES, format_number, number_next
from pos import error_codes
from pos.locks import SESSION_COLUMNS, SHARE, shared_sessions
from pos.models import BusinessSession, OrderStatus, PosInvoice, PosInvoiceDiscount
from pos.selectors import keep_rows
from pos.services.common import actor_type, log_event
from workspaces import codes
from workspaces.errors import ApplicationError, NotFoundError
from workspaces.models import Client, Store, Workspace
from workspaces.statements import CompiledRead, insert
from workspaces.tenancy import Access, require_in_workspace
from workspaces.transactions import atomic

_CLIENT_FIELDS = ("pos_discount_type", "pos_discount_value", "pos_discount_active")
_STATUS_FIELDS = ("id", "label_ar", "label_en")


def _sessions(workspace_id: int, client_id: int) -> QuerySet[BusinessSession]:
    """The workspace's open sessions (lowest id first), each carrying the client's discount (`client_found`,
    `client_pos_discount_*`) and the default order status (`default_status_*`), so that the session's one
    statement reads them."""
    client = Client.objects.filter(workspace_id=workspace_id, pk=client_id)
    status = OrderStatus.objects.filter(workspace_id=workspace_id, is_default=True)
    return (
        BusinessSession.objects.filter(workspace_id=workspace_id, status=BusinessSession.Status.OPEN)
        .annotate(
            client_found=Exists(client),
            **{f"client_{name}": Subquery(client.values(name)[:1]) for name in _CLIENT_FIELDS},
            **{f"default_status_{name}": Subquery(status.values(name)[:1]) for name in _STATUS_FIELDS},
        )
        .order_by("pk")
    )


_CARRIED = (
    "client_found",
    *(f"client_{name}" for name in _CLIENT_FIELDS),
    *(f"default_status_{name}" for name in _STATUS_FIELDS),
)
_OF_STORE = CompiledRead(
    lambda workspace_id, client_id, store_id: (
        _sessions(workspace_id, client_id)
        .filter(store_id=store_id)
        .values_list(*SESSION_COLUMNS, *_CARRIED)[:1]
    ),
    lock=SHARE,
)
# Two: more than one open is `store_required`.
_ANY_TWO = CompiledRead(
    lambda workspace_id, client_id: _sessions(workspace_id, client_id).values_list(
        *SESSION_COLUMNS, *_CARRIED
    )[:2],
    lock=SHARE,
)


def _session_for_new_invoice(
    *, workspace: Workspace, access: Access, store: Store | None, client_id: int
) -> BusinessSession:
    """The open session a new invoice goes to, locked `FOR SHARE` (a close waits for the sale; other tills do
    not): the named store's; else the member's default store's; else the only open one."""
    ids = {"workspace_id": workspace.pk, "client_id": client_id}
    if store is not None:
        return _found(
            next(iter(shared_sessions(_OF_STORE, **ids, store_id=store.pk)), None), workspace, client_id
        )
    default_store_id = access.membership.store_id if access.membership else None
    if default_store_id:
        session = next(iter(shared_sessions(_OF_STORE, **ids, store_id=default_store_id)), None)
        if session is not None:
            return _found(session, workspace, client_id)
    open_sessions = shared_sessions(_ANY_TWO, **ids)
    if len(open_sessions) > 1:
        _found(open_sessions[0], workspace, client_id)  # an unknown client is a 404 first
        raise ApplicationError(
            _("Several stores have an open session: say which one (storeId)."),
            code=error_codes.STORE_REQUIRED,
            status=400,
        )
    # None: none open, or closed while we looked.
    return _found(next(iter(open_sessions), None), workspace, client_id)


def _found(session: BusinessSession | None, workspace: Workspace, client_id: int) -> BusinessSession:
    """The session, if the client is the workspace's: an unknown client is a 404 before a missing session."""
    client_found = (
        session.client_found
        if session is not None
        else Client.objects.filter(workspace=workspace, pk=client_id).exists()
    )
    if not client_found:
        raise NotFoundError(_("Client not found."))
    if session is None:
        raise ApplicationError(
            _("No open POS business session: the workspace owner must open the day first."),
            code=error_codes.NO_OPEN_SESSION,
        )
    return session


@atomic
def invoice_create(
    *, workspace: Workspace, access: Access, client: Client, store: Store | None
) -> PosInvoice:
    """A draft in the store's open session, numbered gaplessly (`POS-001`), with the client's discount line.
    The client and the store must be the workspace's (else `NotFoundError`). Only the client's id is read from
    `client`: its discount is read with the session.

    Locks the session `FOR SHARE`, then the document counter (the one serialisation of a workspace's creates).
    The invoice returned carries its lines (`keep_rows`): the answer reads nothing again."""
    access.require(codes.STORE_ORDERS_MANAGE)
    require_in_workspace(client, workspace_id=workspace.pk, message=_("Client not found."))
    require_in_workspace(store, workspace_id=workspace.pk, message=_("Store not found."))
    session = _session_for_new_invoice(workspace=workspace, access=access, store=store, client_id=client.pk)
    client = Client(
        pk=client.pk,
        workspace_id=workspace.pk,
        **{name: getattr(session, f"client_{name}") for name in _CLIENT_FIELDS},
    )
    order_status = None
    if session.default_status_id is not None:
        order_status = OrderStatus(
            workspace_id=workspace.pk,
            **{name: getattr(session, f"default_status_{name}") for name in _STATUS_FIELDS},
        )
    number = number_next(workspace=workspace, series=POS_SERIES)
    invoice = insert(
        PosInvoice(
            workspace=workspace,
            store_id=session.store_id,
            session=session,
            business_date=session.business_date,
            client=client,
            number=number,
            public_id=format_number(POS_SERIES, number),
            order_status=order_status,
            currency=workspace.currency,
            created_by=access.user,
            created_by_api_key=access.api_key,
            created_by_type=actor_type(access),
        )
    )
    discounts = []
    if client.has_active_pos_discount:
        discounts.append(
            PosInvoiceDiscount.objects.create(
                workspace=workspace,
                invoice=invoice,
                source=PosInvoiceDiscount.Source.CLIENT,
                type=client.pos_discount_type,
                value=client.pos_discount_value,
            )
        )
    log_event(invoice, "created", access)
    keep_rows(invoice, items=[], discounts=discounts, payments=[])
    return invoice
