"""Row locks of the POS. Each locks one table (`of=("self",)`) and takes rows in primary-key order.

Lock order (docs/ARCHITECTURE.md): the business session, then its invoices, then the invoicing core's rows (the
document counter, the stock levels). Never the workspace or the store row: all tills of a shop would queue.
"""

from __future__ import annotations

from pos.models import BusinessSession, PosInvoice


def lock_session(session_id: int) -> BusinessSession:
    return BusinessSession.objects.select_for_update(of=("self",)).get(pk=session_id)


def lock_invoice(invoice_id: int) -> PosInvoice:
    """The invoice alone is locked; its workspace is read in the same query but not locked."""
    return PosInvoice.objects.select_for_update(of=("self",)).select_related("workspace").get(pk=invoice_id)


def lock_session_drafts(session: BusinessSession) -> list[PosInvoice]:
    return list(
        PosInvoice.objects.select_for_update(of=("self",))
        .filter(session=session, status=PosInvoice.Status.DRAFT)
        .order_by("pk")
    )
