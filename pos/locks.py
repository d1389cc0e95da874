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

from pos.models import BusinessSession, PosInvoice, PosInvoiceDiscount


def _for_share(sessions: QuerySet[BusinessSession]) -> BusinessSession | None:
    """The first session of `sessions`, locked `FOR SHARE` (the ORM only writes `FOR UPDATE`). SQLite has no row
    locks (it serialises writers), so there the query runs as is."""
    try:
        sql, params = sessions[:1].query.sql_with_params()
    except EmptyResultSet:  # a filter no row can match (`pk__in=[]`)
        return None
    if connection.vendor == "postgresql":
        sql += ' FOR SHARE OF "pos_businesssession"'
    return next(iter(BusinessSession.objects.raw(sql, params)), None)


def lock_session(session_id: int) -> BusinessSession:
    """The session `FOR UPDATE`: closing it waits for the sales holding it `FOR SHARE`."""
    return BusinessSession.objects.select_for_update(of=("self",)).get(pk=session_id)


def share_open_session(sessions: QuerySet[BusinessSession]) -> BusinessSession | None:
    """The open session among `sessions` (lowest id first), locked `FOR SHARE` for a sale."""
    return _for_share(sessions.filter(status=BusinessSession.Status.OPEN).order_by("pk"))


def share_session_of_invoice(*, invoice_id: int, workspace_id: int) -> BusinessSession | None:
    """The session of the workspace's invoice `FOR SHARE`, read and locked in one query (None: no such invoice)."""
    session_id = PosInvoice.objects.filter(pk=invoice_id, workspace_id=workspace_id).values("session_id")
    return _for_share(BusinessSession.objects.filter(pk=Subquery(session_id[:1])))


def lock_invoice(invoice_id: int, *, workspace_id: int | None = None) -> PosInvoice | None:
    """The invoice alone is locked; its workspace, store, order status and creator are read in the same query but
    not locked, and whether it has discounts (`has_discounts`: when not, reading them takes no query). Given
    `workspace_id`, another workspace's invoice is None."""
    invoices = (
        PosInvoice.objects.select_for_update(of=("self",))
        .select_related("workspace", "store", "order_status", "created_by", "created_by_api_key")
        .annotate(has_discounts=Exists(PosInvoiceDiscount.objects.filter(invoice=OuterRef("pk"))))
    )
    if workspace_id is not None:
        invoices = invoices.filter(workspace_id=workspace_id)
    return invoices.filter(pk=invoice_id).first()


def lock_session_drafts(session: BusinessSession) -> list[PosInvoice]:
    return list(
        PosInvoice.objects.select_for_update(of=("self",))
        .filter(session=session, status=PosInvoice.Status.DRAFT)
        .order_by("pk")
    )
