"""Supplier shapes: seed 002 for invoices, PRODUCT.md section 6 for the rest. Shape and types only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from suppliers.models import SupplierInvoice, SupplierPayment
from workspaces.api.fields import ChoiceField, DateTimeField, IdField, MoneyField, StrictCharField
from workspaces.api.filtering import QueryFilter, QueryFilterSet, query_serializer

AMOUNT_PLACES = 3  # the most any currency has; the service checks the workspace currency's own
MIN_DATE = dt.date(1, 1, 2)
MAX_DATE = dt.date(9999, 12, 30)


@extend_schema_field({"type": "string", "format": "date", "example": "2024-01-15"})
class DayField(serializers.Field):
    """`2024-01-15`, or the midnight-UTC datetime this API writes back (`2024-01-15T00:00:00.000Z`)."""

    default_error_messages = {
        "invalid": _("A date (YYYY-MM-DD) is required."),
        "range": _("The date must be between 0001-01-02 and 9999-12-30."),
    }

    def to_internal_value(self, data: Any) -> dt.date:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        text = data.strip()
        try:
            if len(text) == 10:
                day = dt.date.fromisoformat(text)
            else:
                moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
                if moment.tzinfo is not None:
                    moment = moment.astimezone(dt.UTC)
                if moment.time() != dt.time(0):
                    self.fail("invalid")
                day = moment.date()
        except (ValueError, OverflowError):  # an offset can carry the calendar's first or last day outside it
            self.fail("invalid")
        if not MIN_DATE <= day <= MAX_DATE:
            self.fail("range")
        return day

    def to_representation(self, value: dt.date) -> str:
        return value.isoformat()


@extend_schema_field({"type": "string", "format": "date-time", "example": "2024-01-15T00:00:00.000Z"})
class MidnightUtcField(serializers.Field):
    """A date written as seed 002 writes it: midnight UTC with milliseconds."""

    def to_representation(self, value: dt.date) -> str:
        return f"{value.isoformat()}T00:00:00.000Z"


# --- Suppliers -----------------------------------------------------------------------------------------------


class SupplierOutputSerializer(serializers.Serializer):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    name = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    taxNumber = serializers.CharField(source="tax_number", allow_null=True)
    notes = serializers.CharField(allow_null=True)
    createdAt = DateTimeField(source="created_at")
    updatedAt = DateTimeField(source="updated_at")


class SupplierInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    phone = StrictCharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, allow_null=True)
    taxNumber = StrictCharField(
        max_length=32, required=False, allow_blank=True, allow_null=True, source="tax_number"
    )
    notes = StrictCharField(max_length=5000, required=False, allow_blank=True, allow_null=True)


# --- Invoices ------------------------------------------------------------------------------------------------


class SupplierInvoiceOutputSerializer(serializers.Serializer):
    """Seed 002's invoice key for key, plus `currency` and `isOverdue` (against the workspace's today, given
    in the context)."""

    id = IdField()
    workspaceId = IdField(source="workspace_id")
    supplierId = IdField(source="supplier_id")
    invoiceNumber = serializers.CharField(source="invoice_number")
    totalAmount = MoneyField(source="total_amount", decimal_places=3)
    paidAmount = MoneyField(source="paid_amount", decimal_places=3)
    remainingAmount = MoneyField(source="remaining_amount", decimal_places=3)
    status = ChoiceField(choices=SupplierInvoice.Status.values)
    issueDate = MidnightUtcField(source="issue_date")
    dueDate = MidnightUtcField(source="due_date", allow_null=True)
    description = serializers.CharField(allow_null=True)
    notes = serializers.CharField(allow_null=True)
    imageUrl = serializers.CharField(source="image_url", allow_null=True)
    currency = serializers.CharField()
    isOverdue = serializers.SerializerMethodField()
    createdAt = DateTimeField(source="created_at")
    updatedAt = DateTimeField(source="updated_at")

    def get_isOverdue(self, invoice: SupplierInvoice) -> bool:
        today = self.context["today"]
        return bool(
            invoice.remaining_amount > 0 and invoice.due_date is not None and today > invoice.due_date
        )


class SupplierInvoiceCreateInputSerializer(serializers.Serializer):
    invoiceNumber = StrictCharField(max_length=100, source="invoice_number")
    totalAmount = MoneyField(decimal_places=AMOUNT_PLACES, source="total_amount")
    issueDate = DayField(source="issue_date")
    dueDate = DayField(required=False, allow_null=True, source="due_date")
    description = StrictCharField(max_length=5000, required=False, allow_blank=True, allow_null=True)
    notes = StrictCharField(max_length=5000, required=False, allow_blank=True, allow_null=True)
    imageUrl = StrictCharField(
        max_length=2048, required=False, allow_blank=False, allow_null=True, source="image_url"
    )


class SupplierInvoiceUpdateInputSerializer(SupplierInvoiceCreateInputSerializer):
    """Any of the create fields; the rest stay as they are."""


class TrueFalseField(ChoiceField):
    """`true` or `false` (a 400 names both), read as a bool."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=["true", "false"], **kwargs)

    def to_internal_value(self, data: Any) -> bool:
        return super().to_internal_value(data) == "true"


