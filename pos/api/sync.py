"""What a till sends to `POST .../pos/sync` and what it gets back (PRODUCT.md section 8d): shapes only, the rules
are `pos.services.sync`'s. Each sale is read on its own, so that a malformed sale is rejected alone."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from invoicing import limits
from invoicing.money import PRICE_DECIMAL_PLACES, QUANTITY_DECIMAL_PLACES
from pos.api.invoice_inputs import DiscountInputSerializer, PaymentInputSerializer
from pos.api.serializers import AMOUNT_PLACES, InvoiceOutputSerializer, invoice_output, invoice_row_output
from pos.services.checkout import PaymentInput
from pos.services.sync import (
    CREATED,
    DUPLICATE,
    MAX_SALES,
    REJECTED,
    OfflineDiscount,
    OfflineLine,
    OfflineSale,
    SyncResult,
)
from workspaces.api.errors import error_body, flatten_errors
from workspaces.api.fields import ChoiceField, IdField, MoneyField, StrictCharField
from workspaces.api.parsers import PayloadTooLarge
from workspaces.errors import ApplicationError, ValidationFailed

MAX_ECHO = 100  # a malformed sale's `clientRef` is echoed back, cut to this length


class SaleItemInputSerializer(serializers.Serializer):
    productId = IdField(source="product_id")
    quantity = MoneyField(decimal_places=QUANTITY_DECIMAL_PLACES, max_digits=15)
    unitPrice = MoneyField(decimal_places=PRICE_DECIMAL_PLACES, source="unit_price")
    note = StrictCharField(max_length=255, required=False, allow_blank=True, default="")


class SaleInputSerializer(serializers.Serializer):
    clientRef = serializers.UUIDField(source="client_ref", help_text="The till's own reference: a UUID.")
    storeId = IdField(source="store_id")
    clientId = IdField(source="client_id", required=False, allow_null=True, default=None)
    createdAt = serializers.DateTimeField(
        source="created_at", help_text="The till's clock (UTC without an offset)."
    )
    completedAt = serializers.DateTimeField(source="completed_at", help_text="The till's clock.")
    items = SaleItemInputSerializer(many=True, help_text="At least one; at most 500.")
    discounts = DiscountInputSerializer(many=True, required=False, default=list)
    payments = PaymentInputSerializer(many=True, help_text="At most 20; only cash may exceed `total`.")
    orderStatusId = IdField(source="order_status_id", required=False, allow_null=True, default=None)
    total = MoneyField(
        decimal_places=AMOUNT_PLACES, help_text="What the till computed and the customer paid."
    )


class _Sale(serializers.Field):
    """A sale as sent, whatever it is: `sales_of` reads each on its own (DRF's JSONField would re-encode it, and
    the parser's exact Decimals are not the standard library's JSON)."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class SyncInputSerializer(serializers.Serializer):
    deviceId = StrictCharField(max_length=64, source="device_id", help_text="The till that made the sales.")
    # Each sale is read on its own (`sales_of`): one that is not an object is rejected alone.
    sales = serializers.ListField(
        child=_Sale(allow_null=True),
        max_length=MAX_SALES,
        help_text="At most 500 (more is a 413); each read, and answered, on its own.",
    )


class SyncBodySerializer(serializers.Serializer):
    """The documented body: the view reads the envelope with `SyncInputSerializer` and each sale on its own."""

    deviceId = StrictCharField(max_length=64)
    sales = SaleInputSerializer(many=True, max_length=MAX_SALES)


class SyncErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    details = serializers.DictField(required=False)


class SyncResultSerializer(serializers.Serializer):
    clientRef = serializers.CharField(allow_null=True, help_text="The sale's reference, as sent.")
    status = ChoiceField(choices=[CREATED, DUPLICATE, REJECTED])
    invoice = InvoiceOutputSerializer(
        required=False, help_text="The invoice made from the sale: created now, or first (duplicate)."
    )
    errors = SyncErrorSerializer(required=False, help_text="Why the sale was rejected (v1's error body).")


class SyncOutputSerializer(serializers.Serializer):
    results = SyncResultSerializer(many=True, help_text="One per sale, in order.")


def sales_of(validated: dict[str, Any]) -> tuple[str, list[OfflineSale | ApplicationError], list[str | None]]:
    """The envelope's device and each sale read on its own: an `OfflineSale`, or the `ValidationFailed` that
    rejects it alone; and each sale's `clientRef` as sent (echoed in its result)."""
    sales: list[OfflineSale | ApplicationError] = []
    refs: list[str | None] = []
    for raw in validated["sales"]:
        ref = raw.get("clientRef") if isinstance(raw, dict) else None
        refs.append(ref[:MAX_ECHO] if isinstance(ref, str) else None)
        if not isinstance(raw, dict):
            sales.append(ValidationFailed({"non_field_errors": [_("A sale is a JSON object.")]}))
            continue
        items = raw.get("items")
        if isinstance(items, list) and len(items) > limits.MAX_LINES:  # refused before reading 20,000 lines
            try:
                limits.lines_check(len(items))
            except ApplicationError as error:
                sales.append(error)
                continue
        serializer = SaleInputSerializer(data=raw)
        if not serializer.is_valid():
            flat = flatten_errors(serializer.errors)
            sales.append(ValidationFailed({field: [m for m, _c in msgs] for field, msgs in flat.items()}))
            continue
        data = serializer.validated_data
        sales.append(
            OfflineSale(
                client_ref=data["client_ref"],
                store_id=data["store_id"],
                client_id=data["client_id"],
                created_at=data["created_at"],
                completed_at=data["completed_at"],
                items=[OfflineLine(**line) for line in data["items"]],
                discounts=[OfflineDiscount(**discount) for discount in data["discounts"]],
                payments=[PaymentInput(**payment) for payment in data["payments"]],
                order_status_id=data["order_status_id"],
                total=data["total"],
            )
        )
    return validated["device_id"], sales, refs


def too_many_sales(data: Any) -> None:
    """A body of more than 500 sales is over the limits: a 413 for the whole request (section 8d)."""
    if isinstance(data, dict) and isinstance(data.get("sales"), list) and len(data["sales"]) > MAX_SALES:
        raise PayloadTooLarge(_("At most %(max)d sales per request.") % {"max": MAX_SALES})


def result_output(result: SyncResult, ref: str | None, rows: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """A result as section 8d writes it; `rows` holds the duplicates' invoices (with their lines)."""
    output: dict[str, Any] = {"clientRef": str(result.client_ref) if result.client_ref else ref}
    output["status"] = result.status
    if result.status == REJECTED:
        output["errors"] = error_body(result.error, "v1")
    elif result.invoice is not None:
        output["invoice"] = invoice_output(result.invoice)
    else:
        output["invoice"] = invoice_row_output(rows[result.invoice_id])
    return output
