"""`Payment.date` is a date or a date-time (PRODUCT.md section 8): the public clients of api2 send the order's
date-time (`2026-12-02 10:15:00`, the vendor's WooCommerce plugin; ISO `2026-12-02T10:15:00`). The model keeps a
date: the day the moment falls on in the workspace's time zone (a date-time without an offset is already its local
time), and the read-back shows that day."""

import json
from decimal import Decimal

import pytest

from invoicing.models import InvoicePayment
from tests.factories import ClientFactory
from tests.invoicing.api2_helpers import body, key_client
from tests.invoicing.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(workspace):
    cap = ProductFactory(workspace=workspace, name="Cap", price=Decimal("20"), track_stock=False)
    return {"client": ClientFactory(workspace=workspace), "cap": cap}


def _send(api, method: str, path: str, payload: dict):
    return api.generic(method, path, json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2026-12-02", "2026-12-02"),
        ("2026-12-02 10:15:00", "2026-12-02"),  # the plugin's
        ("2026-12-02T10:15:00", "2026-12-02"),  # ISO
        ("2026-12-02T23:59:59.999999", "2026-12-02"),  # no offset: already the workspace's local time
        ("2026-12-02 10:15", "2026-12-02"),
        ("2026-12-02T22:30:00Z", "2026-12-03"),  # 01:30 on the 3rd in Riyadh (UTC+3)
        ("2026-12-02T22:30:00+00:00", "2026-12-03"),
        ("2026-12-02T23:30:00+03:00", "2026-12-02"),
        ("2026-12-02T22:00:00-05:00", "2026-12-03"),  # 03:00 UTC on the 3rd, 06:00 in Riyadh
    ],
)
def test_a_payment_date_may_be_a_date_or_a_date_time(workspace, store, shop, sent, stored):
    api = key_client(workspace)
    payload = {
        "Invoice": {"client_id": shop["client"].pk, "store_id": store.pk},
        "InvoiceItem": [{"product_id": shop["cap"].pk, "quantity": 1, "unit_price": 20}],
        "Payment": [{"payment_method": "cash", "amount": 20, "date": sent}],
    }

    response = _send(api, "POST", "/api2/invoices", payload)

    assert response.status_code == 202, response.content
    assert str(InvoicePayment.objects.get().date) == stored
    read = body(api.get(f"/api2/invoices/{body(response)['id']}"))
    assert read["data"]["Payment"][0]["date"] == stored


def test_a_date_time_without_offset_is_the_workspaces_local_time(workspace, store, shop):
    workspace.timezone = "America/New_York"
    workspace.save()
    api = key_client(workspace)
    sent = {"naive": "2026-12-02 23:30:00", "utc": "2026-12-03T02:00:00Z"}  # both 2 December in New York
    for date in sent.values():
        payload = {
            "Invoice": {"client_id": shop["client"].pk, "store_id": store.pk},
            "InvoiceItem": [{"product_id": shop["cap"].pk, "quantity": 1, "unit_price": 20}],
            "Payment": [{"payment_method": "cash", "amount": 20, "date": date}],
        }
        assert _send(api, "POST", "/api2/invoices", payload).status_code == 202

    assert [str(day) for day in InvoicePayment.objects.order_by("pk").values_list("date", flat=True)] == [
        "2026-12-02",
        "2026-12-02",
    ]


@pytest.mark.parametrize(
    "sent",
    [
        "2026-12-02 25:00:00",
        "02/12/2026",
        "2026-12-02T10:15:00 Riyadh",
        "2026-12-02 10",
        "0001-01-01 10:00:00",  # outside 0001-01-02..9999-12-30
        "9999-12-31T23:00:00-05:00",  # past the calendar's end once moved to the workspace's zone
        "0001-01-01T00:30:00+05:00",
        "2026-W49-3",
        "20261202",
        "2026-12-02T10:15:00" + "0" * 100,
        1733130900,
    ],
)
def test_a_bad_payment_date_is_a_400_naming_it(workspace, store, shop, sent):
    api = key_client(workspace)
    payload = {
        "Invoice": {"client_id": shop["client"].pk, "store_id": store.pk},
        "InvoiceItem": [{"product_id": shop["cap"].pk, "quantity": 1, "unit_price": 20}],
        "Payment": [{"payment_method": "cash", "amount": 20, "date": sent}],
    }

    response = _send(api, "POST", "/api2/invoices", payload)

    assert response.status_code == 400, response.content
    assert list(body(response)["validation_errors"]) == ["Payment.0.date"]
