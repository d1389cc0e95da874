"""`GET .../pos/sessions/:id` and `.../report`: the live X-report of an open day, the stored Z-report once closed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.pos.conftest import stocked_product

pytestmark = pytest.mark.django_db


def sell(cashier_client, invoices_url, customer, product, quantity, payments=None):
    invoice = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"]
    url = f"{invoices_url}/{invoice['id']}"
    cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": quantity}, format="json")
    body = {"payments": payments} if payments else {}
    response = cashier_client.post(f"{url}/complete", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["invoice"]


@pytest.fixture
def day(cashier_client, invoices_url, customer, session, workspace, store, vat):
    """Worked by hand: 3 × 12.075 = 36.225 → 36.23, VAT 15% = 5.43 (5.4345), total 41.66, paid cash 50
    (change 8.34); 2 × 12.075 = 24.15, VAT 3.62 (3.6225), total 27.77 by card; one draft of 1 × 12.075 left."""
    product = stocked_product(workspace, store, price="12.075", taxes=[vat], name="كرواسون")
    sell(cashier_client, invoices_url, customer, product, 3, [{"method": "cash", "amount": 50}])
    sell(cashier_client, invoices_url, customer, product, 2, [{"method": "card", "amount": "27.77"}])
    draft = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"]
    cashier_client.post(f"{invoices_url}/{draft['id']}/items", {"productId": product.pk, "quantity": 1})
    return session


EXPECTED = {
    "invoiceCounts": {"draft": 1, "completed": 2, "cancelled": 0},
    "grossSales": 60.38,
    "discountTotal": 0,
    "taxTotal": 9.05,
    "netSales": 69.43,
    "payments": {"cash": 50, "card": 27.77, "transfer": 0, "cheque": 0, "other": 0},
    "returnCounts": {"returns": 0, "invoices": 0},
    "returnTotal": 0,
    "refunds": {"cash": 0, "card": 0, "transfer": 0, "cheque": 0, "other": 0},
    "expectedCash": 141.66,  # opening 100 + cash 50 − change 8.34
    "countedCash": None,
    "cashDifference": None,
}


def test_an_open_day_has_no_summary_and_a_live_x_report(owner_client, workspace, day):
    url = f"/v1/workspace/{workspace.pk}/pos/sessions/{day.pk}"
    session = owner_client.get(url).json()["session"]
    assert (session["status"], session["summary"]) == ("open", None)
    assert owner_client.get(f"{url}/report").json() == {"report": EXPECTED, "final": False}


def test_the_x_report_equals_the_z_report_at_close(owner_client, workspace, day):
    url = f"/v1/workspace/{workspace.pk}/pos/sessions/{day.pk}"
    live = owner_client.get(f"{url}/report").json()["report"]
    closed = owner_client.post(f"{url}/close", {"closingCash": "141.5", "cancelDrafts": True}, format="json")
    assert closed.status_code == 200, closed.content
    z_report = owner_client.get(f"{url}/report").json()
    assert z_report["final"] is True
    assert z_report["report"] == closed.json()["session"]["summary"]
    expected = {**live, "countedCash": 141.5, "cashDifference": -0.16}
    # Closing cancelled the one draft: the counts move, every amount stays.
    expected["invoiceCounts"] = {"draft": 0, "completed": 2, "cancelled": 1}
    assert z_report["report"] == expected


def test_amounts_have_the_currency_minor_digits(owner_client, workspace, day):
    raw = owner_client.get(f"/v1/workspace/{workspace.pk}/pos/sessions/{day.pk}/report").content.decode()
    assert '"grossSales":60.38' in raw.replace(" ", "")
    assert "000000" not in raw


def test_another_workspaces_session_is_a_404(owner_client, workspace, other_workspace):
    from tests.pos.tenancy_rows import _session

    theirs = _session(other_workspace)
    for suffix in ("", "/report"):
        response = owner_client.get(f"/v1/workspace/{workspace.pk}/pos/sessions/{theirs.pk}{suffix}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_report_query_count_does_not_grow_with_sales(
    owner_client, workspace, day, django_assert_num_queries, cashier_client, invoices_url, customer, store
):
    url = f"/v1/workspace/{workspace.pk}/pos/sessions/{day.pk}/report"
    # the member; the session; the counts by status with the sums; the payments; the day's returns.
    with django_assert_num_queries(5):
        owner_client.get(url)
    product = stocked_product(workspace, store, price="1", name="ماء")
    for _ in range(3):
        sell(cashier_client, invoices_url, customer, product, 1)
    with django_assert_num_queries(5):
        assert owner_client.get(url).json()["report"]["invoiceCounts"]["completed"] == 5


def test_decimal_sums_are_rounded_in_the_stored_z_report(owner_client, workspace, day):
    owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/sessions/{day.pk}/close", {"cancelDrafts": True}, format="json"
    )
    day.refresh_from_db()
    assert Decimal(day.summary["grossSales"]) == Decimal("60.38")
    assert day.summary["grossSales"] == "60.38"
