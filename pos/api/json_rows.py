"""A POS invoice's answer (`invoice_row_output`) written by PostgreSQL (`workspaces.json_sql`): the list's one
statement (`pos.pages`) chooses the page's ids from the filter's index and writes each invoice's JSON text, its
items, discounts and payments included. The keys and values are `pos.api.serializers.invoice_row_output`'s, byte
for byte (tests/pos/test_json_rows.py)."""

from __future__ import annotations

from django.db.models import Case, F, OuterRef, When

from pos.models import PosInvoiceDiscount, PosInvoiceItem, PosPayment
from workspaces import json_sql as j
from workspaces.models import ActorType

_ITEM = j.obj(
    ("id", j.id_text(F("pk"))),
    ("productId", j.id_text(F("product_id"))),
    ("name", j.text(F("name"))),
    ("sku", j.text(F("sku"))),
    ("quantity", j.number(F("quantity"))),
    ("unitPrice", j.number(F("unit_price"))),
    ("subtotal", j.number(F("subtotal"))),
    ("discountAmount", j.number(F("discount_amount"))),
    ("taxAmount", j.number(F("tax_amount"))),
    ("total", j.number(F("total"))),
    ("note", j.text(F("note"))),
)
_DISCOUNT = j.obj(
    ("id", j.id_text(F("pk"))),
    ("source", j.text(F("source"))),
    ("type", j.text(F("type"))),
    ("value", j.number(F("value"))),
    ("amount", j.number(F("amount"))),
    ("reason", j.text(F("reason"))),
)
_PAYMENT = j.obj(
    ("id", j.id_text(F("pk"))),
    ("method", j.text(F("method"))),
    ("amount", j.number(F("amount"))),
)


def _lines(model, line):
    return j.array(model.objects.filter(invoice_id=OuterRef("pk")).order_by("pk").values_list(line))


# `pos.api.serializers.actor_of_row`: an API key's name, else the user's, null once either is gone.
_CREATED_BY = Case(
    When(
        created_by_type=ActorType.API_KEY,
        then=Case(
            When(created_by_api_key_id__isnull=True, then=j.literal("null")),
            default=j.obj(
                ("type", j.literal('"apiKey"')),
                ("id", j.id_text(F("created_by_api_key_id"))),
                ("name", j.text(F("created_by_api_key__name"))),
                ("email", j.literal("null")),
            ),
        ),
    ),
    When(created_by_id__isnull=True, then=j.literal("null")),
    default=j.obj(
        ("type", j.text(F("created_by_type"))),
        ("id", j.id_text(F("created_by_id"))),
        ("name", j.text(F("created_by__name"))),
        ("email", j.text(F("created_by__email"))),
    ),
)

INVOICE_JSON = j.obj(
    ("id", j.id_text(F("pk"))),
    ("workspaceId", j.id_text(F("workspace_id"))),
    ("storeId", j.id_text(F("store_id"))),
    ("clientId", j.id_text(F("client_id"))),
    ("posBusinessSessionId", j.id_text(F("session_id"))),
    ("businessDate", j.day(F("business_date"))),
    ("publicId", j.text(F("public_id"))),
    ("status", j.text(F("status"))),
    ("orderStatusId", j.id_text(F("order_status_id"))),
    ("orderStatusLabelAr", j.text(F("order_status__label_ar"))),
    ("orderStatusLabelEn", j.text(F("order_status__label_en"))),
    ("items", _lines(PosInvoiceItem, _ITEM)),
    ("subtotal", j.number(F("subtotal"))),
    ("discounts", _lines(PosInvoiceDiscount, _DISCOUNT)),
    ("discountTotal", j.number(F("discount_total"))),
    ("taxTotal", j.number(F("tax_total"))),
    ("total", j.number(F("total"))),
    ("payments", _lines(PosPayment, _PAYMENT)),
    ("changeDue", j.number(F("change_due"))),
    ("returnedTotal", j.number(F("returned_total"))),
    ("stockDeductedAt", j.moment(F("stock_deducted_at"))),
    ("completedAt", j.moment(F("completed_at"))),
    ("cancelledAt", j.moment(F("cancelled_at"))),
    ("createdBy", _CREATED_BY),
    ("createdAt", j.moment(F("created_at"))),
    ("updatedAt", j.moment(F("updated_at"))),
    ("offline", j.boolean(F("offline"))),
    ("clientRef", j.text(F("client_ref"))),
    ("syncedAt", j.moment(F("synced_at"))),
    ("offlineTotal", j.number(F("offline_total"))),
    ("totalMismatch", j.boolean(F("total_mismatch"))),
    ("stockShort", j.boolean(F("stock_short"))),
)
