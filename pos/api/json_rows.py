"""A POS invoice's answer (`invoice_row_output`) written by PostgreSQL (`workspaces.json_sql`): the list's one
statement (`pos.pages`) chooses the page's ids from the filter's index and writes each invoice's JSON text, its
items, discounts and payments included. The keys and values are `pos.api.serializers.invoice_row_output`'s, byte
for byte (tests/pos/test_json_rows.py).

A line's answer (`LINE_ANSWERS`) is kept written in its row, in the column `answer` that PostgreSQL generates
whenever the row is written (`pos/migrations/0009_line_answers.py`: a stored generated column the models do not
declare): a page then reads each line's text instead of writing it again (a quarter of the page's SQL). The
expressions here are what that column holds, and tests/pos/test_json_rows.py holds the two equal: a change to a
line's answer is a new migration that generates the column again."""

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


LINE_ANSWERS = {PosInvoiceItem: _ITEM, PosInvoiceDiscount: _DISCOUNT, PosPayment: _PAYMENT}


def _lines(model):
    """The invoice's lines of `model`, in their order, as their stored answers (`LINE_ANSWERS`)."""
    lines = model.objects.filter(invoice_id=OuterRef("pk")).order_by("pk")
    return j.array(lines.annotate(answer_text=j.stored("answer")).values_list("answer_text"))


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
    ("items", _lines(PosInvoiceItem)),
    ("subtotal", j.number(F("subtotal"))),
    ("discounts", _lines(PosInvoiceDiscount)),
    ("discountTotal", j.number(F("discount_total"))),
    ("taxTotal", j.number(F("tax_total"))),
    ("total", j.number(F("total"))),
    ("payments", _lines(PosPayment)),
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
