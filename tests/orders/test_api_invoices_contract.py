"""Seed 003, to the letter: `POST /invoices` compared key by key with the seed's sample, and its error bodies."""

import json
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from orders.models import OrderInvoice
from tests.conftest import client_for
from tests.orders.conftest import SEED_LINES, make_order, token_client

pytestmark = pytest.mark.django_db

# The seeds lie in `../shared/seeds` beside the repository (as on every developer's machine and in CI).
SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "003_cfa510120f8148a8.txt"
ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def seed_sample() -> dict:
    """The seed's "Sample Response Body", parsed from the seed file itself."""
    text = SEED.read_text() if SEED.exists() else None
    if text is None:
        if os.environ.get("CI"):
            pytest.fail(f"seed 003 not found at {SEED}: CI lays ../shared beside the repository")
        pytest.skip(f"seed 003 not found at {SEED} (../shared beside the repository)")
    start = text.index("Sample Response Body")
    body = text[text.index("{", start) : text.index("Example Request")]
    return json.loads(body)


def same_shape(actual, expected, path="$"):
    """Same keys in the same order, same JSON types, recursively (values are this run's own)."""
    assert type(actual) is type(expected) or {type(actual), type(expected)} <= {int, float}, path
    if isinstance(expected, dict):
        assert list(actual) == list(expected), path
        for key in expected:
            same_shape(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list) and expected:
        assert len(actual) == len(expected), path
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            same_shape(a, e, f"{path}[{index}]")


def test_post_invoices_matches_seed_003_key_by_key(workspace, owner, seed_order):
    sample = seed_sample()
    response = token_client(owner).post("/invoices", {"orderId": str(seed_order.pk)}, format="json")
    assert response.status_code == 201, response.content
    body = json.loads(response.content)
    same_shape(body, {**sample, "message": "Invoice created successfully"})

    invoice = OrderInvoice.objects.get()
    lines = list(invoice.lines.order_by("pk"))
    items = list(seed_order.line_items.order_by("pk"))
    data = body["data"]
    assert data == {
        "order": str(seed_order.pk),
        "entityId": str(workspace.pk),
        "lineItems": [
            {"lineItemId": str(item.pk), "quantity": quantity, "id": str(line.pk)}
            for item, line, quantity in zip(items, lines, [30, 20, 10, 5, 2], strict=True)
        ],
        "total": 3684.78,  # the seed's own figure, from these prices, discounts and 15 % VAT
        "createdBy": {"id": str(owner.pk), "name": "Sara Owner", "type": "admin"},
        "metaFields": [],
        "createdAt": data["createdAt"],
        "updatedAt": data["updatedAt"],
        "id": str(invoice.pk),
    }
    assert body["success"] is True and body["message"] == "Invoice created successfully"
    assert ISO_MS_Z.match(data["createdAt"]) and ISO_MS_Z.match(data["updatedAt"])
    # Written as exact number literals, as the seed shows them, never through float.
    assert b'"total":3684.78' in response.content and b'"quantity":30,' in response.content
    assert invoice.total == Decimal("3684.78")
    assert [line["quantity"] for line in sample["data"]["lineItems"]] == [30, 20, 10, 5, 2]
    assert [int(Decimal(q)) for _n, q, _p, _d in SEED_LINES] == [30, 20, 10, 5, 2]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"lineItems": [{"lineItemId": "1", "quantity": 1}]},
        {"metaFields": []},
        {"orderId": ""},
        {"orderId": None},
    ],
)
def test_missing_order_id_is_the_seeds_400(owner, body):
    response = token_client(owner).post("/invoices", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": "Validation error: orderId is required"}


@pytest.mark.parametrize(
    "client",
    [
        lambda: APIClient(),
        lambda: token_client(raw="garbage"),
        lambda: token_client(raw="Bearer x.y.z"),
        lambda: token_client(raw="sk_unknown"),
        lambda: client_for(api_key="sk_unknown"),
    ],
    ids=["no token", "garbage", "bad jwt", "unknown api key", "unknown key in Authorization"],
)
def test_no_or_bad_token_is_the_seeds_401(client, seed_order):
    response = client().post("/invoices", {"orderId": str(seed_order.pk)}, format="json")
    assert response.status_code == 401
    assert response.json() == {"success": False, "message": "Invalid or missing access token"}
    assert not OrderInvoice.objects.exists()


def test_a_refresh_token_is_the_seeds_401(owner, seed_order):
    from workspaces.services import tokens_for

    response = token_client(raw=tokens_for(user=owner)["refresh"]).post(
        "/invoices", {"orderId": str(seed_order.pk)}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {"success": False, "message": "Invalid or missing access token"}


def test_unknown_order_is_the_seeds_404(owner):
    response = token_client(owner).post("/invoices", {"orderId": "999999"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Order not found"}


def test_another_workspaces_order_is_the_seeds_404(owner, other_workspace, other_owner):
    foreign = make_order(other_workspace, other_owner, [("Coffee", "1", "10", "0")])
    response = token_client(owner).post("/invoices", {"orderId": str(foreign.pk)}, format="json")
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Order not found"}
    assert not OrderInvoice.objects.exists()


def test_a_fully_invoiced_order_is_409(owner, seed_order):
    api = token_client(owner)
    assert api.post("/invoices", {"orderId": str(seed_order.pk)}, format="json").status_code == 201
    response = api.post("/invoices", {"orderId": str(seed_order.pk)}, format="json")
    assert response.status_code == 409
    assert response.json() == {"success": False, "message": "Order already fully invoiced"}
    assert OrderInvoice.objects.count() == 1


def test_the_seeds_object_id_is_a_malformed_id_400(owner):
    response = token_client(owner).post("/invoices", {"orderId": "69ab24db449866373d5e3e35"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "Validation error: orderId: A valid id is required.",
    }
