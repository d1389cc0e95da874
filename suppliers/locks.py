"""Row locks of the suppliers app. Each locks one table (`of=("self",)`).

Lock order: the supplier invoice (the document), then nothing else: a payment touches only its invoice's
balance. Never the workspace or the supplier row, so payments on different invoices never queue behind each other.
The upload quota's row is taken alone in its own transaction (an upload writes no invoice), so it has no place in
that order.
"""

from __future__ import annotations

from suppliers.models import SupplierInvoice, UploadQuota
from workspaces.models import Workspace


def lock_invoice(invoice_id: int) -> SupplierInvoice | None:
    """The invoice row alone is locked; its workspace is read in the same query but not locked. None when the
    row was deleted meanwhile (by a transaction that held the lock first)."""
    return (
        SupplierInvoice.objects.select_for_update(of=("self",))
        .select_related("workspace")
        .filter(pk=invoice_id)
        .first()
    )


def lock_upload_quota(workspace: Workspace) -> None:
    """The workspace's `UploadQuota` row under `FOR UPDATE` (created on its first upload): uploads of one workspace
    take their turn to add up and store, those of other workspaces never wait."""
    UploadQuota.objects.select_for_update(of=("self",)).get_or_create(workspace=workspace)
