"""Section 4 endpoints: taxes, products, stock. Views parse, authorise (`required_permissions`), call one service
or selector, and render."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from invoicing import selectors, services
from invoicing.api.serializers import (
    ProductFilterSet,
    ProductInputSerializer,
    ProductOutputSerializer,
    ProductQuerySerializer,
    StockAdjustmentInputSerializer,
    StockLevelOutputSerializer,
    TaxInputSerializer,
    TaxOutputSerializer,
)
from invoicing.models import Product, Tax
from workspaces import codes
from workspaces.api.base import WorkspaceView, created, no_content, ok, page
from workspaces.api.pagination import paginate
from workspaces.api.replica import replica_reads
from workspaces.models import Store
from workspaces.tenancy import get_object_or_404

# --- Taxes ---------------------------------------------------------------------------------------------------


class TaxListView(WorkspaceView):
    required_permissions = {"POST": codes.CATALOG_MANAGE}

    @extend_schema(responses={200: TaxOutputSerializer(many=True)})
    @replica_reads
    def get(self, request: Request, workspace_id: int) -> Response:
        """List the taxes

        Any member may read them."""
        rows, next_cursor = paginate(selectors.tax_list(workspace=self.workspace), request)
        return page("taxes", TaxOutputSerializer(rows, many=True).data, next_cursor)

    @extend_schema(
        request=TaxInputSerializer,
        responses={201: TaxOutputSerializer},
        examples=[
            OpenApiExample(
                "VAT 15%",
                value={"name": "ضريبة القيمة المضافة", "rate": 15, "inclusive": False},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, workspace_id: int) -> Response:
        """Create a tax

        `rate` is a percent (15 for 15%); `inclusive` defaults to the workspace's `pricesIncludeTax`. Needs
        `catalog.manage`."""
        data = self.validated(TaxInputSerializer, request.data)
        tax = services.tax_create(workspace=self.workspace, access=self.access, data=data)
        return created("tax", TaxOutputSerializer(tax).data)


class TaxDetailView(WorkspaceView):
    required_permissions = {"PATCH": codes.CATALOG_MANAGE}

    def get_tax(self, tax_id: int) -> Tax:
        return get_object_or_404(selectors.tax_list(workspace=self.workspace), pk=tax_id)

    @extend_schema(responses={200: TaxOutputSerializer})
    def get(self, request: Request, workspace_id: int, tax_id: int) -> Response:
        """Get a tax

        Any member may read it."""
        return ok("tax", TaxOutputSerializer(self.get_tax(tax_id)).data)

    @extend_schema(request=TaxInputSerializer, responses={200: TaxOutputSerializer})
    def patch(self, request: Request, workspace_id: int, tax_id: int) -> Response:
        """Update a tax

        A tax cannot change kind while a product carries it beside a tax of the other kind (400). Needs
        `catalog.manage`."""
        tax = self.get_tax(tax_id)
        data = self.validated(TaxInputSerializer, request.data, partial=True)
        tax = services.tax_update(tax=tax, access=self.access, data=data)
        return ok("tax", TaxOutputSerializer(tax).data)


# --- Products ------------------------------------------------------------------------------------------------


class ProductListView(WorkspaceView):
    required_permissions = {"POST": codes.CATALOG_MANAGE}

    @extend_schema(parameters=[ProductQuerySerializer], responses={200: ProductOutputSerializer(many=True)})
    @replica_reads
    def get(self, request: Request, workspace_id: int) -> Response:
        """List the products

        Newest first. `barcode=` and `sku=` find one product exactly (a scanner's lookup); `q=` searches the name,
        `nameAr`, SKU and barcode, whatever the case. Any member may read them."""
        filters = ProductFilterSet.parse(request.query_params)
        rows, next_cursor = paginate(
            selectors.product_list(workspace=self.workspace, filters=filters), request
        )
        return page("products", ProductOutputSerializer(rows, many=True).data, next_cursor)

    @extend_schema(
        request=ProductInputSerializer,
        responses={201: ProductOutputSerializer},
        examples=[
            OpenApiExample(
                "Arabic coffee",
                value={
                    "name": "Arabic coffee",
                    "nameAr": "قهوة عربية",
                    "sku": "COF-001",
                    "barcode": "6281000000011",
                    "price": 12.5,
                    "taxIds": ["1"],
                    "trackStock": True,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, workspace_id: int) -> Response:
        """Create a product

        `sku` and `barcode` are unique in the workspace (409); at most two taxes of one kind. Needs
        `catalog.manage`."""
        data = self.validated(ProductInputSerializer, request.data)
        product = services.product_create(workspace=self.workspace, access=self.access, data=data)
        return created("product", ProductOutputSerializer(product).data)


class ProductDetailView(WorkspaceView):
    required_permissions = {"PATCH": codes.CATALOG_MANAGE, "DELETE": codes.CATALOG_MANAGE}

    def get_product(self, product_id: int) -> Product:
        return get_object_or_404(selectors.product_list(workspace=self.workspace), pk=product_id)

    @extend_schema(responses={200: ProductOutputSerializer})
    def get(self, request: Request, workspace_id: int, product_id: int) -> Response:
        """Get a product

        Any member may read it."""
        return ok("product", ProductOutputSerializer(self.get_product(product_id)).data)

    @extend_schema(request=ProductInputSerializer, responses={200: ProductOutputSerializer})
    def patch(self, request: Request, workspace_id: int, product_id: int) -> Response:
        """Update a product

        Changes the fields sent; `taxIds` replaces the taxes. Needs `catalog.manage`."""
        product = self.get_product(product_id)
        data = self.validated(ProductInputSerializer, request.data, partial=True)
        product = services.product_update(product=product, access=self.access, data=data)
        return ok("product", ProductOutputSerializer(product).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workspace_id: int, product_id: int) -> Response:
        """Delete a product

        A product that documents or the stock ledger refer to is a 409 `in_use`. Needs `catalog.manage`."""
        services.product_delete(product=self.get_product(product_id), access=self.access)
        return no_content()


# --- Stock ---------------------------------------------------------------------------------------------------


class StoreStockView(WorkspaceView):
    """A store of this workspace from the path: a foreign or unknown id is a 404."""

    def get_store(self, store_id: int) -> Store:
        return self.store_named(store_id)


class StockListView(StoreStockView):
    @extend_schema(responses={200: StockLevelOutputSerializer(many=True)})
    @replica_reads
    def get(self, request: Request, workspace_id: int, store_id: int) -> Response:
        """List a store's stock

        The quantity of each product in the store."""
        store = self.get_store(store_id)
        rows, next_cursor = paginate(
            selectors.stock_level_list(workspace=self.workspace, store=store), request
        )
        return page("stock", StockLevelOutputSerializer(rows, many=True).data, next_cursor)


class StockAdjustmentView(StoreStockView):
    required_permissions = {"POST": codes.CATALOG_MANAGE}

    @extend_schema(
        request=StockAdjustmentInputSerializer,
        responses={201: StockLevelOutputSerializer},
        examples=[
            OpenApiExample(
                "Stock count",
                value={"productId": "15", "quantity": -2, "reason": "تالف"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, workspace_id: int, store_id: int) -> Response:
        """Adjust stock

        A signed change of a product's quantity in the store with a reason; below zero only where the
        workspace allows negative stock (else 422 `insufficient_stock`). Needs `catalog.manage`."""
        store = self.get_store(store_id)
        data = self.validated(StockAdjustmentInputSerializer, request.data)
        product = get_object_or_404(
            selectors.product_list(workspace=self.workspace).prefetch_related(None), pk=data["product_id"]
        )
        level = services.stock_adjust(
            workspace=self.workspace,
            store=store,
            product=product,
            quantity=data["quantity"],
            reason=data["reason"],
            access=self.access,
        )
        return created("stockLevel", StockLevelOutputSerializer(level).data)
