"""Tenancy of `/orders` and `/invoices`: the workspace comes from the caller, never from the path.

The shared v1 suite (tests/tenancy) asserts v1 bodies and `/v1/workspace/{ws}` paths, so this family has its own
table: no credentials 401, a member without `orders.manage` 403, another workspace's ids 404 and never listed,
and no 500 for junk in any field.
"""

from dataclasses import dataclass, field
from typing import Any

import pytest
from rest_framework.test import APIClient

from orders.models import Order, OrderInvoice
from tests.conftest import client_for, make_staff
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.orders.conftest import make_order, token_client
from workspaces import codes
from workspaces.services import tokens_for

pytestmark = pytest.mark.django_db


def _order(workspace):
    owner = workspace.memberships.get(role="owner").user
    return make_order(workspace, owner, [("Tea", "2", "8", "1"), ("Coffee", "1", "12", "0")])


def _invoice(workspace):
    order = _order(workspace)
    return order, OrderInvoice.objects.create(
        workspace=workspace, order=order, currency="SAR", created_by_type="owner"
    )


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # `{obj}`: the id of what `make` builds
    make: Any = None
    body: Any = field(default_factory=dict)

    @property
    def id(self):
        return f"{self.method} {self.path}"


ROWS = [
    Row("GET", "/orders"),
    Row("POST", "/orders", body=lambda obj: {"lineItems": [{"name": "Tea", "quantity": 1, "unitPrice": 8}]}),
    Row("GET", "/orders/{obj}", make=_order),
    Row("POST", "/orders/{obj}/cancel", make=_order),
    Row("GET", "/invoices"),
    Row("POST", "/invoices", make=_order, body=lambda obj: {"orderId": str(obj.pk)}),
    Row("GET", "/invoices/{obj}", make=lambda ws: _invoice(ws)[1]),
]


def call(api, row, obj=None, body=None):
    path = row.path.format(obj=getattr(obj, "pk", None))
    if body is None:
        body = row.body(obj) if callable(row.body) else row.body
    if row.method == "GET":
        return api.get(path)
    return api.post(path, body, format="json")


@pytest.fixture
def owners_workspace(workspace, owner):
    return workspace


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_no_credentials_is_401(row, owners_workspace):
    obj = row.make(owners_workspace) if row.make else None
    response = call(APIClient(), row, obj)
    assert response.status_code == 401
    assert response.json() == {"success": False, "message": "Invalid or missing access token"}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_a_member_without_orders_manage_is_403(row, owners_workspace, store):
    everything_else = [code for code in codes.PERMISSION_CODES if code != codes.ORDERS_MANAGE]
    user = make_staff(owners_workspace, *everything_else, store=store)
    obj = row.make(owners_workspace) if row.make else None
    response = call(token_client(user), row, obj)
    assert response.status_code == 403
    assert response.json() == {"success": False, "message": "You need the permission orders.manage."}


@pytest.mark.parametrize("row", [r for r in ROWS if r.make], ids=lambda r: r.id)
def test_another_workspaces_object_is_404(row, owners_workspace, other_workspace, other_owner):
    foreign = row.make(other_workspace)
    orders_before = list(Order.objects.values_list("pk", "status"))
    response = call(token_client(owners_workspace.memberships.get(role="owner").user), row, foreign)
    assert response.status_code == 404
    assert response.json()["success"] is False
    assert response.json()["message"] in {"Order not found", "Invoice not found"}
    assert list(Order.objects.values_list("pk", "status")) == orders_before
    assert OrderInvoice.objects.filter(workspace=owners_workspace).count() == 0


def test_lists_never_show_another_workspaces_rows(owner, workspace, other_workspace, other_owner):
    _invoice(other_workspace)
    api = token_client(owner)
    assert api.get("/orders").json() == {"success": True, "data": [], "nextCursor": None}
    assert api.get("/invoices").json() == {"success": True, "data": [], "nextCursor": None}
    foreign_order = Order.objects.get(workspace=other_workspace)
    assert api.get("/invoices", {"orderId": foreign_order.pk}).json()["data"] == []


def test_a_token_for_another_workspace_is_refused(owner, workspace, other_workspace):
    token = tokens_for(user=owner, workspace_id=other_workspace.pk)["access"]
    response = token_client(raw=token).get("/orders")
    assert response.status_code == 403
    assert response.json() == {"success": False, "message": "You are not a member of this workspace."}


def test_a_user_of_two_workspaces_names_one_in_the_token(owner, workspace, store):
    second = WorkspaceFactory()
    MembershipFactory(workspace=second, user=owner, role="owner")
    response = token_client(owner).get("/orders")
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "Say which workspace: this account belongs to several.",
    }
    mine = make_order(workspace, owner, [("Tea", "1", "8", "0")])
    scoped = token_client(raw=tokens_for(user=owner, workspace_id=workspace.pk)["access"]).get("/orders")
    assert [row["id"] for row in scoped.json()["data"]] == [str(mine.pk)]


def test_an_api_key_acts_on_its_own_workspace(api_key, workspace, owner, other_workspace, other_owner):
    mine = make_order(workspace, owner, [("Tea", "1", "8", "0")])
    make_order(other_workspace, other_owner, [("Foreign", "1", "1", "0")])
    listed = client_for(api_key=api_key).get("/orders").json()["data"]
    assert [row["id"] for row in listed] == [str(mine.pk)]


JUNK = [
    None,
    True,
    -1,
    0,
    1.5,
    "",
    "x" * 3000,
    "1e999",
    "NaN",
    "٣",
    [],
    {},
    [{"a": 1}],
    "507f1f77bcf86cd799439011",
]
BODIES = {
    "/orders": {
        "clientId": None,
        "storeId": None,
        "lineItems": [
            {"productId": None, "name": "Tea", "quantity": 1, "unitPrice": 8, "discount": 0, "taxIds": []}
        ],
        "metaFields": [],
    },
    "/invoices": {"orderId": None, "lineItems": [{"lineItemId": None, "quantity": 1}], "metaFields": []},
}


@pytest.mark.parametrize("path", list(BODIES))
def test_junk_in_any_field_is_never_a_500(path, owner, workspace):
    api = token_client(owner)
    api.raise_request_exception = False
    order = _order(workspace)
    item = order.line_items.first()
    base = BODIES[path]
    if path == "/invoices":
        base = {**base, "orderId": str(order.pk), "lineItems": [{"lineItemId": str(item.pk), "quantity": 1}]}
    for key in base:
        for junk in JUNK:
            response = api.post(path, {**base, key: junk}, format="json")
            assert response.status_code < 500, (key, junk, response.content[:300])
    nested = base["lineItems"][0]
    for key in nested:
        for junk in JUNK:
            response = api.post(path, {**base, "lineItems": [{**nested, key: junk}]}, format="json")
            assert response.status_code < 500, (key, junk, response.content[:300])


@pytest.mark.parametrize("path", ["/orders", "/invoices", "/orders/1/cancel"])
def test_raw_garbage_bodies_are_4xx(path, owner):
    api = token_client(owner)
    for raw in (b"{", b"\xff\xfe", b"[]", b'"s"', b"1", b'{"a":' * 5000):
        response = api.post(path, data=raw, content_type="application/json")
        assert 400 <= response.status_code < 500, (raw[:20], response.content[:200])
        assert response.json()["success"] is False
