"""`/orders` and `/invoices` (PRODUCT.md section 7, seed 003). Views parse, authorise, call one service or
selector, and render `{"success": true, "data": ..., "message"?}`; errors are `{"success": false, "message"}`."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from invoicing.api.zatca import xml_response
from invoicing.zatca.reads import document_of, documents_of
from orders import selectors, services
from orders.api import json_rows
from orders.api.examples import INVOICE_EXAMPLE, ORDER_EXAMPLE, ZATCA_EXAMPLE
from orders.api.serializers import (
    OrderCreateInputSerializer,
    OrderInvoiceCreateInputSerializer,
    OrderInvoiceFilterSet,
    OrderInvoiceOutputSerializer,
    OrderInvoiceQuerySerializer,
    OrderOutputSerializer,
)
from orders.models import Order, OrderInvoice
from orders.zatca import SOURCE as ZATCA_SOURCE
from workspaces import codes, json_sql
from workspaces.api.base import WorkspaceView
from workspaces.api.docs import errors
from workspaces.api.pagination import paginate, parse_limit
from workspaces.api.replica import replica_reads
from workspaces.authentication import (
    AccessTokenHeaderAuthentication,
    ApiKeyAuthentication,
    JWTAuthentication,
)
from workspaces.errors import NotFoundError

ORDER_CREATED = "Order created successfully"
INVOICE_CREATED = "Invoice created successfully"


@functools.cache
def _envelope(serializer: type[serializers.Serializer], *, many: bool, message: bool) -> Any:
    """The schema of `{"success": true, "data": ..., "message"}` (or, for a list, `"nextCursor"`)."""
    fields: dict[str, serializers.Field] = {
        "success": serializers.BooleanField(),
        "data": serializer(many=many),
    }
    if message:
        fields["message"] = serializers.CharField()
    if many:
        fields["nextCursor"] = serializers.CharField(
            allow_null=True, help_text="Pass as `cursor` for the next page; null on the last page."
        )
    component = serializer.__name__.removesuffix("Serializer").removesuffix("Output")
    suffix = "Page" if many else ("Created" if message else "")
    return inline_serializer(name=f"{component}{suffix}Envelope", fields=fields)


def success(data: Any, *, message: str | None = None, status: int = 200) -> Response:
    body: dict[str, Any] = {"success": True, "data": data}
    if message is not None:
        body["message"] = message
    return Response(body, status=status)


def success_page(data: list[Any], next_cursor: str | None) -> Response:
    return Response({"success": True, "data": data, "nextCursor": next_cursor})


def _page_query(request: Request) -> dict[str, Any]:
    """`limit` and `cursor` as `paginate` reads them; on PostgreSQL the lists' answers are written by the database
    (`orders.api.json_rows`), else by the serializers."""
    return {
        "limit": parse_limit(request.query_params.get("limit")),
        "cursor": request.query_params.get("cursor"),
    }


def _errors(*statuses: int):
    return errors(*statuses, family="orders")


LIST_PARAMETERS = [
    OpenApiParameter("limit", int, description="Page size: 1 to 1000 (default 100)."),
    OpenApiParameter("cursor", str, description="The `nextCursor` of the previous page."),
]


class OrdersView(WorkspaceView):
    """The seed 003 family: `accessToken` header (JWT or API key, with or without `Bearer `) or the usual
    Authorization header; the workspace comes from the caller; every method needs `orders.manage`."""

    api_family = "orders"
    authentication_classes = [AccessTokenHeaderAuthentication, ApiKeyAuthentication, JWTAuthentication]
    required_permissions = {"GET": codes.ORDERS_MANAGE, "POST": codes.ORDERS_MANAGE}

    def order_data(self, order_id: int) -> dict[str, Any]:
        order = selectors.order_get(workspace=self.workspace, order_id=order_id)
        if order is None:
            raise NotFoundError(services.ORDER_NOT_FOUND_MESSAGE)
        return OrderOutputSerializer(order).data

    def invoice_data(self, invoice_id: int) -> dict[str, Any]:
        invoice = selectors.order_invoice_get(workspace=self.workspace, invoice_id=invoice_id)
        if invoice is None:
            raise NotFoundError(_("Invoice not found"))
        _attach_documents([invoice], self.workspace.pk)
        return OrderInvoiceOutputSerializer(invoice).data


def _attach_documents(invoices: list[OrderInvoice], workspace_id: int) -> None:
    """Each invoice's ZATCA document for its `zatca` (one query for the page)."""
    found = documents_of(ZATCA_SOURCE, [invoice.pk for invoice in invoices], workspace_id)
    for invoice in invoices:
        invoice.zatca_document = found.get(invoice.pk)


