"""The shapes of returns (credit notes, PRODUCT.md section 8a): what a till sends, what it gets back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.money import PRICE_DECIMAL_PLACES, QUANTITY_DECIMAL_PLACES
from pos.api.invoice_inputs import date_range_filters
from pos.api.serializers import AMOUNT_PLACES, InvoiceOutputSerializer, actor
from pos.models import PosPayment, PosReturn
from workspaces.api.docs import ActorSerializer
from workspaces.api.fields import ChoiceField, DateTimeField, IdField, MoneyField, StrictCharField
from workspaces.api.filtering import QueryFilter, QueryFilterSet, query_serializer
from workspaces.api.openapi import envelope_names


class ReturnLineInputSerializer(serializers.Serializer):
    itemId = IdField(source="item_id", help_text="The sale's line (`invoice.items[].id`).")
    quantity = MoneyField(decimal_places=QUANTITY_DECIMAL_PLACES, max_digits=15)


class RefundInputSerializer(serializers.Serializer):
    method = ChoiceField(choices=PosPayment.Method.choices)
    amount = MoneyField(decimal_places=AMOUNT_PLACES)


class ReturnCreateInputSerializer(serializers.Serializer):
    # At most 500: a sale has at most 500 lines (invoicing.limits).
    items = ReturnLineInputSerializer(
        many=True,
        required=False,
        allow_empty=False,
        max_length=500,
        help_text="Default: everything not yet returned. Each line at most once, at most what is left of it.",
    )
    reason = StrictCharField(
        max_length=255, help_text="Why the goods came back (required: ZATCA asks for it)."
    )
    refunds = RefundInputSerializer(
        many=True,
        required=False,
        max_length=20,
        help_text="Default: the whole total by the sale's first payment method. They add up to the return's total.",
    )


class ReturnItemOutputSerializer(serializers.Serializer):
    id = IdField()
    invoiceItemId = IdField(source="invoice_item_id")
    productId = IdField(source="product_id")
    name = serializers.CharField()
    quantity = MoneyField(decimal_places=QUANTITY_DECIMAL_PLACES)
    unitPrice = MoneyField(source="unit_price", decimal_places=PRICE_DECIMAL_PLACES)
    subtotal = MoneyField(decimal_places=3)
    discountAmount = MoneyField(source="discount_amount", decimal_places=3)
    taxAmount = MoneyField(source="tax_amount", decimal_places=3)
    total = MoneyField(decimal_places=3)


class RefundOutputSerializer(serializers.Serializer):
    method = ChoiceField(choices=PosPayment.Method.choices)
    amount = MoneyField(decimal_places=3)


@envelope_names("return", "returns")
class ReturnOutputSerializer(serializers.Serializer):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    storeId = IdField(source="store_id")
    invoiceId = IdField(source="invoice_id")
    posBusinessSessionId = IdField(source="session_id")
    businessDate = serializers.DateField(source="business_date")
    publicId = serializers.CharField(source="public_id", help_text="`CN-001`, its own gapless series.")
    reason = serializers.CharField()
    items = ReturnItemOutputSerializer(many=True)
    subtotal = MoneyField(decimal_places=3)
    discountTotal = MoneyField(source="discount_total", decimal_places=3)
    taxTotal = MoneyField(source="tax_total", decimal_places=3)
    total = MoneyField(decimal_places=3)
    refunds = RefundOutputSerializer(many=True)
    createdBy = serializers.SerializerMethodField()
    createdAt = DateTimeField(source="created_at")

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_createdBy(self, pos_return: PosReturn) -> dict | None:
        return actor(pos_return.created_by_type, pos_return.created_by, pos_return.created_by_api_key)


# `return` is a Python keyword: the 201's shape is declared by its keys.
ReturnCreatedOutputSerializer = type(
    "ReturnCreatedOutputSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "201: the credit note and the sale as it now stands (its `returnedTotal`).",
        "return": ReturnOutputSerializer(),
        "invoice": InvoiceOutputSerializer(),
    },
)


def return_output(pos_return: PosReturn) -> dict[str, Any]:
    """A return as section 8a writes it, built directly (`ReturnOutputSerializer` declares the same keys for the
    schema); its items read through `pos_return.items.all()` (prefetched, or kept by the service)."""
    return {
        "id": str(pos_return.pk),
        "workspaceId": str(pos_return.workspace_id),
        "storeId": str(pos_return.store_id),
        "invoiceId": str(pos_return.invoice_id),
        "posBusinessSessionId": str(pos_return.session_id),
        "businessDate": pos_return.business_date,
        "publicId": pos_return.public_id,
        "reason": pos_return.reason,
        "items": [
            {
                "id": str(item.pk),
                "invoiceItemId": str(item.invoice_item_id),
                "productId": str(item.product_id),
                "name": item.name,
                "quantity": item.quantity,
                "unitPrice": item.unit_price,
                "subtotal": item.subtotal,
                "discountAmount": item.discount_amount,
                "taxAmount": item.tax_amount,
                "total": item.total,
            }
            for item in pos_return.items.all()
        ],
        "subtotal": pos_return.subtotal,
        "discountTotal": pos_return.discount_total,
        "taxTotal": pos_return.tax_total,
        "total": pos_return.total,
        "refunds": [
            {"method": refund["method"], "amount": Decimal(refund["amount"])} for refund in pos_return.refunds
        ],
        "createdBy": actor(pos_return.created_by_type, pos_return.created_by, pos_return.created_by_api_key),
        "createdAt": pos_return.created_at,
    }


class ReturnFilterSet(QueryFilterSet):
    """Section 8a's filters of the workspace's returns. A bad value is a 400 naming the parameter."""

    posBusinessSessionId = QueryFilter(
        IdField(required=False),
        field_name="session_id",
        description="Only the returns made in this business day (its drawer refunded them).",
    )
    startDate, endDate = date_range_filters("Made")

    class Meta:
        model = PosReturn
        fields: list[str] = []


ReturnQuerySerializer = query_serializer(ReturnFilterSet)
