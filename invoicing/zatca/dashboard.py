"""The admin index's "Today" panel for ZATCA (PRODUCT.md section 8b): how many documents are not yet reported, how
many of them are urgent (pending for more than 20 hours: ZATCA wants each within 24) and how many ZATCA rejected,
each linked to the documents' list so filtered. Nothing for a workspace without a device. Two queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from workspaces import codes
from workspaces.models import Workspace
from workspaces.tenancy import Access

PENDING, REJECTED = ZatcaDocument.Status.PENDING, ZatcaDocument.Status.REJECTED
# A pending document older than this is urgent: ZATCA wants each within 24 hours (section 8b).
URGENT_AFTER = dt.timedelta(hours=20)


def urgent_cutoff() -> dt.datetime:
    """Documents signed before this and still pending are urgent."""
    return timezone.now() - URGENT_AFTER


def document_counts(*, workspace: Workspace) -> dict[str, int]:
    """The workspace's pending, urgent and rejected documents: one query along the (workspace, status,
    created_at) index."""
    return ZatcaDocument.objects.filter(workspace=workspace, status__in=[PENDING, REJECTED]).aggregate(
        pending=Count("pk", filter=Q(status=PENDING)),
        urgent=Count("pk", filter=Q(status=PENDING, created_at__lt=urgent_cutoff())),
        rejected=Count("pk", filter=Q(status=REJECTED)),
    )


def today_panel(*, workspace: Workspace, access: Access) -> dict[str, Any] | None:
    """Shown to whoever reads the documents (`store.orders.manage`, as the POS invoices), once a store has a
    device."""
    if not access.has(codes.STORE_ORDERS_MANAGE):
        return None
    if not ZatcaDevice.objects.filter(workspace=workspace).exists():
        return None
    counts = document_counts(workspace=workspace)
    documents = reverse("admin:invoicing_zatcadocument_changelist")
    return {
        "title": _("ZATCA e-invoicing"),
        "template": "invoicing/zatca/dashboard_panel.html",
        "rows": [
            {
                "key": "pending",
                "label": _("Not yet reported to ZATCA"),
                "count": counts["pending"],
                "url": f"{documents}?status__exact={PENDING}",
                "alarm": False,
            },
            {
                "key": "urgent",
                "label": _("Urgent: pending for more than 20 hours"),
                "count": counts["urgent"],
                "url": f"{documents}?urgent=yes",
                "alarm": counts["urgent"] > 0,
            },
            {
                "key": "rejected",
                "label": _("Rejected by ZATCA"),
                "count": counts["rejected"],
                "url": f"{documents}?status__exact={REJECTED}",
                "alarm": counts["rejected"] > 0,
            },
        ],
    }
