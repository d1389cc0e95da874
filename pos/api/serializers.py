"""POS shapes: seeds 000 and 001 for invoices, PRODUCT.md section 5 for sessions and order statuses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.money import PRICE_DECIMAL_PLACES, QUANTITY_DECIMAL_PLACES
from pos.models import BusinessSession, PosInvoice, PosInvoiceDiscount, PosPayment
from pos.selectors import DISCOUNT_COLUMNS, INVOICE_OWN_COLUMNS, ITEM_COLUMNS, PAYMENT_COLUMNS
from workspaces.api.docs import ActorSerializer
from workspaces.api.fields import (
    ChoiceField,
    DateTimeField,
    IdField,
    MoneyField,
    OptionalCharField,
    StrictBooleanField,
)
from workspaces.api.openapi import envelope_names
from workspaces.discounts import DiscountType
from workspaces.models import ActorType

AMOUNT_PLACES = 3  # the most any currency has; the service checks the workspace currency's own


def actor(actor_type: str, user, api_key) -> dict[str, Any] | None:
    """`{"type": "owner"|"staff", "id", "name", "email"}`, or for an API key `{"type": "apiKey", ..., "email": null}`;
    null once the user no longer exists."""
    if actor_type == ActorType.API_KEY:
        return (
            None if api_key is None else actor_of_row(actor_type, None, None, None, api_key.pk, api_key.name)
        )
    if user is None:
        return None
    return actor_of_row(actor_type, user.pk, user.name, user.email, None, None)


def actor_of_row(
    actor_type: str,
    user_id: int | None,
    user_name: str | None,
    user_email: str | None,
    api_key_id: int | None,
    api_key_name: str | None,
) -> dict[str, Any] | None:
    """`actor` from plain values (a `.values()` row's joined columns)."""
    if actor_type == ActorType.API_KEY:
        return (
            None
            if api_key_id is None
            else {
                "type": "apiKey",
                "id": str(api_key_id),
                "name": api_key_name,
                "email": None,
            }
        )
    if user_id is None:
        return None
    return {"type": actor_type, "id": str(user_id), "name": user_name, "email": user_email}


# --- Sessions ------------------------------------------------------------------------------------------------


def summary_output(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored Z-report (amounts kept as strings in JSON) with exact amounts again."""
    if summary is None:
        return None

    def amount(value):
        return None if value is None else Decimal(value)

    return {
        "invoiceCounts": summary["invoiceCounts"],
        **{key: amount(summary[key]) for key in ("grossSales", "discountTotal", "taxTotal", "netSales")},
        # Every method, in the vocabulary's order: a day closed before `cheque` was a POS word took none.
        "payments": {
            method: amount(summary["payments"].get(method, "0")) for method in PosPayment.Method.values
        },
        # A day closed before returns existed had none.
        "returnCounts": summary.get("returnCounts", {"returns": 0, "invoices": 0}),
        "returnTotal": amount(summary.get("returnTotal", "0")),
        "refunds": {
            method: amount(summary.get("refunds", {}).get(method, "0")) for method in PosPayment.Method.values
        },
        **{key: amount(summary[key]) for key in ("expectedCash", "countedCash", "cashDifference")},
    }


class InvoiceCountsSerializer(serializers.Serializer):
    draft = serializers.IntegerField()
    completed = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class PaymentsByMethodSerializer(serializers.Serializer):
    cash = MoneyField(decimal_places=3)
    card = MoneyField(decimal_places=3)
    transfer = MoneyField(decimal_places=3)
    cheque = MoneyField(decimal_places=3)
    other = MoneyField(decimal_places=3)


class ReturnCountsSerializer(serializers.Serializer):
    returns = serializers.IntegerField(help_text="Returns (credit notes) made in the day.")
    invoices = serializers.IntegerField(help_text="The sales they return, each counted once.")


class DayReportSerializer(serializers.Serializer):
    """The X-report (live, open day) or the Z-report (stored at close): the same keys."""

    invoiceCounts = InvoiceCountsSerializer()
    grossSales = MoneyField(decimal_places=3)
    discountTotal = MoneyField(decimal_places=3)
    taxTotal = MoneyField(decimal_places=3)
    netSales = MoneyField(decimal_places=3)
    payments = PaymentsByMethodSerializer()
    returnCounts = ReturnCountsSerializer()
    returnTotal = MoneyField(decimal_places=3)
    refunds = PaymentsByMethodSerializer(help_text="The day's refunds by method.")
    expectedCash = MoneyField(
        decimal_places=3, help_text="Opening cash + cash payments - change - cash refunds."
    )
    countedCash = MoneyField(decimal_places=3, allow_null=True)
    cashDifference = MoneyField(decimal_places=3, allow_null=True)


class DayReportOutputSerializer(serializers.Serializer):
    report = DayReportSerializer()
    final = serializers.BooleanField(
        help_text="true: the closed day's Z-report; false: the open day's X-report."
    )


@envelope_names("session", "sessions")
class SessionOutputSerializer(serializers.Serializer):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    storeId = IdField(source="store_id")
    businessDate = serializers.DateField(source="business_date")
    status = ChoiceField(choices=BusinessSession.Status.choices)
    openingCash = MoneyField(source="opening_cash", decimal_places=3)
    closingCash = MoneyField(source="closing_cash", decimal_places=3, allow_null=True)
    openedAt = DateTimeField(source="opened_at")
    openedBy = serializers.SerializerMethodField()
    closedAt = DateTimeField(source="closed_at", allow_null=True)
    closedBy = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    createdAt = DateTimeField(source="created_at")
    updatedAt = DateTimeField(source="updated_at")

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_openedBy(self, session) -> dict | None:
        return actor(session.opened_by_type, session.opened_by, session.opened_by_api_key)

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_closedBy(self, session) -> dict | None:
        if not session.closed_by_type:
            return None
        return actor(session.closed_by_type, session.closed_by, session.closed_by_api_key)

    @extend_schema_field(DayReportSerializer(allow_null=True))
    def get_summary(self, session) -> dict | None:
        return summary_output(session.summary)


class SessionOpenInputSerializer(serializers.Serializer):
    storeId = IdField(required=False, source="store_id")
    openingCash = MoneyField(
        required=False, decimal_places=AMOUNT_PLACES, source="opening_cash", default=Decimal(0)
    )
    businessDate = serializers.DateField(required=False, source="business_date")


class SessionCloseInputSerializer(serializers.Serializer):
    closingCash = MoneyField(
        required=False, allow_null=True, decimal_places=AMOUNT_PLACES, source="closing_cash"
    )
    cancelDrafts = StrictBooleanField(required=False, default=False, source="cancel_drafts")


# --- Invoices ------------------------------------------------------------------------------------------------


def _id(value: int | None) -> str | None:
    return None if value is None else str(value)


def item_output(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(item["id"]),
        "productId": str(item["product_id"]),
        "name": item["name"],
        "sku": item["sku"],
        "quantity": item["quantity"],
        "unitPrice": item["unit_price"],
        "subtotal": item["subtotal"],
        "discountAmount": item["discount_amount"],
        "taxAmount": item["tax_amount"],
        "total": item["total"],
        "note": item["note"],
    }


def discount_output(discount: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(discount["id"]),
        "source": discount["source"],
        "type": discount["type"],
        "value": discount["value"],
        "amount": discount["amount"],
        "reason": discount["reason"],
    }


def payment_output(payment: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(payment["id"]), "method": payment["method"], "amount": payment["amount"]}


def invoice_row_output(row: dict[str, Any]) -> dict[str, Any]:
    """The invoice as seeds 000/001 write it, from plain values (`pos.selectors.INVOICE_COLUMNS` with its
    `items`, `discounts` and `payments`), built directly: the list of a busy till renders hundreds of these, and
    neither DRF's per-field machinery nor model instances are worth their cost there. `InvoiceOutputSerializer`
    declares the same keys for the OpenAPI schema (a test keeps the two equal)."""
    return {
        "id": str(row["id"]),
        "workspaceId": str(row["workspace_id"]),
        "storeId": str(row["store_id"]),
        "clientId": _id(row["client_id"]),
        "posBusinessSessionId": str(row["session_id"]),
        "businessDate": row["business_date"],
        "publicId": row["public_id"],
        "status": row["status"],
        "orderStatusId": _id(row["order_status_id"]),
        "orderStatusLabelAr": row["order_status__label_ar"],
        "orderStatusLabelEn": row["order_status__label_en"],
        "items": [item_output(item) for item in row["items"]],
        "subtotal": row["subtotal"],
        "discounts": [discount_output(discount) for discount in row["discounts"]],
        "discountTotal": row["discount_total"],
        "taxTotal": row["tax_total"],
        "total": row["total"],
        "payments": [payment_output(payment) for payment in row["payments"]],
        "changeDue": row["change_due"],
        "returnedTotal": row["returned_total"],
        "stockDeductedAt": row["stock_deducted_at"],
        "completedAt": row["completed_at"],
        "cancelledAt": row["cancelled_at"],
        "createdBy": actor_of_row(
            row["created_by_type"],
            row["created_by_id"],
            row["created_by__name"],
            row["created_by__email"],
            row["created_by_api_key_id"],
            row["created_by_api_key__name"],
        ),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "offline": row["offline"],
        "clientRef": None if row["client_ref"] is None else str(row["client_ref"]),
        "syncedAt": row["synced_at"],
        "offlineTotal": row["offline_total"],
        "totalMismatch": row["total_mismatch"],
        "stockShort": row["stock_short"],
    }


def _values(obj, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, "pk" if name == "id" else name) for name in names}


def invoice_output(invoice: PosInvoice) -> dict[str, Any]:
    """`invoice_row_output` of an invoice already in hand (a write's answer), its lines read through
    `invoice.items.all()` (prefetched, or kept by the service)."""
    status, user, api_key = invoice.order_status, invoice.created_by, invoice.created_by_api_key
    row = {name: getattr(invoice, name) for name in INVOICE_OWN_COLUMNS}
    row.update(
        {
            "order_status__label_ar": status.label_ar if status else None,
            "order_status__label_en": status.label_en if status else None,
            "created_by__name": user.name if user else None,
            "created_by__email": user.email if user else None,
            "created_by_api_key__name": api_key.name if api_key else None,
            "created_by_id": user.pk if user else None,
            "created_by_api_key_id": api_key.pk if api_key else None,
            "items": [_values(item, ITEM_COLUMNS) for item in invoice.items.all()],
            "discounts": [_values(discount, DISCOUNT_COLUMNS) for discount in invoice.discounts.all()],
            "payments": [_values(payment, PAYMENT_COLUMNS) for payment in invoice.payments.all()],
        }
    )
    return invoice_row_output(row)


class ItemOutputSerializer(serializers.Serializer):
    id = IdField()
    productId = IdField(source="product_id")
    name = serializers.CharField()
    sku = OptionalCharField()
    quantity = MoneyField(decimal_places=QUANTITY_DECIMAL_PLACES)
    unitPrice = MoneyField(source="unit_price", decimal_places=PRICE_DECIMAL_PLACES)
    subtotal = MoneyField(decimal_places=3)
    discountAmount = MoneyField(source="discount_amount", decimal_places=3)
    taxAmount = MoneyField(source="tax_amount", decimal_places=3)
    total = MoneyField(decimal_places=3)
    note = OptionalCharField()


class DiscountOutputSerializer(serializers.Serializer):
    id = IdField()
    source = ChoiceField(choices=PosInvoiceDiscount.Source.choices)
    type = ChoiceField(choices=DiscountType.values)
    value = MoneyField(decimal_places=PRICE_DECIMAL_PLACES)
    amount = MoneyField(decimal_places=3)
    reason = OptionalCharField()


class PaymentOutputSerializer(serializers.Serializer):
    id = IdField()
    method = ChoiceField(choices=PosPayment.Method.choices)
    amount = MoneyField(decimal_places=3)


@envelope_names("invoice", "invoices")
class InvoiceOutputSerializer(serializers.Serializer):
    """Seed 000/001's invoice, key for key, plus the totals, status labels and payments the spec adds."""

    id = IdField()
    workspaceId = IdField(source="workspace_id")
    storeId = IdField(source="store_id")
    clientId = IdField(
        source="client_id",
        allow_null=True,
        help_text="Null only for a sale a till made offline without naming a client (section 8d).",
    )
    posBusinessSessionId = IdField(source="session_id")
    businessDate = serializers.DateField(source="business_date")
    publicId = serializers.CharField(source="public_id")
    status = ChoiceField(choices=PosInvoice.Status.choices)
    orderStatusId = IdField(source="order_status_id", allow_null=True)
    orderStatusLabelAr = serializers.CharField(source="order_status.label_ar", allow_null=True, default=None)
    orderStatusLabelEn = serializers.CharField(source="order_status.label_en", allow_null=True, default=None)
    items = ItemOutputSerializer(many=True)
    subtotal = MoneyField(decimal_places=3)
    discounts = DiscountOutputSerializer(many=True)
    discountTotal = MoneyField(source="discount_total", decimal_places=3)
    taxTotal = MoneyField(source="tax_total", decimal_places=3)
    total = MoneyField(decimal_places=3)
    payments = PaymentOutputSerializer(many=True)
    changeDue = MoneyField(source="change_due", decimal_places=3)
    returnedTotal = MoneyField(
        source="returned_total",
        decimal_places=3,
        help_text="The sum of its returns' totals (section 8a); the status stays `completed`.",
    )
    stockDeductedAt = DateTimeField(source="stock_deducted_at", allow_null=True)
    completedAt = DateTimeField(source="completed_at", allow_null=True)
    cancelledAt = DateTimeField(source="cancelled_at", allow_null=True)
    createdBy = serializers.SerializerMethodField()
    createdAt = DateTimeField(
        source="created_at", help_text="For a sale made offline, the till's clock when the sale began."
    )
    updatedAt = DateTimeField(source="updated_at")
    offline = serializers.BooleanField(
        help_text="Made on a till while offline and sent by `POST .../pos/sync`."
    )
    clientRef = serializers.UUIDField(
        source="client_ref", allow_null=True, help_text="The till's own reference of an offline sale."
    )
    syncedAt = DateTimeField(source="synced_at", allow_null=True, help_text="When an offline sale arrived.")
    offlineTotal = MoneyField(
        source="offline_total",
        decimal_places=3,
        allow_null=True,
        help_text="The total the till computed and the customer paid, kept when it differs from `total`.",
    )
    totalMismatch = serializers.BooleanField(
        source="total_mismatch", help_text="The till's total differs from the calculator's (`offlineTotal`)."
    )
    stockShort = serializers.BooleanField(
        source="stock_short",
        help_text="Sold offline with less in stock than sold: the level went below zero.",
    )

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_createdBy(self, invoice) -> dict | None:
        return actor(invoice.created_by_type, invoice.created_by, invoice.created_by_api_key)

    def to_representation(self, invoice: PosInvoice) -> dict[str, Any]:
        return invoice_output(invoice)
