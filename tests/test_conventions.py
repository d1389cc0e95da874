"""PRODUCT.md section 2: envelopes, errors, ids, amounts, time, lists, language, prefixes."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.factories import ClientFactory
from workspaces.api.errors import ApplicationError, ValidationFailed, error_body, flatten_errors
from workspaces.api.pagination import decode_cursor, encode_cursor
from workspaces.api.renderers import decimal_literal, dumps, format_datetime

pytestmark = pytest.mark.django_db


# --- Amounts and time, written exactly -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("100.00", "100"),
        ("0", "0"),
        ("0.000", "0"),
        ("3684.78", "3684.78"),
        ("3684.780", "3684.78"),
        ("-0.00", "0"),
        ("1E+2", "100"),
        ("0.005", "0.005"),
        ("-12.50", "-12.5"),
    ],
)
def test_decimals_are_exact_json_numbers(value, literal):
    assert decimal_literal(Decimal(value)) == literal
    assert dumps({"total": Decimal(value)}) == f'{{"total":{literal}}}'


def test_a_decimal_is_never_written_through_float():
    assert dumps([Decimal("0.1") + Decimal("0.2")]) == "[0.3]"
    assert dumps([Decimal("12345678901234567.89")]) == "[12345678901234567.89]"


def test_datetimes_are_utc_with_milliseconds_and_z():
    riyadh = dt.timezone(dt.timedelta(hours=3))
    value = dt.datetime(2024, 1, 15, 13, 0, 0, 123456, tzinfo=riyadh)
    assert format_datetime(value) == "2024-01-15T10:00:00.123Z"
    assert dumps({"d": dt.date(2025, 3, 19)}) == '{"d":"2025-03-19"}'


def test_unicode_is_written_as_is():
    assert dumps({"name": 'قهوة "عربية"'}) == '{"name":"قهوة \\"عربية\\""}'


# --- Errors --------------------------------------------------------------------------------------------------


def test_error_envelopes_of_the_three_families():
    error = ValidationFailed({"InvoiceItem.0.quantity": ["must be positive"]})
    assert error_body(error, "v1") == {
        "message": "Invalid input.",
        "code": "validation_error",
        "errors": {"InvoiceItem.0.quantity": ["must be positive"]},
    }
    assert error_body(error, "api2") == {
        "code": 400,
        "result": "failed",
        "message": "Invalid input.",
        "validation_errors": {"InvoiceItem.0.quantity": "must be positive"},
    }
    assert error_body(ApplicationError("Order not found", status=404), "orders") == {
        "success": False,
        "message": "Order not found",
    }
    refusal = ApplicationError("Drafts are open", code="drafts_open", details={"draftIds": ["1"]})
    assert error_body(refusal, "v1") == {
        "message": "Drafts are open",
        "code": "drafts_open",
        "details": {"draftIds": ["1"]},
    }


def test_nested_errors_are_flattened_by_position():
    detail = {"items": [{}, {"quantity": ["bad"]}], "name": ["required"]}
    flat = flatten_errors(detail)
    assert {k: [m for m, _c in v] for k, v in flat.items()} == {
        "items.1.quantity": ["bad"],
        "name": ["required"],
    }


def test_malformed_json_is_400(owner_client, workspace):
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/clients", data='{"name": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_is_400(owner_client, workspace, body):
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/clients", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_nan_is_400(owner_client, workspace):
    body = '{"name": "c", "posInvoiceDiscount": {"type": "fixed", "value": NaN}}'
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/clients", data=body, content_type="application/json"
    )
    assert response.status_code == 400


def test_body_without_content_type_is_read_as_json(owner_client, workspace):
    response = owner_client.generic(
        "POST", f"/v1/workspace/{workspace.pk}/clients", '{"name": "بلا نوع"}', content_type=""
    )
    assert response.status_code == 201
    assert response.json()["client"]["name"] == "بلا نوع"


def test_unsupported_content_type_is_415(owner_client, workspace):
    response = owner_client.generic(
        "POST", f"/v1/workspace/{workspace.pk}/clients", "name=x", content_type="application/xml"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_unknown_fields_are_ignored(owner_client, workspace):
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/clients", {"name": "c", "colour": "blue"}, format="json"
    )
    assert response.status_code == 201
    assert "colour" not in response.json()["client"]


def test_wrong_types_are_400_not_500(owner_client, workspace):
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/clients", {"name": {"a": 1}, "posInvoiceDiscount": "x"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "posInvoiceDiscount.non_field_errors"}


def test_unknown_path_is_a_json_404(owner_client):
    response = owner_client.get("/v1/workspace/abc/clients")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "code": "not_found"}


def test_method_not_allowed_is_405(owner_client, workspace):
    response = owner_client.put(f"/v1/workspace/{workspace.pk}/clients", {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_an_accept_header_we_cannot_meet_still_gets_json(owner_client, workspace):
    response = owner_client.get(f"/v1/workspace/{workspace.pk}", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_messages_follow_accept_language():
    english = APIClient().get("/v1/me")
    arabic = APIClient().get("/v1/me", HTTP_ACCEPT_LANGUAGE="ar")
    assert english.json()["message"] == "Authentication credentials were not provided."
    assert arabic.status_code == 401
    assert arabic.json()["message"] != english.json()["message"]


# --- Ids -----------------------------------------------------------------------------------------------------


def test_ids_are_strings_and_accepted_as_strings_or_integers(owner_client, workspace, store):
    for n, store_id in enumerate((str(store.pk), store.pk)):
        response = owner_client.post(
            f"/v1/workspace/{workspace.pk}/staff",
            {"email": f"s{n}@x.co", "name": "n", "password": "a-long-pass-99", "storeId": store_id},
            format="json",
        )
        assert response.status_code == 201
        assert response.json()["staff"]["storeId"] == str(store.pk)


@pytest.mark.parametrize("bad", ["507f1f77bcf86cd799439011", "abc", "-1", 0, True, 1.5, "1" * 19, [1]])
def test_malformed_ids_are_400(owner_client, workspace, bad):
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/staff",
        {"email": "s@x.co", "name": "n", "password": "a-long-pass-99", "storeId": bad},
        format="json",
    )
    assert response.status_code == 400
    assert "storeId" in response.json()["errors"]


# --- Lists ---------------------------------------------------------------------------------------------------


def test_cursor_round_trip_and_garbage():
    assert decode_cursor(encode_cursor(42)) == 42
    with pytest.raises(ValidationFailed):
        decode_cursor("!!not-a-cursor")


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=abc", "limit=-5", "cursor=zzz"])
def test_bad_limit_or_cursor_is_400(owner_client, workspace, query):
    response = owner_client.get(f"/v1/workspace/{workspace.pk}/clients?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_limit_up_to_1000(owner_client, workspace):
    ClientFactory(workspace=workspace)
    assert owner_client.get(f"/v1/workspace/{workspace.pk}/clients?limit=1000").status_code == 200


# --- Prefixes ------------------------------------------------------------------------------------------------


def test_every_v1_route_is_also_under_api_v1(owner_client, workspace):
    assert (
        owner_client.get(f"/api/v1/workspace/{workspace.pk}").json()
        == owner_client.get(f"/v1/workspace/{workspace.pk}").json()
    )


def test_workspace_is_taken_from_the_only_membership(owner_client):
    assert owner_client.get("/v1/me").status_code == 200


# --- Schema and docs -----------------------------------------------------------------------------------------


def test_openapi_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/v1/workspace/{workspace_id}/clients" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_openapi_schema_generates_without_a_warning(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    text = target.read_text()
    assert "/v1/workspace/{workspace_id}/pos/invoices:" in text
    assert "securitySchemes" in text


def test_our_own_messages_are_in_arabic_too(owner_client, workspace):
    english = owner_client.get("/v1/workspace/999999999")
    arabic = owner_client.get("/v1/workspace/999999999", HTTP_ACCEPT_LANGUAGE="ar")
    assert english.json() == {"message": "Workspace not found.", "code": "not_found"}
    assert arabic.json() == {"message": "مساحة العمل غير موجودة.", "code": "not_found"}


def test_business_refusals_are_in_arabic(owner_client, workspace, store):
    owner_client.post(f"/v1/workspace/{workspace.pk}/pos/sessions", {}, format="json")
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/sessions", {}, format="json", HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "session_already_open"
    assert any("\u0600" <= ch <= "\u06ff" for ch in response.json()["message"])


def test_no_string_can_forge_a_number():
    from workspaces.api import renderers

    forged = "\x00" + "0" * 32 + ":12"
    assert dumps({"name": forged, "n": Decimal("1.50")}) == '{"name":"\\u0000' + "0" * 32 + ':12","n":1.5}'
    assert dumps(["\x00:5", "x"]) == '["\\u0000:5","x"]'
    assert renderers._NONCE not in dumps({"a": [Decimal("1"), {"b": Decimal("-2.10")}]})
    assert dumps({"a": [Decimal("1"), {"b": Decimal("-2.10")}]}) == '{"a":[1,{"b":-2.1}]}'
