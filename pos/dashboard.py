"""The admin index's "today" panel for the POS: open sessions, sales so far, invoices by status. The figures are
the Z-report's (`pos.selectors.open_days_figures`); amounts are shown with the currency's minor digits."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from invoicing.money import quantize_money
from pos.models import PosInvoice
from pos.selectors import open_days_figures
from workspaces.models import Workspace
from workspaces.tenancy import Access


def today_panel(*, workspace: Workspace, access: Access) -> dict[str, Any] | None:
    figures = open_days_figures(workspace=workspace)
    rows = [(_("Open day"), f"{s.store.name} — {s.business_date:%Y-%m-%d}") for s in figures["sessions"]] or [
        (_("Open day"), _("No business day is open."))
    ]
    sales = quantize_money(figures["netSales"], workspace.currency)
    rows.append((_("Sales so far"), f"{sales:,f} {workspace.currency}"))
    for status, label in PosInvoice.Status.choices:
        rows.append((label, figures["invoiceCounts"][status]))
    return {"title": _("Point of sale"), "rows": rows}
