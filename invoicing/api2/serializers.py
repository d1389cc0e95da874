"""api2 shapes (seed 004, PRODUCT.md section 8): snake_case fields under `Invoice`/`InvoiceItem`/`Payment`, ids as
JSON integers, `draft` and `is_offline` written 0/1, amounts as exact numbers. Input serializers check shape and
types only; the rules live in `invoicing.services.sales_invoices`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.api.zatca import ZatcaSummarySerializer
from invoicing.api2.fields import Api2DayOrDateTimeField, Api2IdField, Api2TaxIdField, ZeroOneField
from invoicing.models import Invoice, InvoiceItem, InvoicePayment
from invoicing.money import (
    PRICE_DECIMAL_PLACES,
    PRICE_MAX_DIGITS,
    QUANTITY_DECIMAL_PLACES,
    QUANTITY_MAX_DIGITS,
)
from invoicing.zatca.reads import summary
from workspaces.api.errors import flatten_errors
from workspaces.api.fields import MoneyField, StrictCharField
from workspaces.errors import ValidationFailed

ITEMS = "InvoiceItem"
PAYMENTS = "Payment"
AMOUNT_PLACES = 3  # the most any currency has; the service checks the invoice currency's own
PERCENT = {"max_digits": 7, "decimal_places": 4}
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _text(max_length: int) -> StrictCharField:
    return StrictCharField(
        required=False, allow_null=True, allow_blank=True, max_length=max_length, trim_whitespace=False
    )


# --- Input ---------------------------------------------------------------------------------------------------


class Api2InvoiceItemInputSerializer(serializers.Serializer):
    product_id = Api2IdField()
    quantity = MoneyField(max_digits=QUANTITY_MAX_DIGITS, decimal_places=QUANTITY_DECIMAL_PLACES)
    unit_price = MoneyField(max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES)
    discount = MoneyField(required=False, max_digits=18, decimal_places=4)
    discount_type = serializers.ChoiceField(choices=InvoiceItem.DiscountType.choices, required=False)
    tax1 = Api2TaxIdField(required=False, allow_null=True)
    tax2 = Api2TaxIdField(required=False, allow_null=True)
    col_3 = _text(255)
    col_4 = _text(255)
    col_5 = _text(255)


class Api2PaymentInputSerializer(serializers.Serializer):
    payment_method = StrictCharField(max_length=50)
    amount = MoneyField(decimal_places=AMOUNT_PLACES)
    date = Api2DayOrDateTimeField(required=False, allow_null=True)


class Api2InvoiceInputSerializer(serializers.Serializer):
    """`Invoice`'s fields with `InvoiceItem` and `Payment` (from inside `Invoice` or, winning, beside it)."""

    client_id = Api2IdField()
    store_id = Api2IdField()
    currency_code = StrictCharField(required=False, allow_null=True, max_length=3)
    date = serializers.DateField(required=False, allow_null=True)
    draft = ZeroOneField(required=False)
    discount = MoneyField(required=False, **PERCENT)
    discount_amount = MoneyField(required=False, decimal_places=AMOUNT_PLACES)
    notes = _text(5000)
    po_number = _text(100)
    is_offline = ZeroOneField(required=False)
    InvoiceItem = serializers.ListField(
        child=Api2InvoiceItemInputSerializer(),
        allow_empty=False,  # at most 500: 422 (invoicing.limits)
    )
    Payment = serializers.ListField(
        child=Api2PaymentInputSerializer(),
        required=False,  # at most 20: 422 (invoicing.limits)
    )


class Api2InvoiceCreateRequestSerializer(serializers.Serializer):
    """The body as documented: `{"Invoice": {...}}`, `InvoiceItem` and `Payment` inside it or beside it."""

    Invoice = Api2InvoiceInputSerializer()
    InvoiceItem = serializers.ListField(child=Api2InvoiceItemInputSerializer(), required=False)
    Payment = serializers.ListField(child=Api2PaymentInputSerializer(), required=False)


def _api2_name(field: str) -> str:
    """DRF names a non-object item `InvoiceItem.0.non_field_errors`; api2 names the item itself."""
    return field.removesuffix(".non_field_errors") if field != "non_field_errors" else "Invoice"


def invoice_input(data: Any, *, time_zone: str) -> dict[str, Any]:
    """The validated invoice of either form of the body; a 400 naming each bad field as api2 names it. A payment's
    date-time is read in `time_zone`, the workspace's."""
    invoice = data.get("Invoice") if isinstance(data, dict) else None
    if not isinstance(invoice, dict):
        raise ValidationFailed({"Invoice": [_('The body must be a JSON object {"Invoice": {...}}.')]})
    merged = dict(invoice)
    for key in (ITEMS, PAYMENTS):  # beside `Invoice` wins over inside it (section 8)
        if key in data:
            merged[key] = data[key]
    serializer = Api2InvoiceInputSerializer(data=merged, context={"time_zone": time_zone})
    if not serializer.is_valid():
        flat = flatten_errors(serializer.errors)
        raise ValidationFailed({_api2_name(field): [m for m, _c in msgs] for field, msgs in flat.items()})
    return serializer.validated_data


