"""Row locks of the POS. Each locks one table and takes rows in primary-key order.

Lock order (docs/ARCHITECTURE.md): the business session, then its invoices, then the invoicing core's rows (the
document counter, the stock levels). Never the workspace or the store row: all tills of a shop would queue.

A sale (creating, completing) holds its session `FOR SHARE`: tills of one store sell at once, and a close, which
takes the session `FOR UPDATE`, waits for every sale in flight; a sale that starts after the close sees it closed.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from pos.models import BusinessSession, PosInvoice, PosInvoiceDiscount, PosInvoiceItem
from workspaces.models import Workspace


def _for_share(sessions: QuerySet[BusinessSession], limit: int = 1) -> list[BusinessSession]:
    """The first `limit` sessions of `sessions`, locked `FOR SHARE` (the ORM only writes `FOR UPDATE`). SQLite has
    no row locks (it serialises writers), so there the query runs as is."""
    try:
        sql, params = sessions[:limit].query.sql_with_params()
    except EmptyResultSet:  # a filter no row can match (`pk__in=[]`)
        return []
    if connection.vendor == "postgresql":
        sql += ' FOR SHARE OF "pos_businesssession"'
    return list(BusinessSession.objects.raw(sql, params))


def lock_session(session_id: int) -> BusinessSession:
    """The session `FOR UPDATE`: closing it waits for the sales holding it `FOR SHARE`."""
    return BusinessSession.objects.select_for_update(of=("self",)).get(pk=session_id)


def share_open_session(sessions: QuerySet[BusinessSession]) -> BusinessSession | None:
    """The open session among `sessions` (lowest id first), locked `FOR SHARE` for a sale."""
    return next(iter(share_open_sessions(sessions)), None)


def share_open_sessions(sessions: QuerySet[BusinessSession], *, limit: int = 1) -> list[BusinessSession]:
    """The first `limit` open sessions among `sessions` (lowest id first), locked `FOR SHARE`."""
    return _for_share(sessions.filter(status=BusinessSession.Status.OPEN).order_by("pk"), limit)


def share_session_of_invoice(*, invoice_id: int, workspace_id: int) -> BusinessSession | None:
    """The session of the workspace's invoice `FOR SHARE`, read and locked in one query (None: no such invoice)."""
    session_id = PosInvoice.objects.filter(pk=invoice_id, workspace_id=workspace_id).values("session_id")
    return next(iter(_for_share(BusinessSession.objects.filter(pk=Subquery(session_id[:1])))), None)


_INVOICE_RELATED = ("order_status", "created_by", "created_by_api_key")


def lock_invoice(
    invoice_id: int, *, workspace_id: int | None = None, workspace: Workspace | None = None
) -> PosInvoice | None:
    """The invoice alone is locked; its order status and creator are read in the same query but not locked, and
    whether it has discounts (`has_discounts`: when not, reading them takes no query). Its workspace is the one
    given (else joined too); its store is not read (`invoice.store_id`). Given a workspace, another workspace's
    invoice is None."""
    invoices = (
        PosInvoice.objects.select_for_update(of=("self",))
        .select_related(*_INVOICE_RELATED, *(() if workspace else ("workspace",)))
        .annotate(has_discounts=Exists(PosInvoiceDiscount.objects.filter(invoice=OuterRef("pk"))))
    )
    workspace_id = workspace.pk if workspace is not None else workspace_id
    if workspace_id is not None:
        invoices = invoices.filter(workspace_id=workspace_id)
    invoice = invoices.filter(pk=invoice_id).first()
    if invoice is not None and workspace is not None:
        invoice.workspace = workspace
    return invoice


def lock_invoice_with_items(
    invoice_id: int, *, workspace_id: int, workspace: Workspace | None = None
) -> tuple[PosInvoice | None, list[PosInvoiceItem]]:
    """`lock_invoice` and the invoice's items (primary-key order) in the same query: one row per item, carrying
    the invoice's columns; only the invoice is locked. An invoice without items is read by `lock_invoice` (a second
    query); another workspace's invoice is None."""
    related = (*_INVOICE_RELATED, *(() if workspace else ("workspace",)))
    items = list(
        PosInvoiceItem.objects.select_for_update(of=("invoice",))
        .select_related(*(f"invoice__{name}" for name in related))
        .annotate(
            invoice_has_discounts=Exists(PosInvoiceDiscount.objects.filter(invoice=OuterRef("invoice_id")))
        )
        .filter(invoice_id=invoice_id, invoice__workspace_id=workspace_id)
        .order_by("pk")
    )
    if not items:
        return lock_invoice(invoice_id, workspace_id=workspace_id, workspace=workspace), []
    invoice = items[0].invoice
    invoice.has_discounts = items[0].invoice_has_discounts
    if workspace is not None:
        invoice.workspace = workspace
    for item in items:
        item.invoice = invoice
    return invoice, items


def lock_session_drafts(session: BusinessSession) -> list[PosInvoice]:
    return list(
        PosInvoice.objects.select_for_update(of=("self",))
        .filter(session=session, status=PosInvoice.Status.DRAFT)
        .order_by("pk")
    )
