"""The api2 invoice API (seed 004, PRODUCT.md section 8): create, view and list sales invoices.

The workspace comes from the API key, the token's `workspace_id` claim or the user's only membership; a user needs
`invoices.manage` (an API key holds every code). Errors come in api2's envelope (`api_family`).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from invoicing import sales_selectors
from invoicing.api.zatca import xml_response
from invoicing.api2 import json_rows
from invoicing.api2.filters import Api2InvoiceQuerySerializer, invoice_list_query
from invoicing.api2.serializers import (
    Api2InvoiceCreatedSerializer,
    Api2InvoiceCreateRequestSerializer,
    Api2InvoiceEnvelopeSerializer,
    Api2InvoicePageSerializer,
    invoice_input,
)
from invoicing.models import Invoice
from invoicing.services.sales_invoice_zatca import SOURCE
from invoicing.services.sales_invoices import SalesInvoiceLine, SalesInvoicePayment, sales_invoice_create
from invoicing.zatca.reads import document_of, documents_of, summary
from workspaces import codes, json_sql
from workspaces.api.base import WorkspaceView
from workspaces.api.docs import errors
from workspaces.api.parsers import JSONParser, PlainTextJSONParser
from workspaces.api.replica import replica_reads
from workspaces.errors import NotFoundError

SEED_REQUEST = {
    "Invoice": {
        "client_id": 15,
        "store_id": 1,
        "currency_code": "USD",
        "date": "2023-03-23",
        "draft": 0,
        "notes": "Invoice for March services",
        "InvoiceItem": [
            {"product_id": 1, "quantity": 2, "unit_price": 100},
            {"product_id": 3, "quantity": 1, "unit_price": 50, "discount": 10, "discount_type": 1},
        ],
    }
}
INVOICE_EXAMPLE = {
    "id": 124,
    "no": "000124",
    "client_id": 15,
    "store_id": 1,
    "currency_code": "USD",
    "date": "2023-03-23",
    "draft": 0,
    "discount": 0,
    "discount_amount": 0,
    "notes": "Invoice for March services",
    "po_number": None,
    "is_offline": 0,
    "summary_subtotal": 250,
    "summary_discount": 5,
    "summary_tax": 0,
    "summary_total": 245,
    "summary_paid": 0,
    "summary_unpaid": 245,
}
ITEM_EXAMPLE = {
    "id": 301,
    "product_id": 3,
    "quantity": 1,
    "unit_price": 50,
    "discount": 10,
    "discount_type": 1,
    "tax1": None,
    "tax2": None,
    "col_3": None,
    "col_4": None,
    "col_5": None,
    "subtotal": 50,
    "discount_amount": 5,
    "tax_amount": 0,
    "total": 45,
}


class Api2View(WorkspaceView):
    api_family = "api2"
    # Seed 004's curl sends the JSON as text/plain; both are read as JSON (numbers as exact Decimals).
    parser_classes = [JSONParser, PlainTextJSONParser]
    required_permissions = {"GET": codes.INVOICES_MANAGE, "POST": codes.INVOICES_MANAGE}


def _lines(items: list[dict[str, Any]]) -> list[SalesInvoiceLine]:
    return [
        SalesInvoiceLine(
            product_id=item["product_id"],
            quantity=item["quantity"],
            unit_price=item["unit_price"],
            discount=item.get("discount") or Decimal(0),
            discount_type=int(item.get("discount_type") or 1),
            tax1_id=item.get("tax1"),
            tax2_id=item.get("tax2"),
            col_3=item.get("col_3"),
            col_4=item.get("col_4"),
            col_5=item.get("col_5"),
        )
        for item in items
    ]


class InvoiceListView(Api2View):
    @extend_schema(
        tags=["api2"],
        operation_id="api2_invoices_list",
        summary="List invoices",
        description="This workspace's invoices, newest first (the latest `date` first; on one day, the last "
        "created first), a page at a time (`limit` 20 by default, at most 100: a larger limit is read as 100). "
        "Each row is the invoice without its items; open one with "
        "`GET /api2/invoices/{id}.json`. The filters (`client_id`, `store_id`, `draft`, `date_from`, `date_to`, "
        "`search`) combine; `pagination.total_results` is exact, but past 10,000 rows of a list filtered by a "
        "client, a store, `draft` or `search` it is an estimate. "
        "Any other parameter, a parameter given twice or a blank filter is a 400 naming it in "
        "`validation_errors`. Also served without `.json` (`/api2/invoices`), as the public clients call it.",
        parameters=[Api2InvoiceQuerySerializer],
        responses={200: Api2InvoicePageSerializer, **errors(400, family="api2")},
        examples=[
            OpenApiExample(
                "A page",
                value={
                    "code": 200,
                    "result": "successful",
                    "data": [{"Invoice": INVOICE_EXAMPLE}],
                    "pagination": {"page": 1, "limit": 20, "total_results": 1, "total_pages": 1},
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        page, limit, filters = invoice_list_query(request.query_params)
        written = json_sql.available()  # PostgreSQL writes the page's rows (`invoicing.api2.json_rows`)
        rows, total, _exact = sales_selectors.sales_invoice_window(
            workspace=self.workspace,
            filters=filters,
            offset=(page - 1) * limit,
            limit=limit,
            json=json_rows.ROW_JSON if written else None,
        )
        pagination = {
            "page": page,
            "limit": limit,
            "total_results": total,
            "total_pages": math.ceil(total / limit),
        }
        if written:
            documents = documents_of(SOURCE, [row["id"] for row in rows], self.workspace.pk)
            data = json_rows.fragments(rows, documents)
            return Response({"code": 200, "result": "successful", "data": data, "pagination": pagination})
        _attach_documents(rows, self.workspace.pk)
        body = {"code": 200, "result": "successful", "data": rows, "pagination": pagination}
        return Response(Api2InvoicePageSerializer(body).data)

    @extend_schema(
        tags=["api2"],
        operation_id="api2_invoices_create",
        summary="Add a new invoice",
        description="Creates an invoice for a client and a store of this workspace. The body is "
        '`{"Invoice": {...}}` with the items in `Invoice.InvoiceItem`, or with `InvoiceItem` (and an optional '
        "`Payment` list) beside `Invoice`, which then wins; it may be sent as `application/json` or as "
        "`text/plain`. A non-draft invoice takes its quantities out of the store's stock and records its "
        "payments; a draft (`draft: 1`) touches no stock and takes no payment. Every refusal is a 400 naming "
        "the fields in `validation_errors` (`client_id`, `InvoiceItem.0.quantity`, `Payment.0.amount`), an id "
        "that is not this workspace's included; short stock is `InvoiceItem.N.quantity: insufficient stock`. A "
        "payment's `date` is a date or a date-time (`2026-12-02 10:15:00`, read in the workspace's time zone when "
        "it has no offset), kept as the day it falls on there. Also served without `.json` (`/api2/invoices`).",
        request={"application/json": Api2InvoiceCreateRequestSerializer},
        responses={202: Api2InvoiceCreatedSerializer, **errors(400, 409, 413, 415, 422, family="api2")},
        examples=[
            OpenApiExample("Seed 004's request", value=SEED_REQUEST, request_only=True),
            OpenApiExample(
                "Created",
                value={"code": 202, "result": "successful", "id": 124},
                response_only=True,
                status_codes=["202"],
            ),
            OpenApiExample(
                "Refused",
                value={
                    "code": 400,
                    "result": "failed",
                    "message": "Invalid input.",
                    "validation_errors": {
                        "client_id": "No such client in this workspace.",
                        "InvoiceItem.0.quantity": "insufficient stock",
                    },
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = invoice_input(request.data, time_zone=self.workspace.timezone)
        invoice = sales_invoice_create(
            workspace=self.workspace,
            access=self.access,
            client_id=data["client_id"],
            store_id=data["store_id"],
            lines=_lines(data["InvoiceItem"]),
            payments=[
                SalesInvoicePayment(
                    payment_method=payment["payment_method"],
                    amount=payment["amount"],
                    date=payment.get("date"),
                )
                for payment in data.get("Payment", [])
            ],
            currency=data.get("currency_code"),
            date=data.get("date"),
            draft=data.get("draft", False),
            discount=data.get("discount") or Decimal(0),
            discount_amount=data.get("discount_amount") or Decimal(0),
            notes=data.get("notes"),
            po_number=data.get("po_number"),
            is_offline=data.get("is_offline", False),
        )
        body = {"code": 202, "result": "successful", "id": invoice.pk}
        document = document_of(SOURCE, invoice.pk, self.workspace.pk)
        answer = dict(Api2InvoiceCreatedSerializer(body).data)
        if document is not None:  # signed: its state once cleared (or pending, or rejected), section 8c
            answer["zatca"] = summary(document)
        else:  # seed 004's answer, byte for byte
            answer.pop("zatca", None)
        return Response(answer, status=202)


class InvoiceDetailView(Api2View):
    @extend_schema(
        tags=["api2"],
        operation_id="api2_invoices_retrieve",
        summary="View an invoice",
        description="The invoice with every field it was created with, its number (`no`), its summary figures, "
        "its items (each with its subtotal, discount, tax and total) and its payments. Also served without "
        "`.json` (`/api2/invoices/{id}`).",
        responses={200: Api2InvoiceEnvelopeSerializer, **errors(404, family="api2")},
        examples=[
            OpenApiExample(
                "An invoice",
                value={
                    "code": 200,
                    "result": "successful",
                    "data": {"Invoice": INVOICE_EXAMPLE, "InvoiceItem": [ITEM_EXAMPLE], "Payment": []},
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        invoice = sales_selectors.sales_invoice_get(workspace=self.workspace, invoice_id=pk)
        if invoice is None:
            raise NotFoundError(_("Invoice not found."))
        _attach_documents([invoice], self.workspace.pk)
        body = {"code": 200, "result": "successful", "data": invoice}
        return Response(Api2InvoiceEnvelopeSerializer(body).data)


class InvoiceZatcaXmlView(Api2View):
    @extend_schema(
        tags=["api2"],
        operation_id="api2_invoices_zatca_xml_retrieve",
        summary="An invoice's ZATCA XML",
        description="The invoice's UBL 2.1 XML as signed, or ZATCA's cleared XML once a standard invoice is "
        "cleared (section 8c). 404 when the store signs nothing or the invoice is a draft.",
        responses={(200, "application/xml"): str, **errors(404, family="api2")},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        document = document_of(SOURCE, pk, self.workspace.pk)
        if document is None:
            raise NotFoundError(_("Invoice not found."))
        return xml_response(document)


def _attach_documents(invoices: list[Invoice], workspace_id: int) -> None:
    """Each invoice's ZATCA document for its `zatca` (one query for the page)."""
    found = documents_of(SOURCE, [invoice.pk for invoice in invoices], workspace_id)
    for invoice in invoices:
        invoice.zatca_document = found.get(invoice.pk)
