"""What every suppliers endpoint shares: the base view (section switch, permissions), examples, schema helpers."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from orjson import Fragment
from rest_framework.request import Request
from rest_framework.response import Response

from suppliers import error_codes, selectors
from suppliers.api import json_rows
from suppliers.api.serializers import (
    SupplierInvoiceOutputSerializer,
)
from suppliers.models import Supplier, SupplierInvoice
from workspaces import codes, json_sql
from workspaces.api.base import WorkspaceView, page
from workspaces.api.negotiation import JsonByDefaultNegotiation
from workspaces.api.openapi import AutoSchema
from workspaces.api.pagination import decode_cursor, paginate, parse_limit
from workspaces.api.parsers import JSONParser
from workspaces.dates import workspace_today
from workspaces.errors import ApplicationError, NotFoundError
from workspaces.tenancy import get_object_or_404

TAGS = ["suppliers"]


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


SUPPLIER_EXAMPLE = {
    "id": "4",
    "workspaceId": "1",
    "name": "مؤسسة التوريدات الحديثة",
    "phone": "+966500000001",
    "email": "sales@modern-supply.sa",
    "taxNumber": "310122393500003",
    "notes": None,
    "createdAt": "2024-01-10T09:00:00.000Z",
    "updatedAt": "2024-01-10T09:00:00.000Z",
}


INVOICE_REQUEST = {
    "invoiceNumber": "INV-001",
    "totalAmount": 5000,
    "issueDate": "2024-01-15",
    "dueDate": "2024-02-15",
    "description": "وصف اختياري",
    "notes": "ملاحظات",
    "imageUrl": "https://storage.googleapis.com/bucket/path/to/image.webp",
}


INVOICE_EXAMPLE = {
    "id": "21",
    "workspaceId": "1",
    "supplierId": "4",
    "invoiceNumber": "INV-001",
    "totalAmount": 5000,
    "paidAmount": 0,
    "remainingAmount": 5000,
    "status": "pending",
    "issueDate": "2024-01-15T00:00:00.000Z",
    "dueDate": "2024-02-15T00:00:00.000Z",
    "description": "وصف اختياري",
    "notes": "ملاحظات",
    "imageUrl": "https://storage.googleapis.com/bucket/path/to/image.webp",
    "currency": "SAR",
    "isOverdue": False,
    "createdAt": "2024-01-15T10:00:00.000Z",
    "updatedAt": "2024-01-15T10:00:00.000Z",
}


PAYMENT_EXAMPLE = {
    "id": "9",
    "workspaceId": "1",
    "invoiceId": "21",
    "amount": 2000,
    "paidAt": "2024-01-20T08:30:00.000Z",
    "method": "transfer",
    "reference": "TRX-5531",
    "notes": None,
    "createdAt": "2024-01-20T08:30:00.000Z",
}


PAID_PART = {**INVOICE_EXAMPLE, "paidAmount": 2000, "remainingAmount": 3000, "status": "partially_paid"}


class ListSchema(AutoSchema):
    """The project's schema class (`workspaces.api.openapi`): a GET answering a page is a `..._list`, the page's
    `limit` and `cursor` are declared with their ranges, an idempotent POST declares its `Idempotency-Key`."""


class SuppliersView(WorkspaceView):
    """Reads need `suppliers.view`, writes `suppliers.manage`; the section must be enabled (else 403)."""

    parser_classes = [JSONParser]
    required_permissions = {
        "GET": codes.SUPPLIERS_VIEW,
        "POST": codes.SUPPLIERS_MANAGE,
        "PATCH": codes.SUPPLIERS_MANAGE,
        "DELETE": codes.SUPPLIERS_MANAGE,
    }

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not self.workspace.suppliers_enabled:
            raise ApplicationError(
                _("The suppliers section is turned off for this workspace."),
                code=error_codes.SUPPLIERS_DISABLED,
                status=403,
            )

    @property
    def today(self) -> dt.date:
        return workspace_today(self.workspace)

    def supplier_of(self, supplier_id: int) -> Supplier:
        return get_object_or_404(selectors.supplier_list(workspace=self.workspace), pk=supplier_id)

    def invoice_of(self, supplier_id: int, invoice_id: int) -> SupplierInvoice:
        invoice = selectors.invoice_get(
            workspace=self.workspace, supplier_id=supplier_id, invoice_id=invoice_id
        )
        if invoice is None:
            raise NotFoundError(_("Invoice not found."))
        return invoice

    def invoice_data(self, invoice: SupplierInvoice) -> dict:
        return SupplierInvoiceOutputSerializer(invoice, context={"today": self.today}).data

    def invoice_page(self, request: Request, filters: selectors.InvoiceFilters) -> Response:
        """A page of the invoice lists (across suppliers and per supplier). On PostgreSQL the database writes each
        row's answer (`suppliers.api.json_rows`, the same bytes): a page of DRF serializers costs several times a
        single invoice's GET."""
        today = self.today
        if json_sql.available():
            limit = parse_limit(request.query_params.get("limit"))
            cursor = request.query_params.get("cursor")
            rows, next_cursor = json_rows.invoice_page(
                workspace=self.workspace,
                today=today,
                filters=filters,
                limit=limit,
                after=decode_cursor(cursor) if cursor else None,
            )
            return page("invoices", [Fragment(row["json"]) for row in rows], next_cursor)
        invoices = selectors.invoice_list(workspace=self.workspace, today=today, filters=filters)
        rows, next_cursor = paginate(invoices, request)
        data = SupplierInvoiceOutputSerializer(rows, many=True, context={"today": today}).data
        return page("invoices", data, next_cursor)


class _NoFormatOverride(JsonByDefaultNegotiation):
    """`format=csv|xlsx` picks the file, not a DRF renderer: errors are always JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
