"""Exports (CSV streamed, XLSX) and aging of supplier invoices."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from orjson import Fragment
from rest_framework.request import Request
from rest_framework.response import Response

from suppliers import exports, selectors
from suppliers.api import aging_json
from suppliers.api.serializers import (
    SupplierAgingFilterSet,
    SupplierAgingOutputSerializer,
    SupplierAgingQuerySerializer,
    SupplierInvoiceFilterSet,
)
from suppliers.api.views.common import (
    TAGS,
    XLSX_TYPE,
    SuppliersView,
    _NoFormatOverride,
)
from workspaces import json_sql
from workspaces.api.docs import errors
from workspaces.api.fields import ChoiceField
from workspaces.api.filtering import QueryFilter, query_serializer
from workspaces.api.replica import replica_reads


class InvoiceExportFilterSet(SupplierInvoiceFilterSet):
    """The export's query: the list's filters, the file's format and its language."""

    format = QueryFilter(
        ChoiceField(choices=["csv", "xlsx"], required=False, default="csv"),
        description="`csv` (the default) or `xlsx`.",
    )
    lang = QueryFilter(
        ChoiceField(choices=list(exports.LANGUAGES), required=False),
        description=(
            "The language of the headers, statuses and yes/no words: `ar` or `en`. Default: the request's "
            "`Accept-Language` (English when absent)."
        ),
    )


InvoiceExportQuerySerializer = query_serializer(InvoiceExportFilterSet)


class InvoiceExportView(SuppliersView):
    content_negotiation_class = _NoFormatOverride

    @extend_schema(
        tags=TAGS,
        summary="Export supplier invoices",
        description=(
            "The list's filters, as a file for the accountant: `format=csv` (default; UTF-8 with a BOM, streamed, "
            "any number of rows) or `format=xlsx` (at most 1,048,575 rows with the totals, else a 400 pointing to "
            "CSV). Headers, statuses and the overdue word are in `lang` (else the `Accept-Language`); amounts in "
            "the currency's digits (`1200.50`; KWD `1200.500`), dates and the creation time in the workspace's "
            "time zone, the supplier's VAT number, and a totals row per currency at the end. The XLSX has number "
            "and date cells, a frozen bold header with a filter, and reads right to left in Arabic."
        ),
        parameters=[InvoiceExportQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file."),
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The XLSX workbook."),
            **errors(400),
        },
    )
    @replica_reads
    def get(self, request: Request, workspace_id: int):
        filters = InvoiceExportFilterSet.parse(request.query_params)
        kind = filters.pop("format")
        language = filters.pop("lang", None) or exports.language_of(translation.get_language())
        invoices = selectors.invoice_list(workspace=self.workspace, today=self.today, filters=filters)
        return exports.download(invoices, workspace=self.workspace, kind=kind, language=language)


class AgingView(SuppliersView):
    @extend_schema(
        tags=TAGS,
        summary="Supplier aging",
        description=(
            "What is still owed per supplier on `asOf` (default: the workspace's today), by days past due: not "
            "due, 1-30, 31-60, 61-90, over 90. Invoices issued after `asOf` are left out."
        ),
        parameters=[SupplierAgingQuerySerializer],
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
    @replica_reads
    def get(self, request: Request, workspace_id: int) -> Response:
        as_of = SupplierAgingFilterSet.parse(request.query_params).get("as_of") or self.today
        if json_sql.available():
            # PostgreSQL writes the rows and totals (`aging_json`, the same bytes): the ORM's build of the grouped
            # query and the rows' Decimals cost more than its SQL.
            suppliers, totals = aging_json.aging_texts(workspace=self.workspace, as_of=as_of)
            return Response(
                {
                    "asOf": as_of,
                    "currency": self.workspace.currency,
                    "suppliers": Fragment(suppliers),
                    "totals": Fragment(totals),
                }
            )
        return Response(selectors.aging(workspace=self.workspace, as_of=as_of))
