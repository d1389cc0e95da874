"""Through nginx to two app servers (PRODUCT.md section 11): nothing is kept on one server that the other needs,
a client reads its own writes at once, and a report nobody just wrote to is the replica's."""

from __future__ import annotations

import uuid

from tests.scale.conftest import Setup, Shop, api_key_for, expect, statement_calls


def sale(http, root: str, shop: Shop, *, quantity: int = 2) -> dict:
    invoice = expect(http.post(f"{root}/pos/invoices", json={"clientId": shop.client}, timeout=30), 201)[
        "invoice"
    ]
    body = {"productId": shop.products[0]["id"], "quantity": quantity}
    expect(http.post(f"{root}/pos/invoices/{invoice['id']}/items", json=body, timeout=30), 201)
    return expect(http.post(f"{root}/pos/invoices/{invoice['id']}/complete", json={}, timeout=30), 200)[
        "invoice"
    ]


def test_a_sale_made_through_one_server_is_read_at_once_through_the_other(setup: Setup, shop: Shop):
    first, second = setup.apps
    http = shop.session()
    made = sale(http, shop.root(first), shop)
    assert made["status"] == "completed"

    read = expect(http.get(f"{shop.root(second)}/pos/invoices/{made['id']}", timeout=30), 200)["invoice"]
    assert (read["publicId"], read["status"], read["total"]) == (made["publicId"], "completed", made["total"])
    listed = expect(http.get(f"{shop.root(second)}/pos/invoices", timeout=30), 200)["invoices"]
    assert made["id"] in [invoice["id"] for invoice in listed]


def test_a_list_read_right_after_a_write_sees_the_write(setup: Setup, shop: Shop):
    """Twenty writes, each followed at once by the list through the other server: the writer's reads are the
    primary's (the replica's own lag never shows), and the replica ran none of those list reads."""
    http = shop.session()
    before = statement_calls(setup.replica, "invoicing_product")
    for round_ in range(20):
        writer, reader = setup.apps if round_ % 2 == 0 else reversed(setup.apps)
        name = f"صنف {uuid.uuid4().hex[:8]}"
        body = {"name": name, "sku": f"RYW-{uuid.uuid4().hex[:10]}", "price": 5}
        expect(http.post(f"{shop.root(writer)}/products", json=body, timeout=30), 201)
        listed = expect(http.get(f"{shop.root(reader)}/products", params={"q": name}, timeout=30), 200)
        assert [product["name"] for product in listed["products"]] == [name]
    assert statement_calls(setup.replica, "invoicing_product") == before


def test_a_report_read_with_no_recent_write_is_the_replicas(setup: Setup, shop: Shop):
    http = shop.session()
    sale(http, shop.root(setup.url), shop)
    current = f"{shop.root(setup.url)}/pos/sessions/current?storeId={shop.store}"
    session = expect(http.get(current, timeout=30), 200)["session"]
    reader = shop.session(api_key_for(setup, shop))  # a client that has written nothing

    before = statement_calls(setup.replica, "pos_posinvoice")
    for app in setup.apps:
        report = expect(reader.get(f"{shop.root(app)}/pos/sessions/{session['id']}/report", timeout=30), 200)
        assert report["final"] is False and report["report"]["invoiceCounts"]["completed"] >= 1
        listed = expect(reader.get(f"{shop.root(app)}/pos/invoices", timeout=30), 200)
        assert listed["invoices"]
    assert statement_calls(setup.replica, "pos_posinvoice") > before
