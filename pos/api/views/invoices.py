"""POS invoices (seeds 000 and 001): create, list, items, discounts, complete, cancel, receipt."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from orjson import Fragment
from rest_framework.request import Request
from rest_framework.response import Response

from invoicing.models import Product
from pos import selectors, services
from pos.api.invoice_inputs import (
    CancelInputSerializer,
    CompleteInputSerializer,
    DiscountInputSerializer,
    InvoiceCreateInputSerializer,
    InvoiceFilterSet,
    InvoiceQuerySerializer,
    InvoiceUpdateInputSerializer,
    ItemAddInputSerializer,
    ItemUpdateInputSerializer,
)
from pos.api.json_rows import INVOICE_JSON
from pos.api.serializers import InvoiceOutputSerializer, invoice_row_output
from pos.api.views.common import INVOICE_EXAMPLE, PosView
from pos.pages import invoice_page
from pos.product_reads import product_for_sale
from pos.receipts import render_receipt
from workspaces import codes, json_sql
from workspaces.api.base import ok, page
from workspaces.api.pagination import parse_limit
from workspaces.api.replica import replica_reads
from workspaces.errors import NotFoundError
from workspaces.models import Client
from workspaces.tenancy import get_object_or_404


class InvoiceListView(PosView):
    required_permissions = {"GET": codes.STORE_ORDERS_MANAGE, "POST": codes.STORE_ORDERS_MANAGE}

    @extend_schema(parameters=[InvoiceQuerySerializer], responses={200: InvoiceOutputSerializer(many=True)})
    @replica_reads
    def get(self, request: Request, workspace_id: int) -> Response:
        """List POS invoices

        Seed 001's filters: `clientId`, `status`, `orderStatusId`, `posBusinessSessionId`, `startDate`,
        `endDate` (a date or a date-time, inclusive). Newest first. Needs `store.orders.manage`."""
        filters = InvoiceFilterSet.parse(request.query_params, context={"time_zone": self.workspace.timezone})
        written = json_sql.available()  # PostgreSQL writes the page's answers (`pos.api.json_rows`)
        rows, next_cursor = invoice_page(
            workspace=self.workspace,
            filters=filters,
            limit=parse_limit(request.query_params.get("limit")),
            cursor=request.query_params.get("cursor"),
            json=INVOICE_JSON if written else None,
        )
        if written:
            return page("invoices", [Fragment(row["json"]) for row in rows], next_cursor)
        return page("invoices", [invoice_row_output(row) for row in selectors.with_lines(rows)], next_cursor)

    @extend_schema(
        request=InvoiceCreateInputSerializer,
        responses={201: InvoiceOutputSerializer},
        examples=[
            OpenApiExample("Create", value={"clientId": "7"}, request_only=True),
            OpenApiExample("Created", value=INVOICE_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request: Request, workspace_id: int) -> Response:
        """Create a POS invoice

        A draft for a client in the day's open session, with the client's automatic discount (seed 000).
        Without an open session: 422 `no_open_session`. Needs `store.orders.manage`."""
        data = self.validated(InvoiceCreateInputSerializer, request.data)
        invoice = services.invoice_create(
            workspace=self.workspace,
            access=self.access,
            client=Client(pk=data["client_id"], workspace_id=self.workspace.pk),  # read with the session
            store=self.store_named(data.get("store_id")),
        )
        return self.render_invoice(invoice, status=201)


class InvoiceDetailView(PosView):
    required_permissions = {"GET": codes.STORE_ORDERS_MANAGE, "PATCH": codes.STORE_ORDERS_MANAGE}

    @extend_schema(responses={200: InvoiceOutputSerializer})
    def get(self, request: Request, workspace_id: int, invoice_id: int) -> Response:
        """Get a POS invoice

        Needs `store.orders.manage`."""
        row = selectors.invoice_row_get(workspace=self.workspace, invoice_id=invoice_id)
        if row is None:
            raise NotFoundError(_("Invoice not found."))
        return ok("invoice", invoice_row_output(row))

    @extend_schema(request=InvoiceUpdateInputSerializer, responses={200: InvoiceOutputSerializer})
    def patch(self, request: Request, workspace_id: int, invoice_id: int) -> Response:
        """Set a POS invoice's order status

        Allowed in any status. Needs `store.orders.manage`."""
        invoice = self.invoice_ref(invoice_id)
        data = self.validated(InvoiceUpdateInputSerializer, request.data)
        status_id = data["order_status_id"]
        order_status = None
        if status_id is not None:
            order_status = get_object_or_404(
                selectors.order_status_list(workspace=self.workspace), pk=status_id
            )
        invoice = services.invoice_set_order_status(
            invoice=invoice, access=self.access, order_status=order_status
        )
        return self.render_invoice(invoice)


class InvoiceItemListView(PosView):
    required_permissions = {"POST": codes.STORE_ORDERS_MANAGE}

    @extend_schema(
        request=ItemAddInputSerializer,
        responses={201: InvoiceOutputSerializer},
        examples=[OpenApiExample("Two coffees", value={"productId": "3", "quantity": 2}, request_only=True)],
    )
    def post(self, request: Request, workspace_id: int, invoice_id: int) -> Response:
        """Add an item

        A new line, even for a product already on the invoice; `unitPrice` defaults to the product's price.
        Answers the invoice with new totals. Only a draft (422 `invoice_not_draft`)."""
        invoice = self.invoice_ref(invoice_id)
        data = self.validated(ItemAddInputSerializer, request.data)
        product = product_for_sale(workspace=self.workspace, product_id=data["product_id"])
        if product is None:  # the words of `get_object_or_404`, in every language
            raise NotFoundError(
                _("%(model)s not found.") % {"model": Product._meta.verbose_name.capitalize()}
            )
        invoice = services.invoice_add_item(
            invoice=invoice,
            access=self.access,
            product=product,
            quantity=data["quantity"],
            unit_price=data.get("unit_price"),
            note=data["note"],
        )
        return self.render_invoice(invoice, status=201)


class InvoiceItemDetailView(PosView):
    required_permissions = {"PATCH": codes.STORE_ORDERS_MANAGE, "DELETE": codes.STORE_ORDERS_MANAGE}

    @extend_schema(request=ItemUpdateInputSerializer, responses={200: InvoiceOutputSerializer})
    def patch(self, request: Request, workspace_id: int, invoice_id: int, item_id: int) -> Response:
        """Change an item

        Quantity, unit price or note of a draft's line; answers the invoice."""
        invoice = self.invoice_ref(invoice_id)
        data = self.validated(ItemUpdateInputSerializer, request.data, partial=True)
        invoice = services.invoice_update_item(
            invoice=invoice, access=self.access, item_id=item_id, data=data
        )
        return self.render_invoice(invoice)

    @extend_schema(responses={200: InvoiceOutputSerializer})
    def delete(self, request: Request, workspace_id: int, invoice_id: int, item_id: int) -> Response:
        """Remove an item

        Answers the invoice with new totals."""
        invoice = services.invoice_remove_item(
            invoice=self.invoice_ref(invoice_id), access=self.access, item_id=item_id
        )
        return self.render_invoice(invoice)


