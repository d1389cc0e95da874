"""Suppliers: list, create, get, change, delete (PRODUCT.md section 6)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from suppliers import selectors, services
from suppliers.api.serializers import (
    SupplierInputSerializer,
    SupplierOutputSerializer,
)
from suppliers.api.views.common import (
    SUPPLIER_EXAMPLE,
    TAGS,
    ListSchema,
    SuppliersView,
)
from workspaces.api.base import created, no_content, ok, page
from workspaces.api.docs import envelope, errors
from workspaces.api.docs import page as page_of
from workspaces.api.pagination import paginate
from workspaces.api.replica import replica_reads


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
    @replica_reads
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
