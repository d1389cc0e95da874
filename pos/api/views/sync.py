"""`POST .../pos/sync`: the sales a till made offline (PRODUCT.md section 8d)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from pos import selectors, services
from pos.api.sync import (
    SyncBodySerializer,
    SyncInputSerializer,
    SyncOutputSerializer,
    result_output,
    sales_of,
    too_many_sales,
)
from pos.api.views.common import PosView
from pos.services.sync import DUPLICATE
from workspaces import codes

_SALE = {
    "clientRef": "0b6f3c1e-8f4a-4c2e-9d1b-3a5e7c9f2b41",
    "storeId": "1",
    "createdAt": "2026-12-03T09:14:05.000Z",
    "completedAt": "2026-12-03T09:15:40.000Z",
    "items": [{"productId": "3", "quantity": 2, "unitPrice": 11.5}],
    "payments": [{"method": "cash", "amount": 30}],
    "total": 26.45,
}


class SyncView(PosView):
    required_permissions = {"POST": codes.STORE_ORDERS_MANAGE}
    # Each sale commits on its own (section 8d): an `Idempotency-Key`'s answer is stored after them, and a sale
    # is recorded once by its `clientRef` whatever is retried (`ApiView.idempotent_in_one_transaction`).
    idempotent_in_one_transaction = False

    @extend_schema(
        request=SyncBodySerializer,
        responses={200: SyncOutputSerializer},
        examples=[
            OpenApiExample("One sale", value={"deviceId": "till-1", "sales": [_SALE]}, request_only=True)
        ],
    )
    def post(self, request: Request, workspace_id: int) -> Response:
        """Send the sales a till made offline

        Up to 500 sales, each its own transaction, answered one result per sale in order: `created` (with its
        invoice), `duplicate` (a `clientRef` already recorded: the invoice first made) or `rejected` (with the
        v1 error body; `no_open_session` is to be sent again once the day is open). Short stock and a total the
        till computed differently never refuse a sale: they are recorded (`stockShort`, `totalMismatch`,
        `offlineTotal`). More than 500 sales, or a body over 1 MB, is a 413. Needs `store.orders.manage`."""
        too_many_sales(request.data)
        device_id, sales, refs = sales_of(self.validated(SyncInputSerializer, request.data))
        results = services.sales_sync(
            workspace=self.workspace, access=self.access, device_id=device_id, sales=sales
        )
        duplicates = [result.invoice_id for result in results if result.status == DUPLICATE]
        rows = {row["id"]: row for row in selectors.invoice_rows_of(workspace=self.workspace, ids=duplicates)}
        return Response(
            {"results": [result_output(result, ref, rows) for result, ref in zip(results, refs, strict=True)]}
        )
