"""Suppliers endpoints (PRODUCT.md section 6; seed 002). Views parse, authorise, call one service or selector,
render. Every read needs `suppliers.view`, every write `suppliers.manage`, and the workspace's suppliers section
must be on."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from suppliers import error_codes, exports, selectors, services
from suppliers.api.serializers import (
    SupplierAgingFilterSerializer,
    SupplierAgingOutputSerializer,
    SupplierInputSerializer,
    SupplierInvoiceCreateInputSerializer,
    SupplierInvoiceExportFilterSerializer,
    SupplierInvoiceFilterSerializer,
    SupplierInvoiceImageInputSerializer,
    SupplierInvoiceImageOutputSerializer,
    SupplierInvoiceOutputSerializer,
    SupplierInvoiceUpdateInputSerializer,
    SupplierOutputSerializer,
    SupplierPaymentCreatedSerializer,
    SupplierPaymentInputSerializer,
    SupplierPaymentOutputSerializer,
)
from suppliers.models import Supplier, SupplierInvoice
from workspaces import codes
from workspaces.api.base import WorkspaceView, created, no_content, ok, page
from workspaces.api.docs import envelope, errors
from workspaces.api.docs import page as page_of
from workspaces.api.negotiation import JsonByDefaultNegotiation
from workspaces.api.pagination import paginate
from workspaces.api.parsers import JSONParser
from workspaces.dates import workspace_today
from workspaces.errors import ApplicationError, NotFoundError
from workspaces.tenancy import get_object_or_404

TAGS = ["suppliers"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BODY = 12 * 1024 * 1024  # PRODUCT.md section 2: multipart uploads up to 12 MB

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
    "method": "bank_transfer",
    "reference": "TRX-5531",
    "notes": None,
    "createdAt": "2024-01-20T08:30:00.000Z",
}
PAID_PART = {**INVOICE_EXAMPLE, "paidAmount": 2000, "remainingAmount": 3000, "status": "partially_paid"}


class ListSchema(AutoSchema):
    """A GET answering a page envelope is a list (`..._list`), not a retrieve: the operation ids of a collection
    and of one of its members stay apart."""

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        return operation_id.removesuffix("_retrieve") + "_list" if self.method == "GET" else operation_id


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

    def invoice_page(self, request: Request, filters: dict) -> Response:
        invoices = selectors.invoice_list(workspace=self.workspace, today=self.today, filters=filters)
        rows, next_cursor = paginate(invoices, request)
        data = SupplierInvoiceOutputSerializer(rows, many=True, context={"today": self.today}).data
        return page("invoices", data, next_cursor)


# --- Suppliers -----------------------------------------------------------------------------------------------


class SupplierListView(SuppliersView):
    schema = ListSchema()

    @extend_schema(
        tags=TAGS,
        summary="List suppliers",
        description="The workspace's suppliers, newest first, `limit` at a time (`cursor` for the next page).",
        responses={200: page_of("suppliers", SupplierOutputSerializer), **errors(400)},
        examples=[
            OpenApiExample(
                "A page", value={"suppliers": [SUPPLIER_EXAMPLE], "nextCursor": None}, response_only=True
            )
        ],
    )
    def get(self, request: Request, workspace_id: int) -> Response:
        rows, next_cursor = paginate(selectors.supplier_list(workspace=self.workspace), request)
        return page("suppliers", SupplierOutputSerializer(rows, many=True).data, next_cursor)

    @extend_schema(
        tags=TAGS,
        summary="Add a supplier",
        description="Creates a supplier. Optional fields not given are written null.",
        request=SupplierInputSerializer,
        responses={201: envelope("supplier", SupplierOutputSerializer), **errors(400, 409, 415, 422)},
        examples=[
            OpenApiExample(
                "Supplier",
                value={"name": "مؤسسة التوريدات الحديثة", "phone": "+966500000001"},
                request_only=True,
            ),
            OpenApiExample("Created", value={"supplier": SUPPLIER_EXAMPLE}, response_only=True),
        ],
    )
    def post(self, request: Request, workspace_id: int) -> Response:
        data = self.validated(SupplierInputSerializer, request.data)
        supplier = services.supplier_create(workspace=self.workspace, access=self.access, data=data)
        return created("supplier", SupplierOutputSerializer(supplier).data)


class SupplierDetailView(SuppliersView):
    @extend_schema(
        tags=TAGS,
        summary="Get a supplier",
        description="One supplier of this workspace.",
        responses={200: envelope("supplier", SupplierOutputSerializer), **errors(404)},
        examples=[OpenApiExample("Supplier", value={"supplier": SUPPLIER_EXAMPLE}, response_only=True)],
    )
    def get(self, request: Request, workspace_id: int, supplier_id: int) -> Response:
        return ok("supplier", SupplierOutputSerializer(self.supplier_of(supplier_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a supplier",
        description="Changes the fields given; the others stay as they are.",
        request=SupplierInputSerializer(partial=True),
        responses={200: envelope("supplier", SupplierOutputSerializer), **errors(400, 404, 409, 415, 422)},
        examples=[
            OpenApiExample("New phone", value={"phone": "+966500000002"}, request_only=True),
            OpenApiExample("Changed", value={"supplier": SUPPLIER_EXAMPLE}, response_only=True),
        ],
    )
    def patch(self, request: Request, workspace_id: int, supplier_id: int) -> Response:
        supplier = self.supplier_of(supplier_id)
        data = self.validated(SupplierInputSerializer, request.data, partial=True)
        supplier = services.supplier_update(
            workspace=self.workspace, access=self.access, supplier=supplier, data=data
        )
        return ok("supplier", SupplierOutputSerializer(supplier).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a supplier",
        description="Deletes a supplier without invoices; one with invoices is 409 `in_use`.",
        responses={204: None, **errors(404, 409)},
    )
    def delete(self, request: Request, workspace_id: int, supplier_id: int) -> Response:
        services.supplier_delete(
            workspace=self.workspace, access=self.access, supplier=self.supplier_of(supplier_id)
        )
        return no_content()


# --- Supplier invoices ---------------------------------------------------------------------------------------


class SupplierInvoiceListView(SuppliersView):
    schema = ListSchema()

    @extend_schema(
        tags=TAGS,
        summary="List a supplier's invoices",
        description="The supplier's invoices, newest first, with the same filters as the list across suppliers.",
        parameters=[SupplierInvoiceFilterSerializer],
        responses={200: page_of("invoices", SupplierInvoiceOutputSerializer), **errors(400, 404)},
        examples=[
            OpenApiExample(
                "A page", value={"invoices": [INVOICE_EXAMPLE], "nextCursor": None}, response_only=True
            )
        ],
    )
    def get(self, request: Request, workspace_id: int, supplier_id: int) -> Response:
        supplier = self.supplier_of(supplier_id)
        filters = self.validated(SupplierInvoiceFilterSerializer, request.query_params)
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


class SupplierPaymentListView(SuppliersView):
    @extend_schema(
        tags=TAGS,
        summary="Record a payment",
        description=(
            "Pays part or all of what remains. More than `remainingAmount` is 422 `overpayment` and records "
            "nothing. Answers the payment and the invoice with its new balance and status."
        ),
        request=SupplierPaymentInputSerializer,
        responses={201: SupplierPaymentCreatedSerializer, **errors(400, 404, 409, 415, 422)},
        examples=[
            OpenApiExample(
                "Transfer",
                value={"amount": 2000, "method": "bank_transfer", "reference": "TRX-5531"},
                request_only=True,
            ),
            OpenApiExample(
                "Recorded", value={"payment": PAYMENT_EXAMPLE, "invoice": PAID_PART}, response_only=True
            ),
        ],
    )
    def post(self, request: Request, workspace_id: int, supplier_id: int, invoice_id: int) -> Response:
        invoice = self.invoice_of(supplier_id, invoice_id)
        data = self.validated(SupplierPaymentInputSerializer, request.data)
        payment, invoice = services.supplier_payment_add(
            workspace=self.workspace, access=self.access, invoice=invoice, **data
        )
        return Response(
            {"payment": SupplierPaymentOutputSerializer(payment).data, "invoice": self.invoice_data(invoice)},
            status=201,
        )


class SupplierPaymentDetailView(SuppliersView):
    @extend_schema(
        tags=TAGS,
        summary="Remove a payment",
        description="Removes a payment recorded by mistake; answers the invoice with its new balance.",
        responses={200: envelope("invoice", SupplierInvoiceOutputSerializer), **errors(404)},
        examples=[OpenApiExample("Invoice", value={"invoice": INVOICE_EXAMPLE}, response_only=True)],
    )
    def delete(
        self, request: Request, workspace_id: int, supplier_id: int, invoice_id: int, payment_id: int
    ) -> Response:
        invoice = services.supplier_payment_remove(
            workspace=self.workspace,
            access=self.access,
            invoice=self.invoice_of(supplier_id, invoice_id),
            payment_id=payment_id,
        )
        return ok("invoice", self.invoice_data(invoice))


class SupplierInvoiceImageView(SuppliersView):
    parser_classes = [MultiPartParser]

    def check_permissions(self, request: Request) -> None:
        """Refuses an oversized body before it is read (and before `Idempotency-Key` fingerprints it)."""
        super().check_permissions(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_UPLOAD_BODY:
            raise ApplicationError(
                _("The upload is larger than 12 MB."), code="payload_too_large", status=413
            )

    @extend_schema(
        tags=TAGS,
        summary="Upload a scanned supplier invoice",
        description=(
            "multipart/form-data with one field, `file`: a JPEG, PNG, WebP or GIF image (checked by its content, "
            "at most 10 MB and 40 megapixels; turned upright, scaled to at most 4096 px and re-encoded to WebP "
            "without metadata) or a PDF (kept as it is). Answers the file's absolute URL, to pass as `imageUrl` "
            "when creating the invoice. A refused file is a 400 and leaves nothing stored."
        ),
        request={"multipart/form-data": SupplierInvoiceImageInputSerializer},
        responses={201: SupplierInvoiceImageOutputSerializer, **errors(400, 404, 409, 413, 415, 422)},
        examples=[
            OpenApiExample(
                "Stored",
                value={
                    "url": "https://shop.example/media/supplier-invoices/1/Zk3q9Xw2mYbT0vR8pL5sHa1cE4uN6jDg.webp"
                },
                response_only=True,
                status_codes=["201"],
            )
        ],
    )
    def post(self, request: Request, workspace_id: int, supplier_id: int) -> Response:
        supplier = self.supplier_of(supplier_id)
        upload = self.validated(SupplierInvoiceImageInputSerializer, request.data)["file"]
        url = services.invoice_image_store(
            workspace=self.workspace, access=self.access, supplier=supplier, upload=upload, size=upload.size
        )
        return Response({"url": request.build_absolute_uri(url)}, status=201)


# --- Across suppliers ----------------------------------------------------------------------------------------


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
        parameters=[SupplierInvoiceFilterSerializer],
        responses={200: page_of("invoices", SupplierInvoiceOutputSerializer), **errors(400)},
        examples=[
            OpenApiExample(
                "A page", value={"invoices": [PAID_PART], "nextCursor": "cGs6MjE"}, response_only=True
            )
        ],
    )
    def get(self, request: Request, workspace_id: int) -> Response:
        return self.invoice_page(
            request, self.validated(SupplierInvoiceFilterSerializer, request.query_params)
        )


class _NoFormatOverride(JsonByDefaultNegotiation):
    """`format=csv|xlsx` picks the file, not a DRF renderer: errors are always JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class InvoiceExportView(SuppliersView):
    content_negotiation_class = _NoFormatOverride

    @extend_schema(
        tags=TAGS,
        summary="Export supplier invoices",
        description=(
            "The list's filters, as a file: `format=csv` (default; UTF-8 with a BOM, streamed, any number of "
            "rows) or `format=xlsx` (at most 1,048,575 rows, else a 400 pointing to CSV)."
        ),
        parameters=[SupplierInvoiceExportFilterSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file."),
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The XLSX workbook."),
            **errors(400),
        },
    )
    def get(self, request: Request, workspace_id: int):
        filters = self.validated(SupplierInvoiceExportFilterSerializer, request.query_params)
        kind = filters.pop("format")
        today = self.today
        invoices = selectors.invoice_list(workspace=self.workspace, today=today, filters=filters)
        if kind == "xlsx":
            exports.check_xlsx_size(invoices.count())
            handle = exports.xlsx_file(exports.rows(invoices, today))
            return FileResponse(
                handle, as_attachment=True, filename=exports.filename("xlsx", today), content_type=XLSX_TYPE
            )
        response = StreamingHttpResponse(
            exports.csv_lines(exports.rows(invoices, today)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{exports.filename("csv", today)}"'
        return response


class AgingView(SuppliersView):
    @extend_schema(
        tags=TAGS,
        summary="Supplier aging",
        description=(
            "What is still owed per supplier on `asOf` (default: the workspace's today), by days past due: not "
            "due, 1-30, 31-60, 61-90, over 90. Invoices issued after `asOf` are left out."
        ),
        parameters=[SupplierAgingFilterSerializer],
        responses={200: SupplierAgingOutputSerializer, **errors(400)},
        examples=[
            OpenApiExample(
                "Aging",
                value={
                    "asOf": "2024-03-31",
                    "currency": "SAR",
                    "suppliers": [
                        {
                            "supplierId": "4",
                            "name": "مؤسسة التوريدات الحديثة",
                            "notDue": 1000,
                            "days1to30": 0,
                            "days31to60": 3000,
                            "days61to90": 0,
                            "over90": 0,
                            "total": 4000,
                        }
                    ],
                    "totals": {
                        "notDue": 1000,
                        "days1to30": 0,
                        "days31to60": 3000,
                        "days61to90": 0,
                        "over90": 0,
                        "total": 4000,
                    },
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, workspace_id: int) -> Response:
        filters = self.validated(SupplierAgingFilterSerializer, request.query_params)
        as_of = filters.get("as_of") or self.today
        return Response(selectors.aging(workspace=self.workspace, as_of=as_of))
