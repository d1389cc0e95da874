"""`POST .../pos/sync`: sales a till made offline, recorded exactly once (PRODUCT.md section 8d).

Every figure below is worked by hand. The shop: SAR (2 places), VAT 15% exclusive on the coffee.
- Sale A: 2 × coffee at 11.50 → subtotal 23.00, VAT 3.45, total 26.45; paid 30 cash → change 3.55.
- Sale B: 1 × tea at 5.00 (no tax), 10% discount → subtotal 5.00, discount 0.50, total 4.50; paid 4.50 by card.
- Sale C: 3 × tea at 5.00 → 15.00, paid 15 cash.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest

from invoicing.models import StockMovement
from pos.models import PosInvoice
from tests.conftest import client_for, make_staff
from tests.pos.conftest import stock_of, stocked_product
from tests.pos.test_einvoicing import onboarded  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def sync_url(workspace):
    return f"/v1/workspace/{workspace.pk}/pos/sync"


@pytest.fixture
def coffee(workspace, store, vat):
    return stocked_product(workspace, store, price="12", name="قهوة عربية", sku="COF-1", taxes=[vat])


@pytest.fixture
def tea(workspace, store):
    return stocked_product(workspace, store, price="5", name="شاي", sku="TEA-1")


def sale_a(store, coffee, **changes):
    return {
        "clientRef": str(uuid.uuid4()),
        "storeId": str(store.pk),
        "createdAt": "2026-12-03T07:14:05.000Z",
        "completedAt": "2026-12-03T07:15:40.250Z",
        "items": [{"productId": str(coffee.pk), "quantity": 2, "unitPrice": "11.50"}],
        "payments": [{"method": "cash", "amount": 30}],
        "total": "26.45",
        **changes,
    }


def sale_b(store, tea, customer):
    return {
        "clientRef": str(uuid.uuid4()),
        "storeId": str(store.pk),
        "clientId": str(customer.pk),
        "createdAt": "2026-12-03T07:20:00Z",
        "completedAt": "2026-12-03T07:21:00Z",
        "items": [{"productId": str(tea.pk), "quantity": 1, "unitPrice": 5, "note": "بدون سكر"}],
        "discounts": [{"type": "percent", "value": 10, "reason": "loyalty"}],
        "payments": [{"method": "card", "amount": "4.50"}],
        "total": "4.50",
    }


def sale_c(store, tea):
    return {
        "clientRef": str(uuid.uuid4()),
        "storeId": str(store.pk),
        "createdAt": "2026-12-03T07:30:00Z",
        "completedAt": "2026-12-03T07:30:30Z",
        "items": [{"productId": str(tea.pk), "quantity": 3, "unitPrice": 5}],
        "payments": [{"method": "cash", "amount": 15}],
        "total": 15,
    }


def sync(client, url, sales, *, device="till-1", **headers):
    response = client.post(url, {"deviceId": device, "sales": sales}, format="json", headers=headers)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def numbers(workspace):
    return list(
        PosInvoice.objects.filter(workspace=workspace).order_by("number").values_list("public_id", flat=True)
    )


def test_a_batch_with_a_duplicate_inside_records_each_sale_once(
    cashier_client, sync_url, session, store, coffee, tea, customer, workspace, cashier
):
    a, b = sale_a(store, coffee), sale_b(store, tea, customer)

    results = sync(cashier_client, sync_url, [a, b, a])

    assert [(r["clientRef"], r["status"]) for r in results] == [
        (a["clientRef"], "created"),
        (b["clientRef"], "created"),
        (a["clientRef"], "duplicate"),
    ]
    first, second, again = (r["invoice"] for r in results)
    assert again == first
    assert numbers(workspace) == ["POS-001", "POS-002"]
    # Sale A, by hand: 2 × 11.50 = 23.00, VAT 15% = 3.45, total 26.45; 30 cash → 3.55 change.
    assert first["publicId"] == "POS-001"
    assert first["status"] == "completed"
    assert (first["subtotal"], first["taxTotal"], first["total"], first["changeDue"]) == (
        23,
        3.45,
        26.45,
        3.55,
    )
    assert first["items"][0]["name"] == "قهوة عربية"
    assert first["payments"][0]["method"] == "cash" and first["payments"][0]["amount"] == 30
    assert first["offline"] is True and first["clientRef"] == a["clientRef"]
    assert first["totalMismatch"] is False and first["offlineTotal"] is None and first["stockShort"] is False
    assert first["clientId"] is None  # no client named: a walk-in sale
    assert first["createdAt"] == "2026-12-03T07:14:05.000Z"  # the till's clock, kept
    assert first["completedAt"] == "2026-12-03T07:15:40.250Z"
    assert first["syncedAt"] is not None and first["syncedAt"] > first["completedAt"]
    assert first["posBusinessSessionId"] == str(session.pk)
    assert first["businessDate"] == str(session.business_date)
    assert first["createdBy"]["id"] == str(cashier.pk)
    # Sale B: 5.00 − 10% = 4.50, paid by card.
    assert (second["subtotal"], second["discountTotal"], second["total"]) == (5, 0.5, 4.5)
    assert second["discounts"][0]["source"] == "manual" and second["discounts"][0]["amount"] == 0.5
    assert second["clientId"] == str(customer.pk)
    assert second["items"][0]["note"] == "بدون سكر"
    # Stock left once: coffee 50 → 48, tea 50 → 49.
    assert stock_of(coffee, store) == 48 and stock_of(tea, store) == 49
    assert StockMovement.objects.filter(source_type="pos_invoice", direction="out").count() == 2
    # The invoice reads the same through the single GET.
    got = cashier_client.get(f"/v1/workspace/{workspace.pk}/pos/invoices/{first['id']}").json()["invoice"]
    assert got == first


def test_a_replayed_batch_answers_the_first_invoices_and_changes_nothing(
    cashier_client, sync_url, session, store, coffee, tea, customer, workspace
):
    batch = [sale_a(store, coffee), sale_b(store, tea, customer)]
    first = sync(cashier_client, sync_url, batch)

    replayed = sync(cashier_client, sync_url, batch)

    assert [r["status"] for r in first] == ["created", "created"]
    assert [r["status"] for r in replayed] == ["duplicate", "duplicate"]
    assert [r["invoice"] for r in replayed] == [r["invoice"] for r in first]
    assert numbers(workspace) == ["POS-001", "POS-002"]
    assert stock_of(coffee, store) == 48 and stock_of(tea, store) == 49


def test_a_bad_sale_between_two_good_ones_is_rejected_alone(
    cashier_client, sync_url, session, store, coffee, tea, workspace
):
    unknown = sale_c(store, tea)
    unknown["items"].append({"productId": "999999", "quantity": 1, "unitPrice": 1})
    good_a, good_c = sale_a(store, coffee), sale_c(store, tea)

    results = sync(cashier_client, sync_url, [good_a, unknown, good_c])

    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1] == {
        "clientRef": unknown["clientRef"],
        "status": "rejected",
        "errors": {
            "message": "Product not found.",
            "code": "not_found",
            "errors": {"items.1.productId": ["Product not found."]},
        },
    }
    # The rejected sale took no number and no stock: POS-001, POS-002; tea 50 − 3 (sale C only).
    assert [results[0]["invoice"]["publicId"], results[2]["invoice"]["publicId"]] == ["POS-001", "POS-002"]
    assert stock_of(tea, store) == 47
    assert not PosInvoice.objects.filter(client_ref=unknown["clientRef"]).exists()


def test_a_malformed_sale_is_rejected_with_its_fields_named(cashier_client, sync_url, session, store, coffee):
    bad = sale_a(store, coffee, clientRef="not-a-uuid", total="many")
    bad["items"][0]["quantity"] = -1
    del bad["payments"]

    results = sync(cashier_client, sync_url, [bad, sale_a(store, coffee)])

    assert results[0]["clientRef"] == "not-a-uuid"
    assert results[0]["status"] == "rejected"
    errors = results[0]["errors"]
    assert errors["code"] == "validation_error"
    assert set(errors["errors"]) == {"clientRef", "total", "payments"}
    assert results[1]["status"] == "created"


def test_amounts_may_be_json_numbers_with_decimals(cashier_client, sync_url, session, store, coffee):
    sale = sale_a(store, coffee, total=26.45, payments=[{"method": "card", "amount": 26.45}])
    sale["items"][0]["unitPrice"] = 11.5

    [result] = sync(cashier_client, sync_url, [sale])

    assert result["status"] == "created", result
    assert (result["invoice"]["total"], result["invoice"]["totalMismatch"]) == (26.45, False)


def test_a_sale_of_more_than_500_lines_is_rejected_alone(cashier_client, sync_url, session, store, coffee):
    line = {"productId": str(coffee.pk), "quantity": 1, "unitPrice": 1}
    results = sync(
        cashier_client, sync_url, [sale_a(store, coffee, items=[line] * 501), sale_a(store, coffee)]
    )

    assert [r["status"] for r in results] == ["rejected", "created"]
    assert results[0]["errors"]["code"] == "too_many_lines"
    assert results[0]["errors"]["details"] == {"max": 500, "lines": 501}


def test_a_sale_that_is_not_an_object_is_rejected_alone(cashier_client, sync_url, session, store, coffee):
    results = sync(cashier_client, sync_url, ["not a sale", None, sale_a(store, coffee)])

    assert [r["status"] for r in results] == ["rejected", "rejected", "created"]
    assert results[0] == {
        "clientRef": None,
        "status": "rejected",
        "errors": {
            "message": "Invalid input.",
            "code": "validation_error",
            "errors": {"non_field_errors": ["A sale is a JSON object."]},
        },
    }


def test_a_sale_completed_before_it_was_created_is_rejected(cashier_client, sync_url, session, store, coffee):
    sale = sale_a(store, coffee, completedAt="2026-12-03T07:14:04.999Z")  # a millisecond before createdAt

    [result] = sync(cashier_client, sync_url, [sale])

    assert result["status"] == "rejected"
    assert result["errors"]["errors"] == {"completedAt": ["A sale is completed after it is created."]}
    assert not PosInvoice.objects.exists()


def test_a_sale_short_of_stock_is_recorded_below_zero_and_flagged(
    cashier_client, sync_url, session, workspace, store, owner_client
):
    scarce = stocked_product(workspace, store, quantity="1", price="5", name="كرواسون")
    sale = sale_c(store, scarce)  # 3 sold, 1 in stock

    [result] = sync(cashier_client, sync_url, [sale])

    assert result["status"] == "created"
    assert result["invoice"]["stockShort"] is True
    assert stock_of(scarce, store) == -2
    movement = StockMovement.objects.get(product=scarce, direction="out")
    assert movement.delta == -3 and movement.stock_short is True
    # A sale made online still refuses short stock: only the offline path records it.
    assert workspace.allow_negative_stock is False


def test_a_total_the_till_computed_differently_is_kept_and_flagged(
    cashier_client, sync_url, session, store, coffee
):
    # The till forgot the VAT: it charged 23.00 by card. The money changed hands: recorded, not refused.
    sale = sale_a(store, coffee, total="23", payments=[{"method": "card", "amount": 23}])

    [result] = sync(cashier_client, sync_url, [sale])

    invoice = result["invoice"]
    assert result["status"] == "created"
    assert invoice["total"] == 26.45  # the calculator's figures are the invoice's
    assert invoice["offlineTotal"] == 23 and invoice["totalMismatch"] is True
    assert invoice["changeDue"] == 0
    assert PosInvoice.objects.get(pk=invoice["id"]).paid_total == Decimal("23")


def test_payments_short_of_the_tills_own_total_are_rejected(cashier_client, sync_url, session, store, coffee):
    sale = sale_a(store, coffee, payments=[{"method": "card", "amount": 20}])

    [result] = sync(cashier_client, sync_url, [sale])

    assert result["status"] == "rejected"
    assert result["errors"]["code"] == "payment_mismatch"
    assert not PosInvoice.objects.exists()


def test_no_open_session_is_rejected_then_recorded_once_the_day_is_open(
    cashier_client, owner_client, sync_url, store, coffee, workspace
):
    sale = sale_a(store, coffee)
    [refused] = sync(cashier_client, sync_url, [sale])
    assert refused["status"] == "rejected" and refused["errors"]["code"] == "no_open_session"
    assert stock_of(coffee, store) == 50

    opened = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/sessions", {"openingCash": 100}, format="json"
    )
    [retried] = sync(cashier_client, sync_url, [sale])

    assert retried["status"] == "created"
    assert retried["invoice"]["posBusinessSessionId"] == opened.json()["session"]["id"]
    assert retried["invoice"]["publicId"] == "POS-001"
    assert stock_of(coffee, store) == 48
    # It counts in the day's X-report: 26.45 net, 30 cash in and 3.55 change out.
    figures = owner_client.get(
        f"/v1/workspace/{workspace.pk}/pos/sessions/{opened.json()['session']['id']}/report"
    ).json()["report"]
    assert figures["invoiceCounts"]["completed"] == 1
    assert figures["netSales"] == 26.45
    assert figures["expectedCash"] == 126.45  # 100 opening + 30 − 3.55


def test_a_closed_day_counts_the_offline_sale_in_its_z_report(
    cashier_client, owner_client, sync_url, session, store, coffee, tea, customer, workspace
):
    sync(cashier_client, sync_url, [sale_a(store, coffee), sale_b(store, tea, customer)])

    closed = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/sessions/{session.pk}/close",
        {"closingCash": "126.45"},
        format="json",
    )

    summary = closed.json()["session"]["summary"]
    assert summary["invoiceCounts"]["completed"] == 2
    assert summary["netSales"] == 30.95  # 26.45 + 4.50
    assert summary["payments"]["cash"] == 30 and summary["payments"]["card"] == 4.5
    assert summary["cashDifference"] == 0


def test_ids_of_another_workspace_are_rejected_as_unknown(
    cashier_client, sync_url, session, store, coffee, other_workspace
):
    from tests.factories import ClientFactory, StoreFactory

    foreign_store = StoreFactory(workspace=other_workspace)
    foreign_client = ClientFactory(workspace=other_workspace)
    in_foreign_store = sale_a(store, coffee, storeId=str(foreign_store.pk))
    for_foreign_client = sale_a(store, coffee, clientId=str(foreign_client.pk))

    results = sync(cashier_client, sync_url, [in_foreign_store, for_foreign_client])

    assert [(r["status"], r["errors"]["code"], list(r["errors"]["errors"])) for r in results] == [
        ("rejected", "not_found", ["storeId"]),
        ("rejected", "not_found", ["clientId"]),
    ]


def test_the_envelope_is_checked_and_over_500_sales_is_a_413(
    cashier_client, sync_url, session, store, coffee
):
    assert cashier_client.post(sync_url, {"sales": []}, format="json").json()["errors"] == {
        "deviceId": ["This field is required."]
    }
    assert cashier_client.post(sync_url, {"deviceId": "t", "sales": "x"}, format="json").status_code == 400
    assert sync(cashier_client, sync_url, []) == []

    too_many = cashier_client.post(
        sync_url, {"deviceId": "t", "sales": [{"clientRef": str(i)} for i in range(501)]}, format="json"
    )
    assert too_many.status_code == 413
    assert too_many.json()["code"] == "payload_too_large"

    huge = json.dumps({"deviceId": "t", "sales": [sale_a(store, coffee, note="x" * 4000)] * 300})
    assert len(huge) > 1024 * 1024
    over = cashier_client.generic("POST", sync_url, huge, content_type="application/json")
    assert over.status_code == 413
    assert not PosInvoice.objects.exists()


def test_it_needs_authentication_and_the_orders_permission(workspace, sync_url, session, store, coffee):
    from rest_framework.test import APIClient

    body = {"deviceId": "t", "sales": [sale_a(store, coffee)]}
    assert APIClient().post(sync_url, body, format="json").status_code == 401
    clerk = client_for(make_staff(workspace, "clients.manage"))
    refused = clerk.post(sync_url, body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert not PosInvoice.objects.exists()


def test_an_idempotency_key_replays_the_first_answer(cashier_client, sync_url, session, store, coffee):
    body = {"deviceId": "till-1", "sales": [sale_a(store, coffee)]}
    first = cashier_client.post(sync_url, body, format="json", headers={"Idempotency-Key": "batch-1"})

    again = cashier_client.post(sync_url, body, format="json", headers={"Idempotency-Key": "batch-1"})

    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert first.json()["results"][0]["status"] == "created"
    assert PosInvoice.objects.count() == 1


def test_a_batch_costs_a_fixed_number_of_queries_per_sale(
    cashier_client, sync_url, session, store, coffee, tea, django_assert_num_queries
):
    def batch(size):
        return [sale_c(store, tea) if i % 2 else sale_a(store, coffee) for i in range(size)]

    # 6 per request (the caller's membership; the batch's stores, products, their taxes, order statuses and the
    # references already made) + 10 per sale (BEGIN; the session FOR SHARE; the number; the invoice, its items,
    # its payments; the audit event; the stock levels lowered in one UPDATE locking them, the movements; COMMIT).
    with django_assert_num_queries(6 + 10):
        sync(cashier_client, sync_url, batch(1))
    with django_assert_num_queries(6 + 10 * 3):
        sync(cashier_client, sync_url, batch(3))


def test_a_reference_recorded_by_a_concurrent_request_answers_duplicate(
    cashier_client, sync_url, session, store, coffee, monkeypatch
):
    """The race the database settles: the batch looked before another request committed the same reference. The
    insert hits the unique constraint, the sale's transaction rolls back whole, and the first invoice answers."""
    from pos.services import sync as sync_service

    sale = sale_a(store, coffee)
    [first] = sync(cashier_client, sync_url, [sale])
    looked = sync_service._existing
    calls = []

    def stale_then_true(workspace, refs):
        calls.append(refs)
        return {} if len(calls) == 1 else looked(workspace, refs)

    monkeypatch.setattr(sync_service, "_existing", stale_then_true)

    [raced] = sync(cashier_client, sync_url, [sale])

    assert len(calls) == 2  # the stale look, then the one after the constraint
    assert raced["status"] == "duplicate" and raced["invoice"] == first["invoice"]
    assert PosInvoice.objects.count() == 1 and stock_of(coffee, store) == 48
    assert numbers(coffee.workspace) == ["POS-001"]  # the number the rolled-back sale took is given back


