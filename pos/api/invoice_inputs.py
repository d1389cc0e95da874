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
from workspaces.api.filtering import QueryFilter, QueryFilterSet, query_serializer
from workspaces.dates import range_end, range_start
from workspaces.discounts import DiscountType


class InvoiceCreateInputSerializer(serializers.Serializer):
    clientId = IdField(source="client_id")
    storeId = IdField(required=False, source="store_id")


class DateBoundField(serializers.CharField):
    """A date or a date-time bounding a range (section 5): a date-only start is that day's first instant, a
    date-only end its last, in the workspace's time zone (`context["time_zone"]`, UTC where none is given); a
    date-time without an offset is UTC."""

    default_error_messages = {"bad_date": _("An ISO 8601 date or date-time is required.")}

    def __init__(self, *, end: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.end = end

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return (range_end if self.end else range_start)(text, self.context.get("time_zone", "UTC"))
        except ValueError as exc:
            raise serializers.ValidationError(self.error_messages["bad_date"]) from exc


def date_range_filters(verb: str) -> tuple[QueryFilter, QueryFilter]:
    """`startDate` and `endDate` of a list by creation time (`created_from`, `created_to`), inclusive; `verb` starts
    their descriptions ("Created", "Made")."""
    start = QueryFilter(
        DateBoundField(required=False),
        field_name="created_from",
        description=f"{verb} at or after: a date (its first instant in the workspace's time zone) or a date-time "
        "(UTC without an offset).",
    )
    end = QueryFilter(
        DateBoundField(required=False, end=True),
        field_name="created_to",
        description=f"{verb} at or before: a date (its last instant in the workspace's time zone) or a date-time "
        "(UTC without an offset).",
    )
    return start, end


class InvoiceFilterSet(QueryFilterSet):
    """Seed 001's filters. A bad value is a 400 naming the parameter."""

    clientId = QueryFilter(
        IdField(required=False), field_name="client_id", description="Only this client's invoices."
    )
    status = QueryFilter(
        ChoiceField(choices=PosInvoice.Status.values, required=False),
        description="Only invoices in this status.",
    )
    orderStatusId = QueryFilter(
        IdField(required=False),
        field_name="order_status_id",
        description="Only invoices with this order status.",
    )
    posBusinessSessionId = QueryFilter(
        IdField(required=False), field_name="session_id", description="Only this business day's invoices."
    )
    startDate, endDate = date_range_filters("Created")

    class Meta:
        model = PosInvoice
        fields: list[str] = []


InvoiceQuerySerializer = query_serializer(InvoiceFilterSet)


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