class InvoiceDiscountListView(PosView):
    required_permissions = {"POST": codes.STORE_ORDERS_MANAGE}

    @extend_schema(request=DiscountInputSerializer, responses={201: InvoiceOutputSerializer})
    def post(self, request: Request, workspace_id: int, invoice_id: int) -> Response:
        """Add a discount

        A percent of the subtotal after line discounts, or a fixed amount; answers the invoice."""
        invoice = self.invoice_ref(invoice_id)
        data = self.validated(DiscountInputSerializer, request.data)
        invoice = services.invoice_add_discount(
            invoice=invoice, access=self.access, type=data["type"], value=data["value"], reason=data["reason"]
        )
        return self.render_invoice(invoice, status=201)


class InvoiceDiscountDetailView(PosView):
    required_permissions = {"DELETE": codes.STORE_ORDERS_MANAGE}

    @extend_schema(responses={200: InvoiceOutputSerializer})
    def delete(self, request: Request, workspace_id: int, invoice_id: int, discount_id: int) -> Response:
        """Remove a discount

        Answers the invoice with new totals."""
        invoice = services.invoice_remove_discount(
            invoice=self.invoice_ref(invoice_id), access=self.access, discount_id=discount_id
        )
        return self.render_invoice(invoice)


class InvoiceCompleteView(PosView):
    required_permissions = {"POST": codes.STORE_ORDERS_MANAGE}

    @extend_schema(
        request=CompleteInputSerializer,
        responses={200: InvoiceOutputSerializer},
        examples=[
            OpenApiExample(
                "Card and cash",
                value={"payments": [{"method": "card", "amount": 50}, {"method": "cash", "amount": 20}]},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, workspace_id: int, invoice_id: int) -> Response:
        """Complete the sale

        Records the payments (default: the total in cash) and takes the stock out of the store, exactly once.
        Payments must cover the total; only cash may exceed it (`changeDue`), else 422 `payment_mismatch`.
        Short stock is a 422 `insufficient_stock` naming the products."""
        invoice = self.invoice_ref(invoice_id)
        data = self.validated(CompleteInputSerializer, request.data)
        payments = None
        if "payments" in data:
            payments = [
                services.PaymentInput(method=p["method"], amount=p["amount"]) for p in data["payments"]
            ]
        invoice = services.invoice_complete(invoice=invoice, access=self.access, payments=payments)
        return self.render_invoice(invoice)


class InvoiceCancelView(PosView):
    required_permissions = {"POST": codes.STORE_ORDERS_MANAGE}

    @extend_schema(request=CancelInputSerializer, responses={200: InvoiceOutputSerializer})
    def post(self, request: Request, workspace_id: int, invoice_id: int) -> Response:
        """Cancel or void

        Cancels a draft; voiding a completed invoice needs `pos.invoices.void` and puts its stock back once."""
        invoice = self.invoice_ref(invoice_id)
        data = self.validated(CancelInputSerializer, request.data)
        invoice = services.invoice_cancel(invoice=invoice, access=self.access, reason=data["reason"])
        return self.render_invoice(invoice)


class InvoiceReceiptView(PosView):
    required_permissions = {"GET": codes.STORE_ORDERS_MANAGE}

    @extend_schema(responses={(200, "text/html"): str})
    def get(self, request: Request, workspace_id: int, invoice_id: int) -> HttpResponse:
        """Print the receipt

        An 80 mm HTML receipt with the ZATCA QR code when the workspace has a VAT number."""
        invoice = selectors.invoice_for_receipt(workspace=self.workspace, invoice_id=invoice_id)
        if invoice is None:
            raise NotFoundError(_("Invoice not found."))
        html = render_receipt(invoice)
        return HttpResponse(html, content_type="text/html; charset=utf-8")
