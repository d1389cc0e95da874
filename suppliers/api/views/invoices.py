"""Supplier invoices (seed 002), across suppliers too (the invoice image upload: `files.py`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from suppliers import services
from suppliers.api.serializers import (
    SupplierInvoiceCreateInputSerializer,
    SupplierInvoiceFilterSet,
    SupplierInvoiceOutputSerializer,
    SupplierInvoiceQuerySerializer,
    SupplierInvoiceUpdateInputSerializer,
)
from suppliers.api.views.common import (
    INVOICE_EXAMPLE,
    INVOICE_REQUEST,
    PAID_PART,
    TAGS,
    ListSchema,
    SuppliersView,
)
from workspaces.api.base import created, no_content, ok
from workspaces.api.docs import envelope, errors
from workspaces.api.docs import page as page_of
from workspaces.api.replica import replica_reads


class SupplierInvoiceListView(SuppliersView):
    schema = ListSchema()

    @extend_schema(
        tags=TAGS,
        summary="List a supplier's invoices",
        description="The supplier's invoices, newest first, with the same filters as the list across suppliers.",
        # The path names the supplier: a `supplierId` would not be read.
        parameters=[SupplierInvoiceQuerySerializer, OpenApiParameter("supplierId", exclude=True)],
        responses={200: page_of("invoices", SupplierInvoiceOutputSerializer), **errors(400, 404)},
        examples=[
            OpenApiExample(
                "A page", value={"invoices": [INVOICE_EXAMPLE], "nextCursor": None}, response_only=True
            )
        ],
    )
    @replica_reads
    def get(self, request: Request, workspace_id: int, supplier_id: int) -> Response:
        supplier = self.supplier_of(supplier_id)
        filters = SupplierInvoiceFilterSet.parse(request.query_params)
        return self.invoice_page(request, {**filters, "supplier_id": supplier.pk})

    @extend_schema(
        tags=TAGS,
        summary="Create a supplier invoice",
        description=(
            "Records a supplier's invoice (seed 002). `invoiceNumber` is unique in the workspace once trimmed, "
            "case-folded and with Arabic-Indic digits read as ASCII: a duplicate is 409 "
            "`duplicate_invoice_number`. `totalAmount` ≥ 0; `dueDate`, when given, is not before `issueDate`. "
            "To attach a scan, upload it first (`invoice-image`) and pass the returned URL as `imageUrl`."
        ),
        request=SupplierInvoiceCreateInputSerializer,
        responses={
            201: envelope("invoice", SupplierInvoiceOutputSerializer),
            **errors(400, 404, 409, 415, 422),
        },
        examples=[
            OpenApiExample("Seed 002", value=INVOICE_REQUEST, request_only=True),
            OpenApiExample("Created", value={"invoice": INVOICE_EXAMPLE}, response_only=True),
        ],
    )
    def post(self, request: Request, workspace_id: int, supplier_id: int) -> Response:
        supplier = self.supplier_of(supplier_id)
        data = self.validated(SupplierInvoiceCreateInputSerializer, request.data)
        invoice = services.supplier_invoice_create(
            workspace=self.workspace, access=self.access, supplier=supplier, **data
        )
        return created("invoice", self.invoice_data(invoice))


class SupplierInvoiceDetailView(SuppliersView):
    @extend_schema(
        tags=TAGS,
        summary="Get a supplier invoice",
        description="One invoice of this supplier, with its balance and whether it is overdue today.",
        responses={200: envelope("invoice", SupplierInvoiceOutputSerializer), **errors(404)},
        examples=[OpenApiExample("Invoice", value={"invoice": PAID_PART}, response_only=True)],
    )
    def get(self, request: Request, workspace_id: int, supplier_id: int, invoice_id: int) -> Response:
        return ok("invoice", self.invoice_data(self.invoice_of(supplier_id, invoice_id)))

    @extend_schema(
        tags=TAGS,
        summary="Change a supplier invoice",
        description=(
            "Changes the fields given. A `totalAmount` below what is already paid is 422 `overpayment`; "
            "a number another invoice has is 409 `duplicate_invoice_number`."
        ),
        request=SupplierInvoiceUpdateInputSerializer(partial=True),
        responses={
            200: envelope("invoice", SupplierInvoiceOutputSerializer),
            **errors(400, 404, 409, 415, 422),
        },
        examples=[
            OpenApiExample("New due date", value={"dueDate": "2024-03-01"}, request_only=True),
            OpenApiExample("Changed", value={"invoice": INVOICE_EXAMPLE}, response_only=True),
        ],
    )
    def patch(self, request: Request, workspace_id: int, supplier_id: int, invoice_id: int) -> Response:
        invoice = self.invoice_of(supplier_id, invoice_id)
        data = self.validated(SupplierInvoiceUpdateInputSerializer, request.data, partial=True)
        invoice = services.supplier_invoice_update(
            workspace=self.workspace, access=self.access, invoice=invoice, data=data
        )
        return ok("invoice", self.invoice_data(invoice))

    @extend_schema(
        tags=TAGS,
        summary="Delete a supplier invoice",
        description="Deletes an invoice without payments; one with payments is 409 `invoice_has_payments`.",
        responses={204: None, **errors(404, 409)},
    )
    def delete(self, request: Request, workspace_id: int, supplier_id: int, invoice_id: int) -> Response:
        services.supplier_invoice_delete(
            workspace=self.workspace, access=self.access, invoice=self.invoice_of(supplier_id, invoice_id)
        )
        return no_content()


class InvoiceListView(SuppliersView):
    schema = ListSchema()

    @extend_schema(
        tags=TAGS,
        summary="List supplier invoices",
        description=(
            "Invoices across suppliers, newest first. Filters: `supplierId`, `status`, `issueDateFrom`/`To`, "
            "`dueDateFrom`/`To` (inclusive), `overdue` (true/false, against the workspace's today), `q` (number, "
            "description or supplier name contains)."
        ),
        parameters=[SupplierInvoiceQuerySerializer],
        responses={200: page_of("invoices", SupplierInvoiceOutputSerializer), **errors(400)},
        examples=[
            OpenApiExample(
                "A page", value={"invoices": [PAID_PART], "nextCursor": "cGs6MjE"}, response_only=True
            )
        ],
    )
    @replica_reads
    def get(self, request: Request, workspace_id: int) -> Response:
        return self.invoice_page(request, SupplierInvoiceFilterSet.parse(request.query_params))