class OrderListView(OrdersView):
    @extend_schema(
        tags=["orders"],
        operation_id="orders_list",
        summary="List orders",
        description="The workspace's orders, newest first, with their line items and what is invoiced of each.",
        parameters=LIST_PARAMETERS,
        responses={200: _envelope(OrderOutputSerializer, many=True, message=False), **_errors(400)},
        examples=[
            OpenApiExample(
                "A page",
                value={"success": True, "data": [ORDER_EXAMPLE], "nextCursor": None},
                response_only=True,
            )
        ],
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        if not json_sql.available():
            rows, next_cursor = paginate(selectors.order_list(workspace=self.workspace), request)
            return success_page(OrderOutputSerializer(rows, many=True).data, next_cursor)
        rows, next_cursor = json_rows.page(Order, workspace_id=self.workspace.pk, **_page_query(request))
        return success_page(json_rows.fragments(rows, self.python_orders), next_cursor)

    def python_orders(self, ids: list[int]) -> dict[int, Any]:
        orders = selectors.order_list(workspace=self.workspace).filter(pk__in=ids)
        return {order.pk: OrderOutputSerializer(order).data for order in orders}

    @extend_schema(
        tags=["orders"],
        operation_id="orders_create",
        summary="Create an order",
        description=(
            "An open order. Each line names its price, an optional absolute `discount` off the line and its "
            "taxes (`taxIds`, at most two; without them the product's taxes). `total` comes from the totals "
            "calculator. `storeId` names the store that issues the order's invoices (and signs them for ZATCA "
            "where it has a device); without it, the workspace's first store. A `clientId`, `storeId`, "
            "`productId` or `taxId` of another workspace is a 404."
        ),
        request=OrderCreateInputSerializer,
        responses={201: _envelope(OrderOutputSerializer, many=False, message=True), **_errors(400, 404)},
        examples=[
            OpenApiExample(
                "Two lines",
                value={
                    "clientId": "7",
                    "storeId": "1",
                    "lineItems": [
                        {
                            "productId": "4",
                            "name": "Arabic coffee",
                            "quantity": 30,
                            "unitPrice": 50,
                            "taxIds": ["1"],
                        },
                        {"name": "Delivery", "quantity": 1, "unitPrice": 20, "discount": 5},
                    ],
                },
                request_only=True,
            ),
            OpenApiExample(
                "Created",
                value={"success": True, "data": ORDER_EXAMPLE, "message": ORDER_CREATED},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.validated(OrderCreateInputSerializer, request.data)
        order = services.order_create(
            workspace=self.workspace,
            access=self.access,
            client_id=data.get("client_id"),
            store_id=data.get("store_id"),
            lines=[services.OrderLineRequest(**line) for line in data["line_items"]],
            meta_fields=data.get("meta_fields", []),
        )
        return success(self.order_data(order.pk), message=ORDER_CREATED, status=201)


class OrderDetailView(OrdersView):
    @extend_schema(
        tags=["orders"],
        operation_id="orders_retrieve",
        summary="Get an order",
        description="One order with its line items and what is invoiced of each.",
        responses={200: _envelope(OrderOutputSerializer, many=False, message=False), **_errors(404)},
        examples=[
            OpenApiExample("An order", value={"success": True, "data": ORDER_EXAMPLE}, response_only=True)
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        return success(self.order_data(pk))


class OrderCancelView(OrdersView):
    @extend_schema(
        tags=["orders"],
        operation_id="orders_cancel",
        summary="Cancel an order",
        description=(
            "Cancels an order nothing has been invoiced from (422 once anything is). Cancelling a cancelled "
            "order changes nothing and answers the order."
        ),
        request=None,
        responses={200: _envelope(OrderOutputSerializer, many=False, message=False), **_errors(404, 422)},
        examples=[
            OpenApiExample(
                "Cancelled",
                value={"success": True, "data": {**ORDER_EXAMPLE, "status": "cancelled"}},
                response_only=True,
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        order = services.order_cancel(workspace=self.workspace, access=self.access, order_id=pk)
        return success(self.order_data(order.pk))


class InvoiceListView(OrdersView):
    @extend_schema(
        tags=["orders"],
        operation_id="invoices_list",
        summary="List order invoices",
        description="The workspace's order invoices, newest first; `orderId` keeps one order's. An invoice "
        "signed for ZATCA (its order's store has an onboarded device) carries `zatca`: its kind, its reporting or "
        "clearance state, UUID, ICV, hash, QR and ZATCA's errors and warnings; the others have no `zatca` key.",
        parameters=[OrderInvoiceQuerySerializer, *LIST_PARAMETERS],
        responses={200: _envelope(OrderInvoiceOutputSerializer, many=True, message=False), **_errors(400)},
        examples=[
            OpenApiExample(
                "A page",
                value={"success": True, "data": [INVOICE_EXAMPLE], "nextCursor": None},
                response_only=True,
            )
        ],
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        filters = OrderInvoiceFilterSet.parse(request.query_params)
        order_id = filters.get("order_id")
        if not json_sql.available():
            invoices = selectors.order_invoice_list(workspace=self.workspace, order_id=order_id)
            rows, next_cursor = paginate(invoices, request)
            _attach_documents(rows, self.workspace.pk)
            return success_page(OrderInvoiceOutputSerializer(rows, many=True).data, next_cursor)
        rows, next_cursor = json_rows.page(
            OrderInvoice, workspace_id=self.workspace.pk, order_id=order_id, **_page_query(request)
        )
        return success_page(json_rows.fragments(rows, self.python_invoices), next_cursor)

    def python_invoices(self, ids: list[int]) -> dict[int, Any]:
        invoices = list(selectors.order_invoice_list(workspace=self.workspace).filter(pk__in=ids))
        _attach_documents(invoices, self.workspace.pk)
        return {invoice.pk: OrderInvoiceOutputSerializer(invoice).data for invoice in invoices}

    @extend_schema(
        tags=["orders"],
        operation_id="invoices_create",
        summary="Create an invoice from an order",
        description=(
            "Seed 003. Without `lineItems` the invoice takes every quantity of the order not yet invoiced; with "
            "them, the quantities named (each positive and within what remains). 409 when nothing remains, 422 "
            "for a cancelled order. `total` comes from the order's prices, discounts and taxes. Where the order's "
            "store has an onboarded ZATCA device the invoice is signed as it is created and carries `zatca`: "
            "a standard tax invoice (the order's client has a VAT number and the device is onboarded for standard "
            "invoices) is cleared by ZATCA right after, a simplified one is reported by the worker. A standard "
            "invoice to a client without a complete address is a 400 naming the missing fields "
            "(`client.address.city`, ...) and invoices nothing; a line with two taxes cannot be signed (422)."
        ),
        request=OrderInvoiceCreateInputSerializer,
        responses={
            201: _envelope(OrderInvoiceOutputSerializer, many=False, message=True),
            **_errors(400, 404, 409, 422),
        },
        examples=[
            OpenApiExample("The whole order", value={"orderId": "12"}, request_only=True),
            OpenApiExample(
                "Part of it",
                value={"orderId": "12", "lineItems": [{"lineItemId": "31", "quantity": 10}]},
                request_only=True,
            ),
            OpenApiExample(
                "Created",
                value={"success": True, "data": INVOICE_EXAMPLE, "message": INVOICE_CREATED},
                response_only=True,
                status_codes=["201"],
            ),
            OpenApiExample(
                "Created and cleared by ZATCA",
                value={
                    "success": True,
                    "data": {**INVOICE_EXAMPLE, "zatca": ZATCA_EXAMPLE},
                    "message": INVOICE_CREATED,
                },
                response_only=True,
                status_codes=["201"],
            ),
            OpenApiExample(
                "A standard invoice's buyer without a complete address",
                value={
                    "success": False,
                    "message": "Validation error: client.address.city: Required for a standard tax invoice (ZATCA).",
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.validated(OrderInvoiceCreateInputSerializer, request.data)
        lines = data.get("line_items")
        invoice = services.order_invoice_create(
            workspace=self.workspace,
            access=self.access,
            order_id=data["order_id"],
            lines=None if lines is None else [services.InvoiceLineRequest(**line) for line in lines],
            meta_fields=data.get("meta_fields", []),
        )
        return success(self.invoice_data(invoice.pk), message=INVOICE_CREATED, status=201)


class InvoiceDetailView(OrdersView):
    @extend_schema(
        tags=["orders"],
        operation_id="invoices_retrieve",
        summary="Get an order invoice",
        description="One invoice generated from an order, as seed 003 writes it.",
        responses={200: _envelope(OrderInvoiceOutputSerializer, many=False, message=False), **_errors(404)},
        examples=[
            OpenApiExample("An invoice", value={"success": True, "data": INVOICE_EXAMPLE}, response_only=True)
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        return success(self.invoice_data(pk))


class InvoiceZatcaXmlView(OrdersView):
    @extend_schema(
        tags=["orders"],
        operation_id="invoices_zatca_xml_retrieve",
        summary="An order invoice's ZATCA XML",
        description="The invoice's UBL 2.1 XML as signed, or ZATCA's cleared XML once a standard invoice is "
        "cleared (section 8c): what the buyer gets. 404 when the invoice was not signed (its store has no "
        "onboarded ZATCA device).",
        responses={(200, "application/xml"): str, **_errors(404)},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        document = document_of(ZATCA_SOURCE, pk, self.workspace.pk)
        if document is None:
            raise NotFoundError(_("Invoice not found"))
        return xml_response(document)
