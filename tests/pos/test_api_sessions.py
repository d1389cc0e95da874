import datetime as dt
from decimal import Decimal

import pytest

from pos.models import BusinessSession, PosInvoice
from tests.conftest import client_for, make_staff
from tests.factories import StoreFactory
from tests.invoicing.helpers import body, stamp
from tests.pos.conftest import stocked_product
from workspaces import codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions_url(workspace):
    return f"/v1/workspace/{workspace.pk}/pos/sessions"


def test_open_a_day(owner_client, owner, sessions_url, workspace, store):
    response = owner_client.post(
        sessions_url, {"openingCash": "150.50", "businessDate": "2025-03-19"}, format="json"
    )

    assert response.status_code == 201
    session = BusinessSession.objects.get()
    assert body(response) == {
        "session": {
            "id": str(session.pk),
            "workspaceId": str(workspace.pk),
            "storeId": str(store.pk),
            "businessDate": "2025-03-19",
            "status": "open",
            "openingCash": Decimal("150.5"),
            "closingCash": None,
            "openedAt": stamp(session.opened_at),
            "openedBy": {"type": "owner", "id": str(owner.pk), "name": owner.name, "email": owner.email},
            "closedAt": None,
            "closedBy": None,
            "summary": None,
            "createdAt": stamp(session.created_at),
            "updatedAt": stamp(session.updated_at),
        }
    }


def test_business_date_defaults_to_today_in_the_workspace_zone(owner_client, sessions_url, workspace, store):
    from workspaces.dates import workspace_today

    response = owner_client.post(sessions_url, {}, format="json")
    assert response.json()["session"]["businessDate"] == workspace_today(workspace).isoformat()
    assert response.json()["session"]["openingCash"] == 0


