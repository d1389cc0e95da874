"""On PostgreSQL the POS list's answers are written by the database (`pos.api.json_rows`): byte for byte what the
renderer writes from the same rows in Python (`invoice_row_output`), for every kind of value an invoice holds:
nulls, an API key's or a deleted user's invoice, an offline sale's reference and mismatch, returns, amounts with
three places and none, texts with quotes, controls, Arabic and emoji."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos import selectors
from pos.api.json_rows import INVOICE_JSON, LINE_ANSWERS
from pos.api.serializers import invoice_row_output
from pos.models import OrderStatus, PosInvoice, PosInvoiceDiscount, PosInvoiceItem
from tests.conftest import client_for
from tests.pos.conftest import owner_access, stocked_product
from workspaces import json_sql
from workspaces.api.renderers import dumps_bytes
from workspaces.services.workspace import api_key_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _python(invoice_id, workspace):
    rows = selectors.with_lines(list(selectors.invoice_rows(workspace=workspace).filter(pk=invoice_id)))
    return dumps_bytes(invoice_row_output(rows[0]))


def _database(invoice_id):
    text = PosInvoice.objects.filter(pk=invoice_id).annotate(json=INVOICE_JSON).values_list("json", flat=True)
    return text.get().encode()


def _kept_answers_are_their_definitions() -> None:
    """Each line's answer as the database keeps it in its row (the generated column `answer`) is the answer its
    definition writes (`LINE_ANSWERS`): a definition changed without a migration that generates the column again
    fails here."""
    for model, answer in LINE_ANSWERS.items():
        rows = list(
            model.objects.annotate(live=answer, kept=json_sql.stored("answer")).values_list("live", "kept")
        )
        assert rows, model
        assert [kept for _live, kept in rows] == [live for live, _kept in rows], model


def _sale(cashier_client, invoices_url, new_invoice, product, **item):
    url = f"{invoices_url}/{new_invoice()['id']}"
    response = cashier_client.post(
        f"{url}/items", {"productId": product.pk, "quantity": 1, **item}, format="json"
    )
    assert response.status_code == 201, response.content
    return int(url.rsplit("/", 1)[1])


def test_every_kind_of_invoice_is_written_as_python_writes_it(
    cashier_client, owner, invoices_url, new_invoice, workspace, store, customer, vat, cashier
):
    status = OrderStatus.objects.create(
        workspace=workspace, label_ar='"جاهز" \\', label_en="Ready\n", is_default=True
    )
    product = stocked_product(workspace, store, price="12.345", taxes=[vat], name="قهوة 🍵", sku=None)
    completed = _sale(cashier_client, invoices_url, new_invoice, product, note='a "quoted" \\ note\t\x01\x1f')
    url = f"{invoices_url}/{completed}"
    cashier_client.post(f"{url}/discounts", {"type": "percent", "value": "12.5"}, format="json")
    paid = [{"method": "card", "amount": "5.5"}, {"method": "cash", "amount": "100"}]
    assert cashier_client.post(f"{url}/complete", {"payments": paid}, format="json").status_code == 200
    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace, owner), name="Till «2»")
    by_key = client_for(api_key=raw).post(invoices_url, {"clientId": customer.pk}, format="json")
    assert by_key.status_code == 201
    draft = _sale(cashier_client, invoices_url, new_invoice, product)
    # What only syncing, returns and a deleted account or key leave behind, written straight to the rows.
    PosInvoice.objects.filter(pk=completed).update(
        order_status=status,
        offline=True,
        client_ref=uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e"),
        synced_at=dt.datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=dt.UTC),
        offline_total=Decimal("1234567.891"),
        total_mismatch=True,
        stock_short=True,
        returned_total=Decimal("0.500"),
    )
    PosInvoice.objects.filter(pk=draft).update(client=None, created_by=None)
    PosInvoiceItem.objects.filter(invoice_id=draft).update(note="", quantity=Decimal("0.001"))
    PosInvoiceDiscount.objects.filter(invoice_id=completed).update(reason='"VIP" \\ عميل\n\x02')
    keyed = int(by_key.json()["invoice"]["id"])
    ids = [completed, draft, keyed]
    for invoice_id in ids:
        assert _database(invoice_id) == _python(invoice_id, workspace)
    _key.delete()
    assert _database(keyed) == _python(keyed, workspace)
    assert b'"createdBy":null' in _database(keyed) and b'"createdBy":null' in _database(draft)
    _kept_answers_are_their_definitions()
    assert b'"clientRef":"0f8fad5b-d9cb-469f-a165-70867728950e"' in _database(completed)
    assert b'"syncedAt":"2026-03-01T23:59:59.999Z"' in _database(completed)


# Any text a till or an owner can type (PostgreSQL refuses NUL in text; lone surrogates cannot reach the database).
TEXTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=TEXTS, name=TEXTS, amount=st.decimals(min_value=0, max_value=10**9, places=3))
def test_any_text_and_amount_is_written_as_python_writes_it(
    cashier_client, invoices_url, new_invoice, workspace, store, note, name, amount
):
    product = stocked_product(workspace, store, quantity="0", price="1")
    invoice_id = _sale(cashier_client, invoices_url, new_invoice, product)
    PosInvoiceItem.objects.filter(invoice_id=invoice_id).update(note=note, name=name, total=amount)
    PosInvoice.objects.filter(pk=invoice_id).update(
        total=amount, created_at=dt.datetime(1999, 12, 31, tzinfo=dt.UTC)
    )
    assert _database(invoice_id) == _python(invoice_id, workspace)
    rows = PosInvoiceItem.objects.filter(invoice_id=invoice_id)
    assert [row[0] for row in rows.annotate(kept=json_sql.stored("answer")).values_list("kept")] == [
        row[0] for row in rows.annotate(live=LINE_ANSWERS[PosInvoiceItem]).values_list("live")
    ]
