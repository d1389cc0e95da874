"""Issue 7's contract misses and former 500s, as a client sees them."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from tests.factories import ClientFactory
from workspaces.models import Client

pytestmark = pytest.mark.django_db


def test_partial_discount_patch_keeps_the_rest_of_the_discount(owner_client, workspace):
    client = ClientFactory(workspace=workspace, pos_discount_type="percent", pos_discount_value=10)
    url = f"/v1/workspace/{workspace.pk}/clients/{client.pk}"
    off = owner_client.patch(url, {"posInvoiceDiscount": {"active": False}}, format="json")
    assert off.status_code == 200
    assert off.json()["client"]["posInvoiceDiscount"] == {"type": "percent", "value": 10, "active": False}
    same = owner_client.patch(url, {"posInvoiceDiscount": {}}, format="json")
    assert same.json()["client"]["posInvoiceDiscount"] == {"type": "percent", "value": 10, "active": False}


def test_partial_discount_without_a_discount_to_complete_is_a_400(owner_client, workspace):
    client = ClientFactory(workspace=workspace)
    url = f"/v1/workspace/{workspace.pk}/clients/{client.pk}"
    response = owner_client.patch(url, {"posInvoiceDiscount": {"active": False}}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"posInvoiceDiscount.type", "posInvoiceDiscount.value"}


def test_optional_fields_not_given_are_null(owner_client, workspace):
    response = owner_client.post(f"/v1/workspace/{workspace.pk}/clients", {"name": "Noura"}, format="json")
    client = response.json()["client"]
    assert (client["phone"], client["email"], client["taxNumber"], client["posInvoiceDiscount"]) == (
        None,
        None,
        None,
        None,
    )


def test_a_body_without_content_type_is_json_also_as_the_dev_server_hands_it(owner_client, workspace):
    url = f"/v1/workspace/{workspace.pk}/clients"
    body = b'{"name": "Plain"}'
    for content_type in ("", "text/plain"):
        response = owner_client.generic("POST", url, body, content_type=content_type)
        assert response.status_code == 201, response.content
    assert Client.objects.filter(name="Plain").count() == 2


def test_an_arabic_idempotency_key_of_200_characters_is_fine(owner_client, workspace):
    key = "مفتاح" * 40
    url = f"/v1/workspace/{workspace.pk}/clients"
    # WSGI carries header bytes as Latin-1 text: that is how a UTF-8 key arrives.
    wire = key.encode().decode("latin-1")
    first = owner_client.post(url, {"name": "A"}, format="json", headers={"Idempotency-Key": wire})
    again = owner_client.post(url, {"name": "A"}, format="json", headers={"Idempotency-Key": wire})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Client.objects.filter(name="A").count() == 1


def test_api_v1_and_v1_are_one_path_for_a_key(owner_client, workspace):
    headers = {"Idempotency-Key": "same-key"}
    first = owner_client.post(f"/v1/workspace/{workspace.pk}/clients", {"name": "B"}, headers=headers)
    again = owner_client.post(f"/api/v1/workspace/{workspace.pk}/clients", {"name": "B"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/nothing", {"message": "Not found.", "code": "not_found"}),
        ("/api/v1/workspace/1/nothing", {"message": "Not found.", "code": "not_found"}),
        ("/orders/1/nothing", {"success": False, "message": "Not found"}),
        ("/invoices/x/y", {"success": False, "message": "Not found"}),
        ("/api2/nothing.json", {"code": 404, "result": "failed", "message": "Not found"}),
    ],
)
def test_unknown_paths_answer_json_in_their_family(owner_client, settings, path, body):
    for debug in (True, False):
        settings.DEBUG = debug
        response = owner_client.get(path)
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == body


def test_unknown_method_is_a_json_405(owner_client, workspace):
    response = owner_client.put(f"/v1/workspace/{workspace.pk}/clients", {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_end_date_copied_from_created_at_includes_that_invoice(owner_client, workspace, owner):
    """The API writes milliseconds; the stored microseconds must not push the row out of its own range."""
    from tests.pos.tenancy_rows import _invoice

    invoice = _invoice(workspace)
    stamp = dt.datetime(2025, 3, 19, 10, 0, 0, 123456, tzinfo=dt.UTC)
    type(invoice).objects.filter(pk=invoice.pk).update(created_at=stamp)
    shown = owner_client.get(f"/v1/workspace/{workspace.pk}/pos/invoices/{invoice.pk}").json()["invoice"]
    assert shown["createdAt"] == "2025-03-19T10:00:00.123Z"
    listed = owner_client.get(
        f"/v1/workspace/{workspace.pk}/pos/invoices",
        {"startDate": shown["createdAt"], "endDate": shown["createdAt"]},
    ).json()["invoices"]
    assert [row["id"] for row in listed] == [str(invoice.pk)]


def _refuse(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/v1/workspace/{ws}/clients", {"message": mock.ANY, "code": "service_unavailable"}),
        ("post", "/v1/workspace/{ws}/clients", {"message": mock.ANY, "code": "service_unavailable"}),
    ],
)
def test_a_lost_database_is_a_503_with_retry_after(owner_client, workspace, method, path, expected):
    url = path.format(ws=workspace.pk)
    headers = {"Idempotency-Key": "k-503"} if method == "post" else {}
    with mock.patch.object(BaseDatabaseWrapper, "cursor", _refuse):
        response = getattr(owner_client, method)(url, {"name": "x"}, format="json", headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json() == expected


def test_a_lost_database_before_the_view_is_a_503_too(owner_client, workspace):
    """The idempotent POST opens its transaction before DRF runs: that failure is a 503 as well."""
    with (
        mock.patch.object(BaseDatabaseWrapper, "ensure_connection", _refuse),
        mock.patch("django.db.transaction.Atomic.__enter__", _refuse),
    ):
        response = owner_client.post(
            f"/v1/workspace/{workspace.pk}/clients",
            {"name": "x"},
            format="json",
            headers={"Idempotency-Key": "k-before"},
        )
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response.headers["Retry-After"] == "1"