def test_one_open_session_per_store(owner_client, sessions_url, store):
    assert owner_client.post(sessions_url, {}, format="json").status_code == 201
    again = owner_client.post(sessions_url, {}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "session_already_open"
    assert BusinessSession.objects.count() == 1


def test_the_database_enforces_one_open_session_per_store(workspace, store):
    from django.db import IntegrityError, transaction

    BusinessSession.objects.create(workspace=workspace, store=store, business_date=dt.date(2025, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessSession.objects.create(workspace=workspace, store=store, business_date=dt.date(2025, 1, 2))


def test_several_stores_need_a_store_id(owner_client, sessions_url, workspace, store, owner):
    branch = StoreFactory(workspace=workspace)
    staff = client_for(make_staff(workspace, codes.POS_SESSIONS_MANAGE))
    response = staff.post(sessions_url, {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "store_required"
    # The owner has no default store: with several stores the owner names one.
    refused = owner_client.post(sessions_url, {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "store_required")
    # A staff member's default store (their membership's storeId) is used.
    at_main = client_for(make_staff(workspace, codes.POS_SESSIONS_MANAGE, store=store))
    assert at_main.post(sessions_url, {}, format="json").json()["session"]["storeId"] == str(store.pk)
    assert staff.post(sessions_url, {"storeId": branch.pk}, format="json").json()["session"][
        "storeId"
    ] == str(branch.pk)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"openingCash": -1}, "openingCash"),
        ({"openingCash": "1.2345"}, "openingCash"),
        ({"openingCash": "abc"}, "openingCash"),
        ({"businessDate": "19/03/2025"}, "businessDate"),
        ({"storeId": "507f1f77bcf86cd799439011"}, "storeId"),
    ],
)
def test_open_validation(owner_client, sessions_url, store, payload, field):
    response = owner_client.post(sessions_url, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_opening_cash_has_the_currencys_minor_digits(owner_client, sessions_url, store):
    response = owner_client.post(sessions_url, {"openingCash": "10.005"}, format="json")  # SAR: 2 places
    assert response.status_code == 400
    assert "openingCash" in response.json()["errors"]


def test_opening_needs_the_permission(cashier_client, sessions_url, store):
    response = cashier_client.post(sessions_url, {}, format="json")
    assert response.status_code == 403
    assert response.json()["details"] == {"permission": "pos.sessions.manage"}


def test_current_session(owner_client, cashier_client, sessions_url, store, session):
    response = cashier_client.get(f"{sessions_url}/current")
    assert response.status_code == 200
    assert response.json()["session"]["id"] == str(session.pk)
    owner_client.post(f"{sessions_url}/{session.pk}/close", {}, format="json")
    assert cashier_client.get(f"{sessions_url}/current").status_code == 404
    assert cashier_client.get(f"{sessions_url}/current?storeId=abc").status_code == 400


def test_list_and_filter_sessions(
    owner_client, sessions_url, workspace, store, session, django_assert_num_queries
):
    branch = StoreFactory(workspace=workspace)
    other = owner_client.post(sessions_url, {"storeId": branch.pk}, format="json").json()["session"]
    owner_client.post(f"{sessions_url}/{session.pk}/close", {}, format="json")
    with django_assert_num_queries(2):
        listed = owner_client.get(sessions_url).json()
    assert [s["id"] for s in listed["sessions"]] == [other["id"], str(session.pk)]
    assert [s["id"] for s in owner_client.get(f"{sessions_url}?status=closed").json()["sessions"]] == [
        str(session.pk)
    ]
    assert [s["id"] for s in owner_client.get(f"{sessions_url}?storeId={branch.pk}").json()["sessions"]] == [
        other["id"]
    ]
    assert owner_client.get(f"{sessions_url}?status=half-open").status_code == 400


def test_close_with_drafts_is_422_naming_them(owner_client, sessions_url, session, new_invoice):
    first, second = new_invoice(), new_invoice()
    response = owner_client.post(f"{sessions_url}/{session.pk}/close", {}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "drafts_open"
    assert response.json()["details"] == {"draftIds": [first["id"], second["id"]]}
    session.refresh_from_db()
    assert session.status == "open"


def test_close_cancelling_drafts(owner_client, sessions_url, session, new_invoice):
    draft = new_invoice()
    response = owner_client.post(f"{sessions_url}/{session.pk}/close", {"cancelDrafts": True}, format="json")
    assert response.status_code == 200
    assert response.json()["session"]["summary"]["invoiceCounts"] == {
        "draft": 0,
        "completed": 0,
        "cancelled": 1,
    }
    assert PosInvoice.objects.get(pk=draft["id"]).status == "cancelled"


def test_z_report(
    owner_client,
    owner,
    cashier_client,
    sessions_url,
    invoices_url,
    workspace,
    store,
    session,
    new_invoice,
    vat,
):
    # Given: opening cash 100; a card+cash sale with change, a cash sale, a voided sale, and a cancelled draft.
    tea = stocked_product(workspace, store, price="20", taxes=[vat])
    one = new_invoice()
    cashier_client.post(
        f"{invoices_url}/{one['id']}/items", {"productId": tea.pk, "quantity": 5}, format="json"
    )  # 100 + 15
    cashier_client.post(
        f"{invoices_url}/{one['id']}/discounts", {"type": "percent", "value": 10}, format="json"
    )  # 90 + 13.5
    paid = cashier_client.post(
        f"{invoices_url}/{one['id']}/complete",
        {"payments": [{"method": "card", "amount": "50"}, {"method": "cash", "amount": "60"}]},
        format="json",
    )
    assert body(paid)["invoice"]["total"] == Decimal("103.5")
    assert body(paid)["invoice"]["changeDue"] == Decimal("6.5")
    two = new_invoice()
    cashier_client.post(
        f"{invoices_url}/{two['id']}/items", {"productId": tea.pk, "quantity": 1}, format="json"
    )  # 23
    cashier_client.post(f"{invoices_url}/{two['id']}/complete", {}, format="json")
    three = new_invoice()
    cashier_client.post(
        f"{invoices_url}/{three['id']}/items", {"productId": tea.pk, "quantity": 1}, format="json"
    )
    cashier_client.post(f"{invoices_url}/{three['id']}/complete", {}, format="json")
    assert owner_client.post(f"{invoices_url}/{three['id']}/cancel", {}, format="json").status_code == 200
    new_invoice()

    # When: the owner closes the day with 175 counted.
    response = owner_client.post(
        f"{sessions_url}/{session.pk}/close", {"closingCash": "175", "cancelDrafts": True}, format="json"
    )

    # Then
    assert response.status_code == 200
    closed = body(response)["session"]
    assert closed["status"] == "closed"
    assert closed["closingCash"] == Decimal("175")
    assert closed["closedBy"]["id"] == str(owner.pk)
    assert closed["summary"] == {
        "invoiceCounts": {"draft": 0, "completed": 2, "cancelled": 2},
        "grossSales": Decimal("120"),
        "discountTotal": Decimal("10"),
        "taxTotal": Decimal("16.5"),
        "netSales": Decimal("126.5"),
        "payments": {
            "cash": Decimal("83"),
            "card": Decimal("50"),
            "transfer": Decimal("0"),
            "cheque": Decimal("0"),
            "other": Decimal("0"),
        },
        "returnCounts": {"returns": Decimal("0"), "invoices": Decimal("0")},
        "returnTotal": Decimal("0"),
        "refunds": {method: Decimal("0") for method in ("cash", "card", "transfer", "cheque", "other")},
        "expectedCash": Decimal("176.5"),  # 100 opening + 83 cash taken - 6.5 change
        "countedCash": Decimal("175"),
        "cashDifference": Decimal("-1.5"),
    }


def test_closing_twice_is_422(owner_client, sessions_url, session):
    owner_client.post(f"{sessions_url}/{session.pk}/close", {}, format="json")
    again = owner_client.post(f"{sessions_url}/{session.pk}/close", {}, format="json")
    assert again.status_code == 422
    assert again.json()["code"] == "session_closed"


@pytest.mark.parametrize(
    ("payload", "field"), [({"closingCash": -5}, "closingCash"), ({"cancelDrafts": "yes"}, "cancelDrafts")]
)
def test_close_validation(owner_client, sessions_url, session, payload, field):
    response = owner_client.post(f"{sessions_url}/{session.pk}/close", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_voiding_after_close_leaves_the_z_report_as_it_was(
    owner_client, cashier_client, sessions_url, invoices_url, session, new_invoice, coffee
):
    invoice = new_invoice()
    cashier_client.post(
        f"{invoices_url}/{invoice['id']}/items", {"productId": coffee.pk, "quantity": 2}, format="json"
    )
    cashier_client.post(f"{invoices_url}/{invoice['id']}/complete", {}, format="json")
    summary = owner_client.post(f"{sessions_url}/{session.pk}/close", {}, format="json").json()["session"][
        "summary"
    ]
    voided = owner_client.post(f"{invoices_url}/{invoice['id']}/cancel", {"reason": "refund"}, format="json")
    assert voided.status_code == 200
    session.refresh_from_db()
    listed = owner_client.get(f"{sessions_url}?status=closed").json()["sessions"][0]
    assert listed["summary"] == summary
