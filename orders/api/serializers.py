"""`/orders` and `/invoices` shapes (PRODUCT.md section 7; seed 003 for the invoice)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.api.zatca import ZatcaSummarySerializer
from invoicing.money import PRICE_DECIMAL_PLACES, QUANTITY_DECIMAL_PLACES
from invoicing.zatca.models import ZatcaDocument
from invoicing.zatca.reads import summary
from orders.models import Order, OrderInvoice
from workspaces.api.fields import ChoiceField, DateTimeField, IdField, MoneyField, StrictCharField
from workspaces.api.filtering import QueryFilter, QueryFilterSet, query_serializer
from workspaces.models import ActorType

AMOUNT_PLACES = 3  # the most any currency has; the service checks the workspace currency's own
MAX_LINES = 500
MAX_META_FIELDS = 100


def _quantity(**kwargs: Any) -> MoneyField:
    return MoneyField(decimal_places=QUANTITY_DECIMAL_PLACES, max_digits=15, **kwargs)


# --- Input ---------------------------------------------------------------------------------------------------


class RequiredIdField(IdField):
    """An id that must be given: absent, null and "" all read as seed 003's "orderId is required"."""

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is None or data == "":
            self.fail("required")
        return super().validate_empty_values(data)


class MetaFieldsMixin(serializers.Serializer):
    metaFields = serializers.ListField(
        source="meta_fields", child=serializers.JSONField(), max_length=MAX_META_FIELDS, required=False
    )


class OrderLineInputSerializer(serializers.Serializer):
    productId = IdField(source="product_id", required=False, allow_null=True)
    name = StrictCharField(max_length=200)
    quantity = _quantity()
    unitPrice = MoneyField(source="unit_price", decimal_places=PRICE_DECIMAL_PLACES)
    discount = MoneyField(decimal_places=AMOUNT_PLACES, required=False, min_value=0)
    taxIds = serializers.ListField(source="tax_ids", child=IdField(), max_length=2, required=False)


class OrderCreateInputSerializer(MetaFieldsMixin):
    clientId = IdField(source="client_id", required=False, allow_null=True)
    storeId = IdField(
        source="store_id",
        required=False,
        allow_null=True,
        help_text="The store that issues the order's invoices (and signs them for ZATCA); default: the "
        "workspace's first store.",
    )
    lineItems = OrderLineInputSerializer(
        source="line_items",
        many=True,
        allow_empty=False,  # at most 500: 422 `too_many_lines` (invoicing.limits)
    )


class OrderInvoiceLineInputSerializer(serializers.Serializer):
    lineItemId = IdField(source="line_item_id")
    quantity = _quantity()


class OrderInvoiceCreateInputSerializer(MetaFieldsMixin):
    orderId = RequiredIdField(source="order_id")
    lineItems = OrderInvoiceLineInputSerializer(
        source="line_items", many=True, required=False, allow_empty=False, max_length=MAX_LINES
    )


class OrderInvoiceFilterSet(QueryFilterSet):
    """The invoice list's filter (section 7)."""

    orderId = QueryFilter(
        IdField(required=False), field_name="order_id", description="Only the invoices of this order."
    )

    class Meta:
        model = OrderInvoice
        fields: list[str] = []


OrderInvoiceQuerySerializer = query_serializer(OrderInvoiceFilterSet)


# --- Output --------------------------------------------------------------------------------------------------


class CreatedBySerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    type = ChoiceField(choices=["admin", "staff"], help_text="`admin` (the owner or an API key) or `staff`.")


def created_by(document: Order | OrderInvoice) -> dict[str, Any]:
    """Seed 003's `{"id", "name", "type"}`: `admin` for the owner and API keys, `staff` for staff; id and name
    null once the user or the key no longer exists."""
    kind = "staff" if document.created_by_type == ActorType.STAFF else "admin"
    who = (
        document.created_by_api_key if document.created_by_type == ActorType.API_KEY else document.created_by
    )
    if who is None:
        return {"id": None, "name": None, "type": kind}
    return {"id": str(who.pk), "name": who.name, "type": kind}


class OrderLineOutputSerializer(serializers.Serializer):
    id = IdField()
    productId = IdField(source="product_id", allow_null=True)
    name = serializers.CharField()
    quantity = _quantity()
    unitPrice = MoneyField(source="unit_price", decimal_places=PRICE_DECIMAL_PLACES)
    discount = MoneyField(decimal_places=AMOUNT_PLACES)
    taxIds = serializers.SerializerMethodField()
    invoicedQuantity = _quantity(source="invoiced_quantity")

    @extend_schema_field(serializers.ListField(child=IdField()))
    def get_taxIds(self, item) -> list[str]:
        return [str(tax["id"]) for tax in item.taxes]


class OrderOutputSerializer(serializers.Serializer):
    id = IdField()
    entityId = IdField(source="workspace_id")
    clientId = IdField(source="client_id", allow_null=True)
    storeId = IdField(source="store_id", allow_null=True)
    status = ChoiceField(choices=Order.Status.choices)
    lineItems = OrderLineOutputSerializer(source="line_items", many=True)
    total = MoneyField(decimal_places=AMOUNT_PLACES)
    metaFields = serializers.ListField(source="meta_fields", child=serializers.JSONField())
    createdAt = DateTimeField(source="created_at")
    updatedAt = DateTimeField(source="updated_at")


class OrderInvoiceLineOutputSerializer(serializers.Serializer):
    lineItemId = IdField(source="line_item_id")
    quantity = _quantity()
    id = IdField()


@extend_schema_field(ZatcaSummarySerializer)
class ZatcaSummaryField(serializers.Field):
    """An order invoice's ZATCA document (section 8c) as the view attached it (`zatca_document`), written by
    `invoicing.zatca.reads.summary`. Not required in the schema: an invoice whose store signs nothing has no `zatca`
    key (`OrderInvoiceOutputSerializer.to_representation`), so it reads as seed 003 writes it, byte for byte."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="zatca_document", required=False, **kwargs)

    def to_representation(self, document: ZatcaDocument) -> dict[str, Any] | None:
        return summary(document)


class OrderInvoiceOutputSerializer(serializers.Serializer):
    """Seed 003's invoice, key for key and in its order; `zatca` last, only where the store signs (section 8c)."""

    order = IdField(source="order_id")
    entityId = IdField(source="workspace_id")
    lineItems = OrderInvoiceLineOutputSerializer(source="lines", many=True)
    total = MoneyField(decimal_places=AMOUNT_PLACES)
    createdBy = serializers.SerializerMethodField()
    metaFields = serializers.ListField(source="meta_fields", child=serializers.JSONField())
    createdAt = DateTimeField(source="created_at")
    updatedAt = DateTimeField(source="updated_at")
    id = IdField()
    zatca = ZatcaSummaryField()

    @extend_schema_field(CreatedBySerializer)
    def get_createdBy(self, invoice) -> dict[str, Any]:
        return created_by(invoice)

    def to_representation(self, invoice: OrderInvoice) -> dict[str, Any]:
        data = super().to_representation(invoice)
        if data.get("zatca") is None:
            data.pop("zatca", None)
        return data
