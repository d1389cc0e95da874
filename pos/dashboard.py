"""The admin index's "today" panel for the POS: open sessions, sales so far, invoices by status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from pos.models import BusinessSession, PosInvoice
from workspaces.models import Workspace
from workspaces.tenancy import Access


def today_panel(*, workspace: Workspace, access: Access) -> dict[str, Any] | None:
    sessions = list(
        BusinessSession.objects.filter(
            workspace=workspace, status=BusinessSession.Status.OPEN
        ).select_related("store")
    )
    invoices = PosInvoice.objects.filter(session__in=sessions)
    by_status = {row["status"]: row["n"] for row in invoices.values("status").annotate(n=Count("pk"))}
    sales = invoices.filter(status=PosInvoice.Status.COMPLETED).aggregate(total=Sum("total"))[
        "total"
    ] or Decimal(0)
    rows = [(_("Open day"), f"{s.store.name} — {s.business_date:%Y-%m-%d}") for s in sessions] or [
        (_("Open day"), _("No business day is open."))
    ]
    rows.append((_("Sales so far"), f"{sales:,.2f} {workspace.currency}"))
    for status, label in PosInvoice.Status.choices:
        rows.append((label, by_status.get(status, 0)))
    return {"title": _("Point of sale"), "rows": rows}
