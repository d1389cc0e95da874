"""What a till sends to the POS invoice endpoints (seeds 000 and 001, PRODUCT.md section 5): shapes only, the
rules are the services'."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from invoicing.money import PRICE_DECIMAL_PLACES, QUANTITY_DECIMAL_PLACES
from pos.api.serializers import AMOUNT_PLACES
from pos.models import PosInvoice, PosPayment
from workspaces.api.fields import (
    ChoiceField,
    IdField,
    MoneyField,
    StrictCharField,
)
from workspaces.dates import range_end, range_start
from workspaces.discounts import DiscountType


class InvoiceCreateInputSerializer(serializers.Serializer):
    clientId = IdField(source="client_id")
    storeId = IdField(required=False, source="store_id")


class InvoiceFilterSerializer(serializers.Serializer):
    """Seed 001's filters. A bad value is a 400 naming the parameter."""

    clientId = IdField(required=False, source="client_id")
    status = ChoiceField(choices=PosInvoice.Status.values, required=False)
    orderStatusId = IdField(required=False, source="order_status_id")
    posBusinessSessionId = IdField(required=False, source="session_id")
    startDate = serializers.CharField(required=False, source="created_from")
    endDate = serializers.CharField(required=False, source="created_to")

    default_error_messages = {"bad_date": _("An ISO 8601 date or date-time is required.")}

    def _bound(self, value: str, parse):
        try:
            return parse(value, self.context["time_zone"])
        except ValueError as exc:
            raise serializers.ValidationError(self.error_messages["bad_date"]) from exc

    def validate_startDate(self, value: str):
        return self._bound(value, range_start)

    def validate_endDate(self, value: str):
        return self._bound(value, range_end)


class ItemAddInputSerializer(serializers.Serializer):
    productId = IdField(source="product_id")
    quantity = MoneyField(decimal_places=QUANTITY_DECIMAL_PLACES, max_digits=15)
    unitPrice = MoneyField(decimal_places=PRICE_DECIMAL_PLACES, required=False, source="unit_price")
    note = StrictCharField(max_length=255, required=False, allow_blank=True, default="")


class ItemUpdateInputSerializer(serializers.Serializer):
    quantity = MoneyField(decimal_places=QUANTITY_DECIMAL_PLACES, max_digits=15, required=False)
    unitPrice = MoneyField(decimal_places=PRICE_DECIMAL_PLACES, required=False, source="unit_price")
    note = StrictCharField(max_length=255, required=False, allow_blank=True)


class DiscountInputSerializer(serializers.Serializer):
    type = ChoiceField(choices=DiscountType.values)
    value = MoneyField(decimal_places=PRICE_DECIMAL_PLACES)
    reason = StrictCharField(max_length=255, required=False, allow_blank=True, default="")


class InvoiceUpdateInputSerializer(serializers.Serializer):
    orderStatusId = IdField(allow_null=True, source="order_status_id")


class PaymentInputSerializer(serializers.Serializer):
    method = ChoiceField(choices=PosPayment.Method.choices)
    amount = MoneyField(decimal_places=AMOUNT_PLACES)


class CompleteInputSerializer(serializers.Serializer):
    # At most 20: the service refuses more with 422 `too_many_payments` (invoicing.limits), as every document does.
    payments = PaymentInputSerializer(many=True, required=False)


class CancelInputSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=255, required=False, allow_blank=True, default="")
