"""The review's 500s, answered 400 (PRODUCT.md section 2: no endpoint ever answers 500 to bad input)."""

from __future__ import annotations

import json

import pytest

from suppliers.models import SupplierInvoice

EDGE_MOMENTS = ["9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00-23:59"]


@pytest.mark.parametrize("moment", EDGE_MOMENTS)
def test_an_issue_date_at_the_calendar_edge_with_an_offset_is_a_400(accountant_client, invoices_url, moment):
    body = {"invoiceNumber": "INV-9", "totalAmount": 10, "issueDate": moment}
    response = accountant_client.post(invoices_url, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"issueDate"}
    assert not SupplierInvoice.objects.exists()


@pytest.mark.parametrize("moment", EDGE_MOMENTS)
@pytest.mark.parametrize("bound", ["dueDateTo", "dueDateFrom", "issueDateTo", "issueDateFrom"])
def test_a_filter_bound_at_the_calendar_edge_with_an_offset_is_a_400(
    accountant_client, base_url, moment, bound
):
    response = accountant_client.get(f"{base_url}/supplier-invoices", {bound: moment})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {bound}


def _post_raw(client, url: str, text: str):
    return client.generic("POST", url, text.encode(), content_type="application/json")


def test_a_lone_surrogate_in_a_choice_field_is_a_400_naming_it(accountant_client, invoices_url, new_invoice):
    invoice = new_invoice()
    url = f"{invoices_url}/{invoice['id']}/payments"
    response = _post_raw(accountant_client, url, '{"amount": 10, "method": "\\ud800"}')
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["errors"]) == ["method"]


def test_a_lone_surrogate_in_a_text_field_or_a_key_is_a_400_and_nothing_is_written(
    accountant_client, invoices_url
):
    text = json.dumps({"invoiceNumber": "INV-\ud800", "totalAmount": 1, "issueDate": "2024-01-15"})
    response = _post_raw(accountant_client, invoices_url, text)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["invoiceNumber"]

    response = _post_raw(accountant_client, invoices_url, '{"notes\\udfff": 1, "totalAmount": 1}')
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["notes\\udfff"]
    assert not SupplierInvoice.objects.exists()


def test_a_surrogate_pair_is_a_character_and_is_kept(accountant_client, invoices_url):
    text = '{"invoiceNumber": "INV-\\ud83d\\ude00", "totalAmount": 1, "issueDate": "2024-01-15"}'
    response = _post_raw(accountant_client, invoices_url, text)
    assert response.status_code == 201
    assert response.json()["invoice"]["invoiceNumber"] == "INV-😀"
