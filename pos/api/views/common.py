"""What every POS endpoint shares: the base view, the invoice lookup and answer, the documented example."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.response import Response

from pos import selectors
from pos.api.serializers import invoice_output
from pos.models import PosInvoice
from workspaces.api.base import WorkspaceView
from workspaces.errors import NotFoundError

INVOICE_EXAMPLE = {
    "invoice": {
        "id": "15",
        "workspaceId": "1",
        "storeId": "1",
        "clientId": "7",
        "posBusinessSessionId": "3",
        "businessDate": "2025-03-19",
        "publicId": "POS-001",
        "status": "draft",
        "orderStatusId": None,
        "orderStatusLabelAr": None,
        "orderStatusLabelEn": None,
        "items": [],
        "subtotal": 0,
        "discounts": [],
        "discountTotal": 0,
        "taxTotal": 0,
        "total": 0,
        "payments": [],
        "changeDue": 0,
        "returnedTotal": 0,
        "stockDeductedAt": None,
        "completedAt": None,
        "cancelledAt": None,
        "createdBy": {"type": "staff", "id": "4", "name": "Khalid", "email": "cashier@shop.sa"},
        "createdAt": "2024-01-15T10:00:00.000Z",
        "updatedAt": "2024-01-15T10:00:00.000Z",
        "offline": False,
        "clientRef": None,
        "syncedAt": None,
        "offlineTotal": None,
        "totalMismatch": False,
        "stockShort": False,
    }
}


class PosView(WorkspaceView):
    def invoice_of(self, invoice_id: int, *, full: bool = False) -> PosInvoice:
        """The invoice of this workspace or a 404; `full` joins everything its answer shows."""
        select = selectors.invoice_get if full else selectors.invoice_scoped
        invoice = select(workspace=self.workspace, invoice_id=invoice_id)
        if invoice is None:
            raise NotFoundError(_("Invoice not found."))
        return invoice

    def invoice_ref(self, invoice_id: int) -> PosInvoice:
        """The invoice named in the path, unread: a write service reads it once, under its lock and scoped to
        this workspace (another workspace's is a 404 there)."""
        return PosInvoice(pk=invoice_id, workspace=self.workspace)

    def render_invoice(self, invoice: PosInvoice, *, status: int = 200) -> Response:
        """The invoice as a service left it: from the rows it carries (`pos.services.common.keep_rows`), else
        read again. Built after the service's transaction ended: no lock is held while it renders."""
        cached = getattr(invoice, "_prefetched_objects_cache", {})
        if not {"items", "discounts", "payments"} <= cached.keys():
            invoice = self.invoice_of(invoice.pk, full=True)
        return Response({"invoice": invoice_output(invoice)}, status=status)
