"""Input serializers check shape and types (ranges and cross-field rules are the services'); output serializers
write the v1 camelCase shapes, ids as strings and amounts as exact numbers."""

from __future__ import annotations

from rest_framework import serializers

from invoicing.models import TAX_RATE_DECIMAL_PLACES, TAX_RATE_MAX_DIGITS, Product
from invoicing.money import (
    PRICE_DECIMAL_PLACES,
    PRICE_MAX_DIGITS,
    QUANTITY_DECIMAL_PLACES,
    QUANTITY_MAX_DIGITS,
)
from workspaces.api.fields import (
    DateTimeField,
    IdField,
    MoneyField,
    OptionalCharField,
    StrictBooleanField,
    StrictCharField,
)
from workspaces.api.filtering import QueryFilter, QueryFilterSet, query_serializer
from workspaces.api.openapi import envelope_names

# Bounds the list before any query; the service allows two taxes per product.
TAX_IDS_MAX_LENGTH = 10


# --- Output --------------------------------------------------------------------------------------------------


@envelope_names("tax", "taxes")
class TaxOutputSerializer(serializers.Serializer):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    name = serializers.CharField()
    rate = MoneyField(max_digits=TAX_RATE_MAX_DIGITS, decimal_places=TAX_RATE_DECIMAL_PLACES)
    inclusive = serializers.BooleanField()
    createdAt = DateTimeField(source="created_at")
    updatedAt = DateTimeField(source="updated_at")


@envelope_names("product", "products")
class ProductOutputSerializer(serializers.Serializer):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    name = serializers.CharField()
    nameAr = OptionalCharField(source="name_ar")
    sku = OptionalCharField()
    barcode = OptionalCharField()
    price = MoneyField(max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES)
    taxIds = serializers.SerializerMethodField()
    trackStock = serializers.BooleanField(source="track_stock")
    createdAt = DateTimeField(source="created_at")
    updatedAt = DateTimeField(source="updated_at")

    def get_taxIds(self, product) -> list[str]:
        return [str(tax.pk) for tax in sorted(product.taxes.all(), key=lambda tax: tax.pk)]


@envelope_names("stockLevel", "stock")
class StockLevelOutputSerializer(serializers.Serializer):
    productId = IdField(source="product_id")
    storeId = IdField(source="store_id")
    quantity = MoneyField(max_digits=QUANTITY_MAX_DIGITS, decimal_places=QUANTITY_DECIMAL_PLACES)


# --- Input ---------------------------------------------------------------------------------------------------


class TaxInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
    rate = MoneyField(max_digits=TAX_RATE_MAX_DIGITS, decimal_places=TAX_RATE_DECIMAL_PLACES)
    inclusive = StrictBooleanField(required=False, allow_null=True)


class ProductInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    nameAr = StrictCharField(
        max_length=200, required=False, allow_blank=True, allow_null=True, source="name_ar"
    )
    sku = StrictCharField(max_length=64, required=False, allow_blank=True, allow_null=True)
    barcode = StrictCharField(max_length=64, required=False, allow_blank=True, allow_null=True)
    price = MoneyField(max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES)
    taxIds = serializers.ListField(
        child=IdField(), required=False, allow_null=True, max_length=TAX_IDS_MAX_LENGTH, source="tax_ids"
    )
    trackStock = StrictBooleanField(default=True, source="track_stock")


class ProductFilterSet(QueryFilterSet):
    """The product list's filters (PRODUCT.md section 4). A bad value is a 400 naming the parameter; a blank `sku` or
    `barcode` too (it would answer the whole catalogue to a scan); a blank `q` is no search (a cleared search box)."""

    blank_is_absent = False

    q = QueryFilter(
        StrictCharField(required=False, allow_blank=True, max_length=200),
        description="Products whose name, Arabic name (`nameAr`), SKU or barcode contains this text, whatever the "
        "case.",
    )
    sku = QueryFilter(
        StrictCharField(required=False, max_length=64), description="The product with exactly this SKU."
    )
    barcode = QueryFilter(
        StrictCharField(required=False, max_length=64),
        description="The product with exactly this barcode: a scanner's lookup.",
    )

    class Meta:
        model = Product
        fields: list[str] = []


ProductQuerySerializer = query_serializer(ProductFilterSet)


class StockAdjustmentInputSerializer(serializers.Serializer):
    productId = IdField(source="product_id")
    quantity = MoneyField(max_digits=QUANTITY_MAX_DIGITS, decimal_places=QUANTITY_DECIMAL_PLACES)
    reason = StrictCharField(max_length=255)
