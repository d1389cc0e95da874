"""Reads for the catalogue and stock: querysets already scoped to one workspace and already joined."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from django.db.models import Prefetch, Q, QuerySet

from invoicing.models import Product, StockLevel, StockMovement, Tax
from workspaces.models import Store, Workspace


def tax_list(*, workspace: Workspace) -> QuerySet[Tax]:
    return Tax.objects.filter(workspace=workspace)


class ProductFilters(TypedDict, total=False):
    q: str
    sku: str
    barcode: str


def product_list(*, workspace: Workspace, filters: ProductFilters | None = None) -> QuerySet[Product]:
    """Products with their taxes (one extra query for a whole page, taxes in id order).

    `sku` and `barcode` are exact (a scanner's lookup: the partial unique indexes on (workspace, sku) and
    (workspace, barcode) find the one row); `q` is contained, whatever the case, in the name, the Arabic name, the
    SKU or the barcode (`%` and `_` are text, never wildcards). A contains search reads the workspace's rows in the
    list's order (`product_list_idx`) until the page is full: no B-tree can serve it."""
    filters = filters or {}
    products = Product.objects.filter(workspace=workspace).prefetch_related(
        Prefetch("taxes", queryset=Tax.objects.order_by("pk"))
    )
    if "sku" in filters:
        products = products.filter(sku=filters["sku"])
    if "barcode" in filters:
        products = products.filter(barcode=filters["barcode"])
    if q := filters.get("q"):
        products = products.filter(
            Q(name__icontains=q) | Q(name_ar__icontains=q) | Q(sku__icontains=q) | Q(barcode__icontains=q)
        )
    return products


def products_by_id(*, workspace: Workspace, ids: Iterable[int]) -> dict[int, Product]:
    """The workspace's products among `ids`, taxes prefetched: one query for the products, one for their taxes.
    An id that is foreign or unknown is simply absent from the answer."""
    ids = set(ids)
    if not ids:
        return {}
    return {product.pk: product for product in product_list(workspace=workspace).filter(pk__in=ids)}


def stock_level_list(*, workspace: Workspace, store: Store) -> QuerySet[StockLevel]:
    return StockLevel.objects.filter(workspace=workspace, store=store)


def stock_movements_for_document(
    *, workspace: Workspace, source_type: str, source_id: int
) -> QuerySet[StockMovement]:
    """The ledger rows a document caused, oldest first."""
    return StockMovement.objects.filter(
        workspace=workspace, source_type=source_type, source_id=source_id
    ).order_by("pk")
