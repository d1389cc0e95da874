"""Seeds 000 and 001, key by key: names, types and values."""

import re

import pytest

from pos.models import PosInvoice
from tests.conftest import client_for
from tests.factories import ClientFactory
from tests.invoicing.helpers import stamp
from workspaces import json_sql
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

SEED_000_KEYS = [
    "id",
    "workspaceId",
    "storeId",
    "clientId",
    "posBusinessSessionId",
    "businessDate",
    "publicId",
    "status",
    "items",
    "subtotal",
    "discounts",
    "total",
    "stockDeductedAt",
    "createdBy",
    "createdAt",
    "updatedAt",
]
SEED_001_KEYS = [*SEED_000_KEYS, "orderStatusId", "orderStatusLabelAr"]
ID = re.compile(r"^[0-9]+$")


def test_create_matches_seed_000_exactly(
    cashier_client, cashier, invoices_url, workspace, store, session, customer, django_assert_max_num_queries
):
    response = cashier_client.post(invoices_url, {"clientId": str(customer.pk)}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["invoice"]
    invoice = body["invoice"]
    assert set(SEED_000_KEYS) <= set(invoice)
    stored = PosInvoice.objects.get()
    assert invoice == {
        "id": str(stored.pk),
        "workspaceId": str(workspace.pk),
        "storeId": str(store.pk),
        "clientId": str(customer.pk),
        "posBusinessSessionId": str(session.pk),
        "businessDate": session.business_date.isoformat(),
        "publicId": "POS-001",
        "status": "draft",
        "orderStatusId": None,
        "orderStatusLabelAr": None,
        "orderStatusLabelEn": None,
        "items": [],
        "subtotal": 0,
        "discounts": [],
        "discountTotal": 0,
        "taxTotal": 0,
        "total": 0,
        "payments": [],
        "changeDue": 0,
        "returnedTotal": 0,  # section 8a: the sum of its returns
        "stockDeductedAt": None,
        "completedAt": None,
        "cancelledAt": None,
        "createdBy": {"type": "staff", "id": str(cashier.pk), "name": cashier.name, "email": cashier.email},
        "createdAt": stamp(stored.created_at),
        "updatedAt": stamp(stored.updated_at),
        # Section 8d: a sale made at the till online is none of these.
        "offline": False,
        "clientRef": None,
        "syncedAt": None,
        "offlineTotal": None,
        "totalMismatch": False,
        "stockShort": False,
    }
    # Types as the seed writes them: ids as strings, businessDate a date, amounts numbers.
    for key in ("id", "workspaceId", "storeId", "clientId", "posBusinessSessionId"):
        assert ID.match(invoice[key])
    assert re.match(r"^\d{4}-\d\d-\d\d$", invoice["businessDate"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", invoice["createdAt"])
    assert isinstance(invoice["subtotal"], int) and isinstance(invoice["total"], int)


def test_created_by_of_an_owner_and_of_an_api_key(
    owner_client, owner, workspace, session, customer, invoices_url
):
    invoice = owner_client.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"]
    assert invoice["createdBy"] == {
        "type": "owner",
        "id": str(owner.pk),
        "name": owner.name,
        "email": owner.email,
    }
    key = owner_client.post(
        f"/v1/workspace/{workspace.pk}/api-keys", {"name": "Till 2"}, format="json"
    ).json()
    by_key = (
        client_for(api_key=key["key"])
        .post(invoices_url, {"clientId": customer.pk}, format="json")
        .json()["invoice"]
    )
    assert by_key["createdBy"] == {
        "type": "apiKey",
        "id": key["apiKey"]["id"],
        "name": "Till 2",
        "email": None,
    }


def test_created_by_is_null_once_the_user_is_gone(
    owner_client, invoices_url, workspace, session, customer, cashier, cashier_client
):
    invoice = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"]
    Membership.objects.filter(user=cashier).delete()
    cashier.delete()
    assert owner_client.get(f"{invoices_url}/{invoice['id']}").json()["invoice"]["createdBy"] is None


def test_list_matches_seed_001(cashier_client, invoices_url, new_invoice, coffee, workspace, owner_client):
    status = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/order-statuses",
        {"labelAr": "قيد التحضير", "labelEn": "Preparing"},
        format="json",
    ).json()["orderStatus"]
    draft = new_invoice()
    cashier_client.post(
        f"{invoices_url}/{draft['id']}/items", {"productId": coffee.pk, "quantity": 10}, format="json"
    )
    cashier_client.patch(f"{invoices_url}/{draft['id']}", {"orderStatusId": status["id"]}, format="json")
    cashier_client.post(f"{invoices_url}/{draft['id']}/complete", {}, format="json")

    response = cashier_client.get(invoices_url)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["invoices", "nextCursor"]
    assert body["nextCursor"] is None
    (listed,) = body["invoices"]
    assert set(SEED_001_KEYS) <= set(listed)
    assert listed["status"] == "completed"
    assert listed["orderStatusId"] == status["id"]
    assert listed["orderStatusLabelAr"] == "قيد التحضير"
    assert listed["orderStatusLabelEn"] == "Preparing"
    assert listed["subtotal"] == 100 and listed["total"] == 100
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", listed["stockDeductedAt"])
    assert listed == cashier_client.get(f"{invoices_url}/{draft['id']}").json()["invoice"]


def test_list_query_count_does_not_grow_with_invoices(
    cashier_client, invoices_url, new_invoice, coffee, django_assert_num_queries
):
    def add_invoice():
        invoice = new_invoice()
        cashier_client.post(
            f"{invoices_url}/{invoice['id']}/items", {"productId": coffee.pk, "quantity": 1}, format="json"
        )
        cashier_client.post(
            f"{invoices_url}/{invoice['id']}/discounts", {"type": "fixed", "value": 1}, format="json"
        )

    add_invoice()
    # the member (one query), then on PostgreSQL the page with each invoice's answer written by the database;
    # elsewhere the page of invoices (with order status and creator), items, discounts, payments
    queries = 2 if json_sql.available() else 5
    with django_assert_num_queries(queries):
        assert len(cashier_client.get(invoices_url).json()["invoices"]) == 1
    for _ in range(4):
        add_invoice()
    with django_assert_num_queries(queries):
        assert len(cashier_client.get(invoices_url).json()["invoices"]) == 5


def test_list_never_shows_another_workspaces_invoices(
    cashier_client, invoices_url, new_invoice, other_workspace, other_owner
):
    mine = new_invoice()
    from tests.factories import StoreFactory

    other_api = client_for(other_owner)
    other_store = other_workspace.stores.first() or StoreFactory(workspace=other_workspace)
    other_api.post(
        f"/v1/workspace/{other_workspace.pk}/pos/sessions", {"storeId": other_store.pk}, format="json"
    )
    their_client = ClientFactory(workspace=other_workspace)
    theirs = other_api.post(
        f"/v1/workspace/{other_workspace.pk}/pos/invoices", {"clientId": their_client.pk}, format="json"
    )
    assert theirs.status_code == 201
    assert [i["id"] for i in cashier_client.get(invoices_url).json()["invoices"]] == [mine["id"]]
    assert cashier_client.get(f"{invoices_url}/{theirs.json()['invoice']['id']}").status_code == 404


def test_schema_serializers_declare_exactly_the_keys_written(
    cashier_client, invoices_url, new_invoice, coffee
):
    from pos.api.serializers import (
        DiscountOutputSerializer,
        InvoiceOutputSerializer,
        ItemOutputSerializer,
        PaymentOutputSerializer,
    )

    url = f"{invoices_url}/{new_invoice()['id']}"
    cashier_client.post(f"{url}/items", {"productId": coffee.pk, "quantity": 1}, format="json")
    cashier_client.post(f"{url}/discounts", {"type": "fixed", "value": 1}, format="json")
    invoice = cashier_client.post(f"{url}/complete", {}, format="json").json()["invoice"]
    assert list(invoice) == list(InvoiceOutputSerializer().fields)
    assert list(invoice["items"][0]) == list(ItemOutputSerializer().fields)
    assert list(invoice["discounts"][0]) == list(DiscountOutputSerializer().fields)
    assert list(invoice["payments"][0]) == list(PaymentOutputSerializer().fields)
