"""The figures of a business day's report (the X-report while it is open, the Z-report stored at its close), read
by statements compiled once per process (`workspaces.statements`): a till or a dashboard asks for them all day, and
building the same aggregate querysets again cost more than the database's answer.

Three reads, each of the day's rows only: its invoices' counts by status and the sums of its completed sales
(`pos_invoice_session_idx`), the payments of its completed sales by method (the session's invoices, then
`pos_payment_invoice_idx`, index-only), its returns (`pos_return_session_idx`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import router
from django.db.models import Count, Q, Sum

from pos.models import BusinessSession, PosInvoice, PosPayment, PosReturn
from workspaces.statements import CompiledRead, attnames, instance

_STATUSES = tuple(PosInvoice.Status.values)
_COMPLETED = Q(status=PosInvoice.Status.COMPLETED)
_SUMS = {
    "gross": "subtotal",
    "discounts": "discount_total",
    "tax": "tax_total",
    "net": "total",
    "change": "change_due",
}
_INVOICE_FIGURES = CompiledRead(
    lambda session_id: (
        PosInvoice.objects.filter(session_id=session_id)
        .values("session_id")
        .annotate(
            **{f"n_{status}": Count("pk", filter=Q(status=status)) for status in _STATUSES},
            **{name: Sum(column, filter=_COMPLETED) for name, column in _SUMS.items()},
        )
        .values_list(*(f"n_{status}" for status in _STATUSES), *_SUMS)
    )
)
_PAYMENTS = CompiledRead(
    lambda session_id: (
        PosPayment.objects.filter(invoice__session_id=session_id, invoice__status=PosInvoice.Status.COMPLETED)
        .values("method")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("method", "total")
    )
)
_RETURNS = CompiledRead(
    lambda session_id: PosReturn.objects.filter(session_id=session_id).values_list(
        "invoice_id", "total", "refunds"
    )
)
_SESSION_COLUMNS = attnames(BusinessSession)
_SESSION = CompiledRead(
    lambda workspace_id, session_id: BusinessSession.objects.filter(
        workspace_id=workspace_id, pk=session_id
    ).values_list(*_SESSION_COLUMNS)
)


def _using() -> str:
    """The replica where the request allows it (`workspaces.routing`), as the ORM's own reads; else the primary
    (a close reads its figures inside its transaction)."""
    return router.db_for_read(PosInvoice)


def day_session(*, workspace_id: int, session_id: int) -> BusinessSession | None:
    """The workspace's business day `session_id` (its own columns), or None: one compiled query."""
    rows = _SESSION.rows(_using(), workspace_id=workspace_id, session_id=session_id)
    return instance(BusinessSession, _SESSION_COLUMNS, rows[0]) if rows else None


def invoice_figures(session_id: int) -> tuple[dict[str, int], dict[str, Decimal | None]]:
    """The day's invoices per status (every status named, zero when none) and the sums of its completed ones
    (`gross`, `discounts`, `tax`, `net`, `change`; None when there are none)."""
    rows = _INVOICE_FIGURES.rows(_using(), session_id=session_id)
    values = rows[0] if rows else (0,) * len(_STATUSES) + (None,) * len(_SUMS)
    counts = dict(zip(_STATUSES, values[: len(_STATUSES)], strict=True))
    return counts, dict(zip(_SUMS, values[len(_STATUSES) :], strict=True))


def payment_figures(session_id: int) -> list[tuple[str, Decimal]]:
    """(method, sum) of the payments of the day's completed sales, for the methods used."""
    return _PAYMENTS.rows(_using(), session_id=session_id)


def return_rows(session_id: int) -> list[tuple[int, Decimal, list[dict[str, Any]]]]:
    """(sold invoice, total, refunds) of each return the day's drawer refunded."""
    return _RETURNS.rows(_using(), session_id=session_id)