# --- Output --------------------------------------------------------------------------------------------------


class Api2InvoiceOutputSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    no = serializers.CharField()
    client_id = serializers.IntegerField()
    store_id = serializers.IntegerField()
    currency_code = serializers.CharField(source="currency")
    date = serializers.DateField()
    draft = ZeroOneField()
    discount = MoneyField(**PERCENT)
    discount_amount = MoneyField(decimal_places=AMOUNT_PLACES)
    notes = serializers.CharField(allow_null=True)
    po_number = serializers.CharField(allow_null=True)
    is_offline = ZeroOneField()
    summary_subtotal = MoneyField(decimal_places=AMOUNT_PLACES)
    summary_discount = MoneyField(decimal_places=AMOUNT_PLACES)
    summary_tax = MoneyField(decimal_places=AMOUNT_PLACES)
    summary_total = MoneyField(decimal_places=AMOUNT_PLACES)
    summary_paid = MoneyField(decimal_places=AMOUNT_PLACES)
    summary_unpaid = MoneyField(decimal_places=AMOUNT_PLACES)
    # Only where the store signs (section 8c): an invoice of a store that signs nothing reads as seed 004 wrote it.
    zatca = serializers.SerializerMethodField(required=False)

    class Meta:
        model = Invoice
        fields = [
            "id", "no", "client_id", "store_id", "currency_code", "date", "draft", "discount",
            "discount_amount", "notes", "po_number", "is_offline", "summary_subtotal", "summary_discount",
            "summary_tax", "summary_total", "summary_paid", "summary_unpaid", "zatca",
        ]  # fmt: skip

    @extend_schema_field(ZatcaSummarySerializer(allow_null=True))
    def get_zatca(self, invoice: Invoice) -> dict | None:
        """The invoice's ZATCA document (section 8c) as the view attached it (`zatca_document`); null: the store
        signs nothing, or a draft."""
        return summary(invoice.__dict__.get("zatca_document"))

    def to_representation(self, invoice: Invoice) -> dict[str, Any]:
        data = super().to_representation(invoice)
        if data.get("zatca") is None:
            data.pop("zatca", None)
        return data


class Api2InvoiceItemOutputSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    quantity = MoneyField(max_digits=QUANTITY_MAX_DIGITS, decimal_places=QUANTITY_DECIMAL_PLACES)
    unit_price = MoneyField(max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES)
    discount = MoneyField(max_digits=18, decimal_places=4)
    discount_type = serializers.IntegerField()
    tax1 = serializers.IntegerField(source="tax1_id", allow_null=True)
    tax2 = serializers.IntegerField(source="tax2_id", allow_null=True)
    col_3 = serializers.CharField(allow_null=True)
    col_4 = serializers.CharField(allow_null=True)
    col_5 = serializers.CharField(allow_null=True)
    subtotal = MoneyField(decimal_places=AMOUNT_PLACES)
    discount_amount = MoneyField(decimal_places=AMOUNT_PLACES)
    tax_amount = MoneyField(decimal_places=AMOUNT_PLACES)
    total = MoneyField(decimal_places=AMOUNT_PLACES)

    class Meta:
        model = InvoiceItem
        fields = [
            "id", "product_id", "quantity", "unit_price", "discount", "discount_type", "tax1", "tax2", "col_3",
            "col_4", "col_5", "subtotal", "discount_amount", "tax_amount", "total",
        ]  # fmt: skip


class Api2PaymentOutputSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    payment_method = serializers.CharField()
    amount = MoneyField(decimal_places=AMOUNT_PLACES)
    date = serializers.DateField()

    class Meta:
        model = InvoicePayment
        fields = ["id", "payment_method", "amount", "date"]


class Api2InvoiceDataSerializer(serializers.Serializer):
    Invoice = Api2InvoiceOutputSerializer(source="*")
    InvoiceItem = Api2InvoiceItemOutputSerializer(source="items", many=True)
    Payment = Api2PaymentOutputSerializer(source="payments", many=True)


class Api2InvoiceListRowSerializer(serializers.Serializer):
    Invoice = Api2InvoiceOutputSerializer(source="*")


class _Envelope(serializers.Serializer):
    code = serializers.IntegerField()
    result = serializers.CharField()


class Api2InvoiceCreatedSerializer(_Envelope):
    """`{"code": 202, "result": "successful", "id": 124}` (seed 004)."""

    id = serializers.IntegerField()
    zatca = ZatcaSummarySerializer(
        allow_null=True, required=False, help_text="Its ZATCA document where the store signs (section 8c)."
    )


class Api2InvoiceEnvelopeSerializer(_Envelope):
    data = Api2InvoiceDataSerializer()


class Api2PaginationSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    limit = serializers.IntegerField()
    total_results = serializers.IntegerField()
    total_pages = serializers.IntegerField()


class Api2InvoicePageSerializer(_Envelope):
    data = Api2InvoiceListRowSerializer(many=True)
    pagination = Api2PaginationSerializer()