class SupplierInvoiceFilterSet(QueryFilterSet):
    """The filters of the invoice lists (across suppliers and per supplier) and of the export (section 6)."""

    supplierId = QueryFilter(
        IdField(required=False), field_name="supplier_id", description="Only this supplier's invoices."
    )
    status = QueryFilter(
        ChoiceField(choices=SupplierInvoice.Status.values, required=False),
        description="Only the invoices in this payment status.",
    )
    issueDateFrom = QueryFilter(
        DayField(required=False),
        field_name="issue_date_from",
        description="Invoices issued on this day or later.",
    )
    issueDateTo = QueryFilter(
        DayField(required=False),
        field_name="issue_date_to",
        description="Invoices issued on this day or earlier.",
    )
    dueDateFrom = QueryFilter(
        DayField(required=False),
        field_name="due_date_from",
        description="Invoices due on this day or later (an invoice without a due date is left out).",
    )
    dueDateTo = QueryFilter(
        DayField(required=False),
        field_name="due_date_to",
        description="Invoices due on this day or earlier (an invoice without a due date is left out).",
    )
    overdue = QueryFilter(
        TrueFalseField(required=False),
        description="`true`: only the invoices with money remaining past their due date (the workspace's today); "
        "`false`: only the others.",
    )
    q = QueryFilter(
        StrictCharField(max_length=100, required=False),
        description="Invoices whose number or description contains this text, or whose supplier's name does, "
        "whatever the case (Arabic-Indic digits of a number read as ASCII).",
    )

    class Meta:
        model = SupplierInvoice
        fields: list[str] = []


class SupplierAgingFilterSet(QueryFilterSet):
    """The aging report's query (section 6)."""

    asOf = QueryFilter(
        DayField(required=False),
        field_name="as_of",
        description="The day the amounts are aged on (default: the workspace's today); invoices issued after it "
        "are left out.",
    )

    class Meta:
        model = SupplierInvoice
        fields: list[str] = []


SupplierInvoiceQuerySerializer = query_serializer(SupplierInvoiceFilterSet)
SupplierAgingQuerySerializer = query_serializer(SupplierAgingFilterSet)


# --- Payments ------------------------------------------------------------------------------------------------


class SupplierPaymentOutputSerializer(serializers.Serializer):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    invoiceId = IdField(source="invoice_id")
    amount = MoneyField(decimal_places=3)
    paidAt = DateTimeField(source="paid_at")
    method = ChoiceField(choices=SupplierPayment.Method.choices, allow_null=True)
    reference = serializers.CharField(allow_null=True)
    notes = serializers.CharField(allow_null=True)
    createdAt = DateTimeField(source="created_at")


class SupplierPaymentInputSerializer(serializers.Serializer):
    amount = MoneyField(decimal_places=AMOUNT_PLACES)
    paidAt = serializers.DateTimeField(required=False, allow_null=True, source="paid_at")
    method = ChoiceField(choices=SupplierPayment.Method.choices, required=False, allow_null=True)
    reference = StrictCharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    notes = StrictCharField(max_length=5000, required=False, allow_blank=True, allow_null=True)


class SupplierPaymentCreatedSerializer(serializers.Serializer):
    """`{"payment", "invoice"}`: the new payment and the invoice with its new balance."""

    payment = SupplierPaymentOutputSerializer()
    invoice = SupplierInvoiceOutputSerializer()


# --- Images, aging -------------------------------------------------------------------------------------------


class SupplierInvoiceImageInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="JPEG, PNG, WebP or GIF (re-encoded to WebP), or a PDF (kept), at most 10 MB."
    )


class SupplierInvoiceImageOutputSerializer(serializers.Serializer):
    url = serializers.URLField()


class SupplierAgingRowSerializer(serializers.Serializer):
    supplierId = IdField()
    name = serializers.CharField()
    notDue = MoneyField(decimal_places=3)
    days1to30 = MoneyField(decimal_places=3)
    days31to60 = MoneyField(decimal_places=3)
    days61to90 = MoneyField(decimal_places=3)
    over90 = MoneyField(decimal_places=3)
    total = MoneyField(decimal_places=3)


class SupplierAgingTotalsSerializer(serializers.Serializer):
    notDue = MoneyField(decimal_places=3)
    days1to30 = MoneyField(decimal_places=3)
    days31to60 = MoneyField(decimal_places=3)
    days61to90 = MoneyField(decimal_places=3)
    over90 = MoneyField(decimal_places=3)
    total = MoneyField(decimal_places=3)


class SupplierAgingOutputSerializer(serializers.Serializer):
    asOf = serializers.DateField()
    currency = serializers.CharField()
    suppliers = SupplierAgingRowSerializer(many=True)
    totals = SupplierAgingTotalsSerializer()
