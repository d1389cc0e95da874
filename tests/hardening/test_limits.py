"""PRODUCT.md section 2, "Limits": refused before any work, in the family's envelope, never a 500."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from workspaces.api import idempotency
from workspaces.models import Client, IdempotencyRecord

pytestmark = pytest.mark.django_db


def clients_url(workspace) -> str:
    return f"/v1/workspace/{workspace.pk}/clients"


def post_raw(api_client, url: str, body: bytes, **headers):
    return api_client.generic("POST", url, body, content_type="application/json", headers=headers)


@pytest.fixture
def fingerprint_spy():
    with mock.patch.object(idempotency, "body_fingerprint", wraps=idempotency.body_fingerprint) as spy:
        yield spy


def test_a_hostile_exponent_is_a_400_on_its_field_before_the_fingerprint(
    owner_client, workspace, fingerprint_spy
):
    body = b'{"name": "n", "x": 1e300000000}'
    response = post_raw(owner_client, clients_url(workspace), body, **{"Idempotency-Key": "k-exp"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["x"]
    fingerprint_spy.assert_not_called()
    assert not Client.objects.exists() and not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize(
    "literal",
    ["123456789012345678901", "1e16", "-1e300000000", "1e-300000000", "0.0000000000000000000001", "9" * 5000],
)
def test_numbers_beyond_the_limits_are_refused_on_their_field(owner_client, workspace, literal):
    body = b'{"name": "n", "posInvoiceDiscount": {"type": "fixed", "value": ' + literal.encode() + b"}}"
    response = post_raw(owner_client, clients_url(workspace), body)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "posInvoiceDiscount.value": [
            "A number of at most 20 significant digits and at most 10^15 in magnitude."
        ]
    }


def test_a_body_over_one_megabyte_is_413_before_the_fingerprint(owner_client, workspace, fingerprint_spy):
    body = json.dumps({"name": "n", "notes": "x" * (1024 * 1024)}).encode()
    response = post_raw(owner_client, clients_url(workspace), body, **{"Idempotency-Key": "k-big"})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    fingerprint_spy.assert_not_called()


def test_a_body_just_under_the_limit_is_read(owner_client, workspace):
    padding = "x" * (1024 * 1024 - 100)
    body = json.dumps({"name": "n", "ignored": padding}).encode()
    assert len(body) < 1024 * 1024
    assert post_raw(owner_client, clients_url(workspace), body).status_code == 201


def test_deep_nesting_is_a_400_with_or_without_a_key(owner_client, workspace, fingerprint_spy):
    body = b'{"name": "n", "x": ' + b"[" * 500 + b"]" * 500 + b"}"
    for headers in ({}, {"Idempotency-Key": "k-deep"}):
        response = post_raw(owner_client, clients_url(workspace), body, **headers)
        assert response.status_code == 400
        assert response.json()["code"] == "malformed_json"
    fingerprint_spy.assert_not_called()


def test_thirty_two_levels_are_fine(owner_client, workspace):
    body = b'{"name": "n", "x": ' + b"[" * 31 + b"]" * 31 + b"}"
    assert post_raw(owner_client, clients_url(workspace), body).status_code == 201


def test_brackets_inside_strings_do_not_count(owner_client, workspace):
    response = post_raw(owner_client, clients_url(workspace), json.dumps({"name": "[" * 100}).encode())
    assert response.status_code == 201
    assert response.json()["client"]["name"] == "[" * 100


def test_an_over_limit_body_on_the_orders_family_uses_its_envelope(owner_client):
    body = json.dumps({"orderId": "1", "pad": "x" * (1024 * 1024)}).encode()
    response = post_raw(owner_client, "/invoices", body)
    assert response.status_code == 413
    assert response.json() == {"success": False, "message": "A JSON body is at most 1 MB."}


@pytest.mark.parametrize("end", ["9999-12-31", "0001-01-01", "10000-01-01"])
def test_a_date_outside_the_calendar_is_a_400(owner_client, workspace, end):
    response = owner_client.get(f"/v1/workspace/{workspace.pk}/pos/invoices", {"endDate": end})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["endDate"]


def test_the_last_allowed_day_is_fine(owner_client, workspace):
    response = owner_client.get(f"/v1/workspace/{workspace.pk}/pos/invoices", {"endDate": "9999-12-30"})
    assert response.status_code == 200