def test_an_offline_sale_is_signed_and_chained_on_arrival(
    onboarded,  # noqa: F811
    cashier_client,
    owner_client,
    sync_url,
    session,
    store,
    coffee,
    workspace,
):
    from lxml import etree

    from invoicing.zatca.hashing import FIRST_PREVIOUS_HASH, invoice_hash
    from tests.pos.test_einvoicing import NS

    results = sync(cashier_client, sync_url, [sale_a(store, coffee), sale_a(store, coffee)])

    invoices_url = f"/v1/workspace/{workspace.pk}/pos/invoices"
    documents = [
        owner_client.get(f"{invoices_url}/{r['invoice']['id']}/zatca").json()["zatca"] for r in results
    ]
    assert [d["icv"] for d in documents] == [1, 2]
    assert [d["previousHash"] for d in documents] == [FIRST_PREVIOUS_HASH, documents[0]["hash"]]
    xml = owner_client.get(f"{invoices_url}/{results[0]['invoice']['id']}/zatca.xml").content
    assert invoice_hash(xml) == documents[0]["hash"]
    root = etree.fromstring(xml)
    # Issued when the till completed the sale (07:15:40 UTC), its figures the calculator's.
    assert root.xpath("cbc:IssueDate", namespaces=NS)[0].text == "2026-12-03"
    assert root.xpath("cbc:IssueTime", namespaces=NS)[0].text.startswith(("07:15:40", "10:15:40"))
    assert root.xpath("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)[0].text == "26.45"


def test_a_product_deleted_since_the_till_loaded_it_is_still_sold(
    cashier_client, owner_client, sync_url, session, store, workspace
):
    # Given: a pastry the till loaded this morning, deleted in the back office since (nothing referred to it yet)
    pastry = stocked_product(workspace, store, quantity="0", price="7", name="معمول", sku="MAM-1")
    products_url = f"/v1/workspace/{workspace.pk}/products"
    assert owner_client.delete(f"{products_url}/{pastry.pk}").status_code == 204
    assert owner_client.get(f"{products_url}/{pastry.pk}").status_code == 404
    assert str(pastry.pk) not in {p["id"] for p in owner_client.get(products_url).json()["products"]}
    # Its SKU is free again.
    again = owner_client.post(products_url, {"name": "معمول جديد", "sku": "MAM-1", "price": 8}, format="json")
    assert again.status_code == 201, again.content

    # When: the till, offline, sold two, and syncs
    sale = sale_c(store, pastry)
    sale["items"][0].update(quantity=2, unitPrice=7)
    sale["payments"][0]["amount"] = sale["total"] = 14
    [result] = sync(cashier_client, sync_url, [sale])

    # Then: recorded with the name it had, short of stock (none was counted in)
    assert result["status"] == "created", result
    assert result["invoice"]["items"][0]["name"] == "معمول"
    assert result["invoice"]["total"] == 14 and result["invoice"]["stockShort"] is True
    assert stock_of(pastry, store) == -2
    # The product stays deleted, and an online till still cannot add it.
    assert owner_client.get(f"{products_url}/{pastry.pk}").status_code == 404
