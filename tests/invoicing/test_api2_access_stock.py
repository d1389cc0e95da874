"""api2: who may call it, which workspace it acts on, stock, retries (PRODUCT.md sections 2, 3 and 8)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from invoicing.models import Invoice, StockLevel, StockMovement
from invoicing.services.sales_invoices import STOCK_SOURCE
from tests.conftest import client_for, make_staff
from tests.factories import ClientFactory, MembershipFactory
from tests.invoicing.api2_helpers import body, item, key_client, post_invoice
from tests.invoicing.factories import ProductFactory, StockLevelFactory
from workspaces import codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(workspace, store):
    """A valid body: 2 of a product with 5 in stock."""
    product = ProductFactory(workspace=workspace)
    StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal("5"))
    client = ClientFactory(workspace=workspace)
    return {
        "Invoice": {"client_id": client.pk, "store_id": store.pk, "InvoiceItem": [item(product.pk, 2, 10)]},
        "product": product,
    }


def payload(sale, **fields):
    invoice = {**sale["Invoice"], **fields}
    return {"Invoice": invoice}


def level(store, product) -> Decimal:
    return StockLevel.objects.get(store=store, product=product).quantity


# --- Stock ---------------------------------------------------------------------------------------------------


def test_a_non_draft_invoice_takes_its_quantities_out_of_the_store_once(workspace, store, sale):
    response = post_invoice(key_client(workspace), payload(sale))

    assert response.status_code == 202
    assert level(store, sale["product"]) == 3
    movement = StockMovement.objects.get()
    assert (movement.source_type, movement.source_id, movement.delta, movement.reason, movement.store_id) == (
        STOCK_SOURCE,
        body(response)["id"],
        -2,
        StockMovement.Reason.INVOICE,
        store.pk,
    )
    assert movement.api_key is not None


def test_a_draft_touches_no_stock(workspace, store, sale):
    response = post_invoice(key_client(workspace), payload(sale, draft=1))

    assert response.status_code == 202
    assert level(store, sale["product"]) == 5
    assert not StockMovement.objects.exists()
    assert (
        body(key_client(workspace).get(f"/api2/invoices/{body(response)['id']}.json"))["data"]["Invoice"][
            "draft"
        ]
        == 1
    )


def test_short_stock_refuses_the_whole_invoice(workspace, store, sale):
    response = post_invoice(key_client(workspace), payload(sale, InvoiceItem=[item(sale["product"].pk, 6)]))

    assert response.status_code == 400
    assert body(response)["validation_errors"] == {"InvoiceItem.0.quantity": "insufficient stock"}
    assert not Invoice.objects.exists()
    assert level(store, sale["product"]) == 5


def test_a_workspace_allowing_negative_stock_goes_below_zero(workspace, store, sale):
    workspace.allow_negative_stock = True
    workspace.save()

    response = post_invoice(key_client(workspace), payload(sale, InvoiceItem=[item(sale["product"].pk, 6)]))

    assert response.status_code == 202
    assert level(store, sale["product"]) == -1


def test_an_untracked_product_needs_no_stock(workspace, store, sale):
    untracked = ProductFactory(workspace=workspace, track_stock=False)

    response = post_invoice(key_client(workspace), payload(sale, InvoiceItem=[item(untracked.pk, 1000)]))

    assert response.status_code == 202
    assert not StockMovement.objects.exists()


# --- Authentication and permission ---------------------------------------------------------------------------


def test_no_credentials_is_a_401_in_the_api2_envelope(sale):
    for response in (
        APIClient().get("/api2/invoices.json"),
        APIClient().post("/api2/invoices.json", payload(sale), format="json"),
    ):
        assert response.status_code == 401
        assert body(response) == {
            "code": 401,
            "result": "failed",
            "message": "Authentication credentials were not provided.",
        }


def test_a_bad_key_is_a_401(sale):
    api = APIClient()
    api.credentials(HTTP_APIKEY="sk_not-a-key")
    assert api.get("/api2/invoices.json").status_code == 401


def test_the_apikey_header_and_the_bearer_key_both_work(workspace, sale):
    assert post_invoice(key_client(workspace, header="apikey"), payload(sale)).status_code == 202
    assert post_invoice(key_client(workspace), payload(sale)).status_code == 202


def test_the_owners_jwt_works_taking_the_workspace_from_the_only_membership(workspace, owner, sale):
    response = post_invoice(client_for(owner), payload(sale))

    assert response.status_code == 202
    invoice = Invoice.objects.get()
    assert (invoice.workspace_id, invoice.created_by_id, invoice.created_by_api_key_id) == (
        workspace.pk,
        owner.pk,
        None,
    )


def test_a_member_needs_invoices_manage(workspace, staff, sale):
    api = client_for(staff)  # no permission codes

    for response in (api.get("/api2/invoices.json"), post_invoice(api, payload(sale))):
        assert response.status_code == 403
        assert body(response) == {
            "code": 403,
            "result": "failed",
            "message": "You need the permission invoices.manage.",
        }
    allowed = client_for(make_staff(workspace, codes.INVOICES_MANAGE))
    assert post_invoice(allowed, payload(sale)).status_code == 202
    assert allowed.get("/api2/invoices.json").status_code == 200


def test_a_user_of_several_workspaces_says_which_one(workspace, owner, other_workspace, sale):
    MembershipFactory(workspace=other_workspace, user=owner, permissions=[codes.INVOICES_MANAGE])

    assert client_for(owner).get("/api2/invoices.json").status_code == 400
    assert post_invoice(client_for(owner, workspace_id=workspace.pk), payload(sale)).status_code == 202
    assert Invoice.objects.get().workspace_id == workspace.pk


# --- Tenancy -------------------------------------------------------------------------------------------------


def test_another_workspaces_key_sees_nothing_of_this_workspace(workspace, other_workspace, sale):
    invoice_id = body(post_invoice(key_client(workspace), payload(sale)))["id"]
    other = key_client(other_workspace)

    response = other.get(f"/api2/invoices/{invoice_id}.json")

    assert response.status_code == 404
    assert body(response) == {"code": 404, "result": "failed", "message": "Invoice not found."}
    assert body(other.get("/api2/invoices.json"))["data"] == []
    # ... and cannot use this workspace's client, store or product in its own invoices.
    refused = post_invoice(other, payload(sale))
    assert refused.status_code == 400
    assert set(body(refused)["validation_errors"]) == {"client_id", "store_id", "InvoiceItem.0.product_id"}
    assert Invoice.objects.count() == 1


def test_a_token_for_another_workspace_cannot_read_this_one(workspace, owner, other_owner, sale):
    invoice_id = body(post_invoice(client_for(owner), payload(sale)))["id"]

    assert client_for(other_owner).get(f"/api2/invoices/{invoice_id}.json").status_code == 404
    assert client_for(other_owner).get("/api2/invoices.json").json()["data"] == []


# --- Retries -------------------------------------------------------------------------------------------------


def test_an_idempotency_key_replays_the_202_and_creates_one_invoice(workspace, store, sale):
    api = key_client(workspace)

    first = post_invoice(api, payload(sale), HTTP_IDEMPOTENCY_KEY="order-42")
    again = post_invoice(api, payload(sale), HTTP_IDEMPOTENCY_KEY="order-42")

    assert first.status_code == again.status_code == 202
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Invoice.objects.count() == 1
    assert level(store, sale["product"]) == 3  # deducted once


def test_an_idempotency_key_with_another_body_is_a_422(workspace, sale):
    api = key_client(workspace)
    post_invoice(api, payload(sale), HTTP_IDEMPOTENCY_KEY="order-42")

    response = post_invoice(api, payload(sale, notes="changed"), HTTP_IDEMPOTENCY_KEY="order-42")

    assert response.status_code == 422
    assert body(response)["result"] == "failed"
    assert Invoice.objects.count() == 1


def test_a_refused_request_stores_nothing_and_may_be_retried_with_its_key(workspace, store, sale):
    api = key_client(workspace)
    short = payload(sale, InvoiceItem=[item(sale["product"].pk, 6)])
    assert post_invoice(api, short, HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    StockLevel.objects.filter(store=store, product=sale["product"]).update(quantity=10)

    assert post_invoice(api, short, HTTP_IDEMPOTENCY_KEY="k").status_code == 202


def test_unknown_paths_and_methods_answer_in_the_api2_envelope(workspace):
    api = key_client(workspace)

    missing = api.get("/api2/nothing.json")
    wrong_method = api.delete("/api2/invoices.json")

    assert missing.status_code == 404 and body(missing)["result"] == "failed"
    assert wrong_method.status_code == 405 and body(wrong_method)["code"] == 405


def test_the_seeds_text_plain_request_replays_with_its_idempotency_key(workspace, store, sale):
    api = key_client(workspace)
    raw = json.dumps(payload(sale)).encode()

    first = api.generic(
        "POST", "/api2/api2/invoices.json", raw, content_type="text/plain", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = api.generic(
        "POST", "/api2/api2/invoices.json", raw, content_type="text/plain", HTTP_IDEMPOTENCY_KEY="k1"
    )

    assert first.status_code == again.status_code == 202
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Invoice.objects.count() == 1
