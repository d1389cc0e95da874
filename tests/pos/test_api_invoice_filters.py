"""Seed 001's filters, alone and combined; a bad value is a 400."""

import datetime as dt

import pytest

from pos.models import PosInvoice
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(owner_client, cashier_client, invoices_url, workspace, session, new_invoice, coffee):
    """Three invoices: a completed one for Ali with status 'ready', a draft for Ali, a draft for Huda."""
    ali = ClientFactory(workspace=workspace, name="علي")
    huda = ClientFactory(workspace=workspace, name="هدى")
    ready = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/order-statuses", {"labelAr": "جاهز"}, format="json"
    ).json()["orderStatus"]
    completed = new_invoice(client=ali)
    cashier_client.post(
        f"{invoices_url}/{completed['id']}/items", {"productId": coffee.pk, "quantity": 1}, format="json"
    )
    cashier_client.post(f"{invoices_url}/{completed['id']}/complete", {}, format="json")
    cashier_client.patch(f"{invoices_url}/{completed['id']}", {"orderStatusId": ready["id"]}, format="json")
    ali_draft = new_invoice(client=ali)
    huda_draft = new_invoice(client=huda)
    return {
        "ali": ali,
        "huda": huda,
        "ready": ready,
        "completed": completed["id"],
        "ali_draft": ali_draft["id"],
        "huda_draft": huda_draft["id"],
    }


def ids(api, url, query):
    response = api.get(f"{url}?{query}")
    assert response.status_code == 200, response.content
    return [invoice["id"] for invoice in response.json()["invoices"]]


def test_each_filter_alone(cashier_client, invoices_url, world, session):
    assert ids(cashier_client, invoices_url, f"clientId={world['ali'].pk}") == [
        world["ali_draft"],
        world["completed"],
    ]
    assert ids(cashier_client, invoices_url, "status=draft") == [world["huda_draft"], world["ali_draft"]]
    assert ids(cashier_client, invoices_url, "status=completed") == [world["completed"]]
    assert ids(cashier_client, invoices_url, "status=cancelled") == []
    assert ids(cashier_client, invoices_url, f"orderStatusId={world['ready']['id']}") == [world["completed"]]
    assert len(ids(cashier_client, invoices_url, f"posBusinessSessionId={session.pk}")) == 3
    assert ids(cashier_client, invoices_url, "posBusinessSessionId=999999") == []


def test_filters_combined(cashier_client, invoices_url, world, session):
    query = f"clientId={world['ali'].pk}&status=draft&posBusinessSessionId={session.pk}"
    assert ids(cashier_client, invoices_url, query) == [world["ali_draft"]]
    assert ids(cashier_client, invoices_url, f"clientId={world['huda'].pk}&status=completed") == []


def test_date_range_is_inclusive_with_dates_in_the_workspace_zone(
    cashier_client, invoices_url, world, workspace
):
    # Riyadh is UTC+3: 2025-03-18 22:30 UTC is already the 19th there.
    PosInvoice.objects.filter(pk=world["completed"]).update(
        created_at=dt.datetime(2025, 3, 18, 22, 30, tzinfo=dt.UTC)
    )
    PosInvoice.objects.filter(pk=world["ali_draft"]).update(
        created_at=dt.datetime(2025, 3, 19, 20, 59, 59, tzinfo=dt.UTC)
    )
    PosInvoice.objects.filter(pk=world["huda_draft"]).update(
        created_at=dt.datetime(2025, 3, 19, 21, 0, tzinfo=dt.UTC)
    )
    assert ids(cashier_client, invoices_url, "startDate=2025-03-19&endDate=2025-03-19") == [
        world["ali_draft"],
        world["completed"],
    ]
    assert ids(cashier_client, invoices_url, "startDate=2025-03-20") == [world["huda_draft"]]
    assert ids(cashier_client, invoices_url, "endDate=2025-03-18") == []


def test_datetimes_without_offset_are_utc(cashier_client, invoices_url, world):
    PosInvoice.objects.filter(pk=world["completed"]).update(
        created_at=dt.datetime(2025, 3, 18, 22, 30, tzinfo=dt.UTC)
    )
    assert ids(cashier_client, invoices_url, "startDate=2025-03-18T22:30:00&endDate=2025-03-18T22:30:00") == [
        world["completed"]
    ]
    assert (
        ids(
            cashier_client,
            invoices_url,
            "startDate=2025-03-18T22:30:00.001Z&endDate=2025-03-19T00:00:00%2B03:00",
        )
        == []
    )
    assert ids(cashier_client, invoices_url, "endDate=2025-03-18T22:29:59Z") == []


def test_today_is_found_by_todays_date(cashier_client, invoices_url, world, workspace):
    from workspaces.dates import workspace_today

    today = workspace_today(workspace).isoformat()
    assert len(ids(cashier_client, invoices_url, f"startDate={today}&endDate={today}")) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("clientId=507f1f77bcf86cd799439011", "clientId"),
        ("status=paid", "status"),
        ("orderStatusId=abc", "orderStatusId"),
        ("posBusinessSessionId=-1", "posBusinessSessionId"),
        ("startDate=yesterday", "startDate"),
        ("endDate=2025-13-01", "endDate"),
        ("limit=5000", "limit"),
    ],
)
def test_a_bad_filter_value_is_400(cashier_client, invoices_url, session, query, field):
    response = cashier_client.get(f"{invoices_url}?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_cursor_pages(cashier_client, invoices_url, new_invoice):
    made = [new_invoice()["id"] for _ in range(5)]
    first = cashier_client.get(f"{invoices_url}?limit=2").json()
    second = cashier_client.get(f"{invoices_url}?limit=2&cursor={first['nextCursor']}").json()
    third = cashier_client.get(f"{invoices_url}?limit=2&cursor={second['nextCursor']}").json()
    assert [i["id"] for i in first["invoices"] + second["invoices"] + third["invoices"]] == made[::-1]
    assert third["nextCursor"] is None
