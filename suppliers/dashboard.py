"""The admin index's "Today" panel for suppliers: overdue invoices and what is still owed on them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from invoicing.money import minor_unit
from suppliers import selectors
from workspaces import codes
from workspaces.dates import workspace_today
from workspaces.models import Workspace
from workspaces.tenancy import Access


def today_panel(*, workspace: Workspace, access: Access) -> dict[str, Any] | None:
    if not workspace.suppliers_enabled or not access.has(codes.SUPPLIERS_VIEW):
        return None
    overdue = selectors.overdue_summary(workspace=workspace, today=workspace_today(workspace))
    places = minor_unit(workspace.currency)
    return {
        "title": _("Suppliers"),
        "rows": [
            (_("Overdue supplier invoices"), overdue["count"]),
            (_("Owed on overdue invoices"), f"{overdue['total']:,.{places}f} {workspace.currency}"),
        ],
        "links": [
            (
                _("Overdue supplier invoices"),
                reverse("admin:suppliers_supplierinvoice_changelist") + "?overdue=yes",
            ),
            (_("Aging report"), reverse("admin:suppliers_supplierinvoice_aging")),
        ],
    }
