"""Returns (credit notes, PRODUCT.md section 8a) through the API, worked by hand.

The sale: 4 × 11.50 SAR of a product with 15% VAT (exclusive), for a client with a 10% automatic discount, and a
manual fixed discount of 2.00. POS discounts are the document's; the line carries its share (`discountAmount`).
    subtotal 46.00; client 10% of 46.00 = 4.60; fixed 2.00; discounts 6.60; line total 39.40;
    VAT round(39.40 × 15%) = round(5.91) = 5.91; total 45.31. Paid 50.00 cash: change 4.69.
Return 1 of 4 (f = 1/4):
    total round(39.40 / 4 = 9.85) = 9.85; discount round(6.60 / 4 = 1.65) = 1.65; subtotal 11.50;
    VAT round(5.91 × 9.85 / 39.40 = 1.4775) = 1.48 (the line's too); total 9.85 + 1.48 = 11.33.
Then the rest, 3 (so far 4/4 = the sale, minus the first return):
    total 39.40 - 9.85 = 29.55; discount 6.60 - 1.65 = 4.95; subtotal 34.50; VAT 5.91 - 1.48 = 4.43; total 33.98.
    11.33 + 33.98 = 45.31: the sale, to the halala.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.models import DocumentCounter, StockMovement
from pos.models import BusinessSession, PosInvoice, PosInvoiceItem, PosReturn
from tests.conftest import client_for, make_staff
from tests.pos.conftest import stock_of, stocked_product
from workspaces import codes

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def supervisor(workspace, store):
    return make_staff(workspace, codes.STORE_ORDERS_MANAGE, codes.POS_INVOICES_VOID, store=store)


@pytest.fixture
def supervisor_client(supervisor):
    return client_for(supervisor)


@pytest.fixture
def croissant(workspace, store, vat):
    return stocked_product(workspace, store, price="11.50", taxes=[vat], name="كرواسون", quantity="20")


@pytest.fixture
def sale(cashier_client, invoices_url, customer, croissant, session):
    customer.pos_discount_type, customer.pos_discount_value, customer.pos_discount_active = (
        "percent",
        10,
        True,
    )
    customer.save()
    invoice = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"]
    url = f"{invoices_url}/{invoice['id']}"
    cashier_client.post(f"{url}/items", {"productId": croissant.pk, "quantity": 4}, format="json")
    cashier_client.post(f"{url}/discounts", {"type": "fixed", "value": 2}, format="json")
    response = cashier_client.post(f"{url}/complete", {"payments": [{"method": "cash", "amount": 50}]})
    assert response.status_code == 200, response.content
    body = response.json()["invoice"]
    assert (body["subtotal"], body["discountTotal"], body["taxTotal"], body["total"], body["changeDue"]) == (
        46,
        6.6,
        5.91,
        45.31,
        4.69,
    )
    return body


def returns_url(invoices_url, sale):
    return f"{invoices_url}/{sale['id']}/returns"


def test_a_partial_return_then_the_rest_add_up_to_the_sale(
    supervisor_client, invoices_url, sale, croissant, store, supervisor, workspace
):
    line = sale["items"][0]
    assert stock_of(croissant, store) == D(16)

    response = supervisor_client.post(
        returns_url(invoices_url, sale),
        {"items": [{"itemId": line["id"], "quantity": 1}], "reason": "Stale"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    first = body["return"]
    assert first == {
        "id": first["id"],
        "workspaceId": str(workspace.pk),
        "storeId": str(store.pk),
        "invoiceId": sale["id"],
        "posBusinessSessionId": sale["posBusinessSessionId"],
        "businessDate": sale["businessDate"],
        "publicId": "CN-001",
        "reason": "Stale",
        "items": [
            {
                "id": first["items"][0]["id"],
                "invoiceItemId": line["id"],
                "productId": str(croissant.pk),
                "name": "كرواسون",
                "quantity": 1,
                "unitPrice": 11.5,
                "subtotal": 11.5,
                "discountAmount": 1.65,
                "taxAmount": 1.48,
                "total": 9.85,
            }
        ],
        "subtotal": 11.5,
        "discountTotal": 1.65,
        "taxTotal": 1.48,
        "total": 11.33,
        "refunds": [{"method": "cash", "amount": 11.33}],
        "createdBy": {
            "type": "staff",
            "id": str(supervisor.pk),
            "name": supervisor.name,
            "email": supervisor.email,
        },
        "createdAt": first["createdAt"],
    }
    # The sale is unchanged but for what was returned of it.
    invoice = body["invoice"]
    assert invoice["status"] == "completed"
    assert invoice["returnedTotal"] == 11.33
    assert (invoice["subtotal"], invoice["total"], invoice["items"][0]["quantity"]) == (46, 45.31, 4)
    assert stock_of(croissant, store) == D(17)
    # The answer's invoice is the invoice as it is read (its discounts and payments too).
    assert invoice == supervisor_client.get(f"{invoices_url}/{sale['id']}").json()["invoice"]
    assert [d["amount"] for d in invoice["discounts"]] == [4.6, 2]

    # The rest: by default everything not yet returned.
    response = supervisor_client.post(
        returns_url(invoices_url, sale), {"reason": "Changed mind"}, format="json"
    )

    assert response.status_code == 201, response.content
    rest = response.json()["return"]
    assert rest["publicId"] == "CN-002"
    assert [
        (i["quantity"], i["subtotal"], i["discountAmount"], i["taxAmount"], i["total"]) for i in rest["items"]
    ] == [(3, 34.5, 4.95, 4.43, 29.55)]
    assert (rest["subtotal"], rest["discountTotal"], rest["taxTotal"], rest["total"]) == (
        34.5,
        4.95,
        4.43,
        33.98,
    )
    # Every figure of the two returns adds up to the sale's.
    returns = PosReturn.objects.order_by("pk")
    for field, sold in (
        ("subtotal", "46"),
        ("discount_total", "6.60"),
        ("tax_total", "5.91"),
        ("total", "45.31"),
    ):
        assert sum(getattr(r, field) for r in returns) == D(sold), field
    assert response.json()["invoice"]["returnedTotal"] == 45.31
    assert stock_of(croissant, store) == D(20)
    assert PosInvoiceItem.objects.get(pk=line["id"]).returned_quantity == D(4)
    # One "back" movement per return, each from its own credit note.
    movements = StockMovement.objects.filter(source_type="pos_return").order_by("pk")
    assert [(m.source_id, m.delta, m.direction, m.reason) for m in movements] == [
        (int(first["id"]), D(1), "back", "return"),
        (int(rest["id"]), D(3), "back", "return"),
    ]

    # Nothing is left.
    response = supervisor_client.post(returns_url(invoices_url, sale), {"reason": "Again"}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "nothing_to_return"


def _nothing_changed(croissant, store, sale):
    assert PosReturn.objects.count() == 0
    assert stock_of(croissant, store) == D(16)
    assert PosInvoiceItem.objects.get(pk=sale["items"][0]["id"]).returned_quantity == 0
    assert PosInvoice.objects.get(pk=sale["id"]).returned_total == 0
    assert not DocumentCounter.objects.filter(series="CN").exists()


@pytest.mark.parametrize(
    ("items", "field", "message"),
    [
        ([{"quantity": 5}], "items.0.quantity", "At most 4 of “كرواسون” can be returned."),
        ([{"quantity": 0}], "items.0.quantity", None),
        ([{"quantity": "0.0001"}], "items.0.quantity", None),
        ([{"quantity": 1}, {"quantity": 1}], "items.1.itemId", "Each item can be named once."),
        ([{"quantity": 1, "itemId": "999999"}], "items.0.itemId", "This invoice has no such item."),
    ],
)
def test_bad_items_are_refused_naming_the_item_and_change_nothing(
    supervisor_client, invoices_url, sale, croissant, store, items, field, message
):
    body = {"items": [{"itemId": sale["items"][0]["id"], **item} for item in items], "reason": "x"}

    response = supervisor_client.post(returns_url(invoices_url, sale), body, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    if message:
        assert errors[field] == [message]
    _nothing_changed(croissant, store, sale)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 256}, "reason"),
        ({"reason": 5}, "reason"),
        ({"reason": "x", "refunds": [{"method": "wire", "amount": 1}]}, "refunds.0.method"),
        ({"reason": "x", "refunds": [{"method": "cash", "amount": -1}]}, "refunds.0.amount"),
        ({"reason": "x", "refunds": [{"method": "cash", "amount": "1.001"}]}, "refunds.0.amount"),
        ({"reason": "x", "items": "all"}, "items.non_field_errors"),  # as `payments` of a completion
        ({"reason": "x", "items": []}, "items.non_field_errors"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(
    supervisor_client, invoices_url, sale, croissant, store, body, field
):
    response = supervisor_client.post(returns_url(invoices_url, sale), body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    _nothing_changed(croissant, store, sale)


def test_refunds_must_add_up_to_the_total(supervisor_client, invoices_url, sale, croissant, store):
    line = sale["items"][0]
    url = returns_url(invoices_url, sale)
    base = {"items": [{"itemId": line["id"], "quantity": 1}], "reason": "x"}

    short = supervisor_client.post(
        url, {**base, "refunds": [{"method": "cash", "amount": 11}]}, format="json"
    )

    assert short.status_code == 422
    assert short.json()["code"] == "refund_mismatch"
    _nothing_changed(croissant, store, sale)

    split = supervisor_client.post(
        url,
        {**base, "refunds": [{"method": "card", "amount": 10}, {"method": "cash", "amount": "1.33"}]},
        format="json",
    )
    assert split.status_code == 201, split.content
    assert split.json()["return"]["refunds"] == [
        {"method": "card", "amount": 10},
        {"method": "cash", "amount": 1.33},
    ]


def test_returning_needs_the_void_permission(
    cashier_client, owner_client, invoices_url, sale, croissant, store
):
    url = returns_url(invoices_url, sale)

    assert cashier_client.post(url, {"reason": "x"}, format="json").status_code == 403
    _nothing_changed(croissant, store, sale)
    # Reading a sale's returns needs only the till's permission.
    assert cashier_client.get(url).status_code == 200
    assert owner_client.post(url, {"reason": "x"}, format="json").status_code == 201


def test_anonymous_and_other_workspaces(
    api_client, other_owner, invoices_url, sale, supervisor_client, workspace
):
    url = returns_url(invoices_url, sale)
    created = supervisor_client.post(url, {"reason": "x"}, format="json").json()["return"]
    foreign = client_for(other_owner)
    other = other_owner.memberships.get().workspace

    assert api_client.post(url, {"reason": "x"}, format="json").status_code == 401
    assert api_client.get(f"/v1/workspace/{workspace.pk}/pos/returns").status_code == 401
    # Not a member of this workspace: 403; this workspace's ids under one's own: 404.
    assert foreign.post(url, {"reason": "x"}, format="json").status_code == 403
    assert foreign.get(f"/v1/workspace/{workspace.pk}/pos/returns/{created['id']}").status_code == 403
    for path in (
        f"pos/invoices/{sale['id']}/returns",
        f"pos/returns/{created['id']}",
        f"pos/returns/{created['id']}/receipt",
    ):
        assert foreign.get(f"/v1/workspace/{other.pk}/{path}").status_code == 404, path
    assert (
        foreign.post(
            f"/v1/workspace/{other.pk}/pos/invoices/{sale['id']}/returns", {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    assert foreign.get(f"/v1/workspace/{other.pk}/pos/returns").json() == {"returns": [], "nextCursor": None}


def test_only_a_completed_sale_is_returned(supervisor_client, invoices_url, new_invoice, coffee):
    draft = new_invoice()

    response = supervisor_client.post(f"{invoices_url}/{draft['id']}/returns", {"reason": "x"}, format="json")

    assert response.status_code == 422
    assert response.json()["code"] == "invoice_not_completed"


def test_a_return_needs_an_open_day_and_belongs_to_it(
    supervisor_client, owner_client, invoices_url, sale, croissant, store, workspace, session
):
    # The sale's day is closed: its drawer is counted, no refund can leave it.
    closed = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/sessions/{session.pk}/close", {}, format="json"
    )
    assert closed.status_code == 200, closed.content
    url = returns_url(invoices_url, sale)

    refused = supervisor_client.post(url, {"reason": "x"}, format="json")

    assert refused.status_code == 422
    assert refused.json()["code"] == "no_open_session"
    _nothing_changed(croissant, store, sale)

    # The next day: the sale is yesterday's, the refund today's.
    opened = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/sessions", {"businessDate": "2031-01-02"}, format="json"
    )
    today = BusinessSession.objects.get(pk=opened.json()["session"]["id"])
    created = supervisor_client.post(url, {"reason": "x"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["return"]["posBusinessSessionId"] == str(today.pk)
    assert created.json()["return"]["businessDate"] == "2031-01-02"
    assert created.json()["invoice"]["posBusinessSessionId"] == str(session.pk)


def test_the_day_report_counts_returns_and_cash_refunds(
    supervisor_client, owner_client, invoices_url, sale, workspace, session
):
    line = sale["items"][0]
    supervisor_client.post(
        returns_url(invoices_url, sale), {"items": [{"itemId": line["id"], "quantity": 1}], "reason": "x"}
    )
    report_url = f"/v1/workspace/{workspace.pk}/pos/sessions/{session.pk}/report"

    live = owner_client.get(report_url).json()["report"]

    # Opening 100 + cash 50 - change 4.69 - cash refund 11.33 = 133.98.
    assert live["returnCounts"] == {"returns": 1, "invoices": 1}
    assert live["returnTotal"] == 11.33
    assert live["refunds"] == {"cash": 11.33, "card": 0, "transfer": 0, "cheque": 0, "other": 0}
    assert live["expectedCash"] == 133.98
    assert live["netSales"] == 45.31  # the sale stays a sale; the refund appears beside it

    closed = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/sessions/{session.pk}/close",
        {"closingCash": "133.98"},
        format="json",
    )
    z_report = closed.json()["session"]["summary"]
    assert {key: z_report[key] for key in ("returnCounts", "returnTotal", "refunds", "expectedCash")} == {
        key: live[key] for key in ("returnCounts", "returnTotal", "refunds", "expectedCash")
    }
    assert z_report["cashDifference"] == 0
    assert owner_client.get(report_url).json() == {"report": z_report, "final": True}


def test_a_sale_with_returns_cannot_be_voided(
    supervisor_client, owner_client, invoices_url, sale, croissant, store
):
    line = sale["items"][0]
    supervisor_client.post(
        returns_url(invoices_url, sale), {"items": [{"itemId": line["id"], "quantity": 1}], "reason": "x"}
    )

    response = owner_client.post(f"{invoices_url}/{sale['id']}/cancel", {"reason": "oops"}, format="json")

    assert response.status_code == 422
    assert response.json()["code"] == "invoice_has_returns"
    assert PosInvoice.objects.get(pk=sale["id"]).status == "completed"
    assert stock_of(croissant, store) == D(17)


def test_lists_and_get(supervisor_client, cashier_client, invoices_url, sale, workspace, session):
    url = returns_url(invoices_url, sale)
    line = sale["items"][0]
    made = [
        supervisor_client.post(
            url, {"items": [{"itemId": line["id"], "quantity": 1}], "reason": f"r{i}"}
        ).json()
        for i in range(3)
    ]
    base = f"/v1/workspace/{workspace.pk}/pos/returns"

    page = cashier_client.get(f"{base}?limit=2").json()
    assert [r["publicId"] for r in page["returns"]] == ["CN-003", "CN-002"]
    rest = cashier_client.get(f"{base}?limit=2&cursor={page['nextCursor']}").json()
    assert [r["publicId"] for r in rest["returns"]] == ["CN-001"]
    assert rest["nextCursor"] is None
    assert [r["publicId"] for r in cashier_client.get(url).json()["returns"]] == [
        "CN-003",
        "CN-002",
        "CN-001",
    ]
    assert len(cashier_client.get(f"{base}?posBusinessSessionId={session.pk}").json()["returns"]) == 3
    assert cashier_client.get(f"{base}?posBusinessSessionId=999999").json()["returns"] == []
    assert len(cashier_client.get(f"{base}?startDate=2000-01-01&endDate=2999-12-31").json()["returns"]) == 3
    assert cashier_client.get(f"{base}?endDate=2000-01-01").json()["returns"] == []
    one = cashier_client.get(f"{base}/{made[0]['return']['id']}")
    assert one.json() == {"return": made[0]["return"]}
    assert cashier_client.get(f"{base}/999999").status_code == 404
    for bad in ("startDate=yesterday", "posBusinessSessionId=x", "limit=0"):
        response = cashier_client.get(f"{base}?{bad}")
        assert response.status_code == 400, bad


def test_the_printed_credit_note(supervisor_client, cashier_client, invoices_url, sale, workspace):
    created = supervisor_client.post(returns_url(invoices_url, sale), {"reason": "Stale"}, format="json")
    url = f"/v1/workspace/{workspace.pk}/pos/returns/{created.json()['return']['id']}/receipt"

    for paper in ("", "?paper=80mm", "?paper=a4"):
        response = cashier_client.get(url + paper)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert "CN-001" in html and sale["publicId"] in html and "45.31" in html
    assert cashier_client.get(url + "?paper=letter").status_code == 400


def test_an_idempotent_retry_makes_one_return(supervisor_client, invoices_url, sale, croissant, store):
    url = returns_url(invoices_url, sale)
    line = sale["items"][0]
    body = {"items": [{"itemId": line["id"], "quantity": 1}], "reason": "x"}

    first = supervisor_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="till-ret-1")
    again = supervisor_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="till-ret-1")

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert PosReturn.objects.count() == 1
    assert stock_of(croissant, store) == D(17)
