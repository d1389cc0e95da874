"""On PostgreSQL api2's invoice list is written by the database (`invoicing.api2.json_rows`): the HTTP body is byte
for byte the serializers' (`Api2InvoicePageSerializer` and the renderer), with the same queries, for every filter
and page shape and every kind of value an invoice holds: drafts, offline clients, nulls, texts with quotes,
backslashes, controls, Arabic and emoji, amounts with no places, two, three and eighteen digits, a ZATCA document
(whose warnings Python reads as floats), empty and past-the-end pages."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicing import sales_selectors
from invoicing.models import Invoice
from invoicing.services.sales_invoice_zatca import SOURCE
from invoicing.zatca.models import ZatcaDocument
from tests.factories import ClientFactory, StoreFactory
from tests.invoicing.api2_helpers import body, key_client
from tests.invoicing.zatca.sellers import sandbox_device
from workspaces import json_sql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TEXT = 'قهوة "عربية" \\ \t\n\r\x01\x1f\x7f \u2028 ☕ 🍵 </script>'
DAY = dt.date(2026, 3, 10)


def same_as_python(api, path, monkeypatch):
    """The answer to `path`, after checking its bytes and its queries are the serializers' path's."""
    with CaptureQueriesContext(connection) as written_queries:
        written = api.get(path)
    with monkeypatch.context() as python, CaptureQueriesContext(connection) as python_queries:
        python.setattr(json_sql, "available", lambda: False)
        expected = api.get(path)
    assert written.status_code == 200, written.content
    assert written.content == expected.content, path
    assert len(written_queries) == len(python_queries), path
    return body(written)


def _invoice(workspace, client, store, number, **values):
    figures = {
        "currency": "SAR",
        "date": DAY,
        "draft": False,
        "discount": 0,
        "discount_amount": 0,
        "notes": "Invoice for March services",
        "po_number": f"PO-{number}",
        "is_offline": False,
        "summary_subtotal": Decimal("250.000"),
        "summary_discount": Decimal("5.000"),
        "summary_tax": Decimal("0.000"),
        "summary_total": Decimal("245.000"),
        "summary_paid": Decimal("0.000"),
    }
    figures.update(values)
    return Invoice.objects.create(workspace=workspace, client=client, store=store, number=number, **figures)


@pytest.fixture
def invoices(workspace):
    """Eleven invoices over four days (three on `DAY`): every kind of value, one signed."""
    clients = [ClientFactory(workspace=workspace) for _ in range(2)]
    stores = [StoreFactory(workspace=workspace) for _ in range(2)]
    a, b = clients
    s, t = stores
    made = {
        "plain": _invoice(workspace, a, s, 1),
        "draft": _invoice(workspace, a, s, 2, draft=True, notes=None, po_number=None),
        "offline": _invoice(workspace, b, t, 3, is_offline=True, notes=TEXT, po_number='PO "7" \\ 🍵'),
        "empty texts": _invoice(workspace, b, s, 4, notes="", po_number="", date=DAY - dt.timedelta(days=1)),
        "percent": _invoice(workspace, a, t, 42, discount=Decimal("12.5000"), summary_tax=Decimal("12.340")),
        "amount off": _invoice(
            workspace, a, s, 43, discount_amount=Decimal("3.210"), summary_paid=Decimal("0.005")
        ),
        "large": _invoice(
            workspace,
            b,
            s,
            1234567,
            summary_subtotal=Decimal("999999999999999.999"),
            summary_total=Decimal("999999999999999.999"),
            summary_paid=Decimal("100.000"),
            date=DAY - dt.timedelta(days=40),
        ),
        "zeros": _invoice(
            workspace,
            a,
            s,
            999999,
            summary_subtotal=0,
            summary_discount=0,
            summary_total=0,
            date=DAY + dt.timedelta(days=1),
        ),
        "signed": _invoice(workspace, a, s, 7, notes=TEXT, date=DAY - dt.timedelta(days=1)),
        "signed draft day": _invoice(workspace, b, t, 8, draft=True, date=DAY + dt.timedelta(days=1)),
        "late": _invoice(workspace, b, t, 9, date=DAY + dt.timedelta(days=400)),
    }
    device = sandbox_device(workspace, s)
    for name, errors, warnings in [
        ("signed", [{"code": "BR-KSA-01", "message": TEXT}], [{"score": 0.5, "big": 10**20, "n": None}]),
        ("signed draft day", [], []),
    ]:
        ZatcaDocument.objects.create(
            workspace=workspace,
            device=device,
            source_type=SOURCE,
            source_id=made[name].pk,
            number=made[name].no,
            uuid=uuid.uuid4(),
            icv=made[name].number,
            hash="aGFzaA==",
            previous_hash="cHJldmlvdXM=",
            qr="AQ1TZWxsZXI=",
            xml=b"<Invoice/>",
            errors=errors,
            warnings=warnings,
        )
    return {"made": made, "client": b.pk, "store": t.pk}


PAGES = ["", "?limit=1", "?limit=3&page=2", "?limit=3&page=4", "?limit=100", "?page=50&limit=10", "?page=2"]


@pytest.mark.parametrize("deep", [False, True])
def test_every_filter_and_page_is_the_serializers_bytes(workspace, invoices, monkeypatch, deep):
    if deep:  # every page by the deferred join
        monkeypatch.setattr(sales_selectors, "DEEP_OFFSET", 0)
    api = key_client(workspace)
    filters = [
        "",
        f"client_id={invoices['client']}",
        f"store_id={invoices['store']}",
        "draft=1",
        "draft=0",
        f"date_from={DAY:%Y-%m-%d}",
        f"date_from={DAY - dt.timedelta(days=1):%Y-%m-%d}&date_to={DAY:%Y-%m-%d}",
        f"date_to={DAY:%Y-%m-%d}&client_id={invoices['client']}",
        "search=000042",
        "search=PO-9",
        "search=nothing",
        "date_from=2030-01-01",  # empty: no day counted
        f"client_id={ClientFactory(workspace=workspace).pk}",  # empty: counted
    ]
    for query in filters:
        for paging in PAGES:
            path = f"/api2/invoices.json{paging}"
            if query:
                path += ("&" if paging else "?") + query
            same_as_python(api, path, monkeypatch)

    data = same_as_python(api, "/api2/invoices.json?limit=100", monkeypatch)["data"]
    by_no = {row["Invoice"]["no"]: row["Invoice"] for row in data}
    assert len(data) == 11
    assert by_no["000007"]["notes"] == TEXT
    assert by_no["000007"]["zatca"]["warnings"] == [{"score": 0.5, "big": 10**20, "n": None}]
    assert by_no["000008"]["zatca"]["errors"] == []
    assert "zatca" not in by_no["000001"]
    assert by_no["1234567"]["summary_unpaid"] == Decimal("999999999999899.999")
    assert by_no["000002"]["notes"] is None and by_no["000002"]["draft"] == 1


def test_a_page_reads_the_same_four_queries(workspace, invoices, django_assert_num_queries):
    api = key_client(workspace)
    # The API key, the day counts, the page, its ZATCA documents (test_api2_contract.LIST_QUERIES).
    with django_assert_num_queries(4):
        assert len(api.get("/api2/invoices.json?limit=100").json()["data"]) == 11
    with django_assert_num_queries(2):  # past the end: the key, the day counts
        assert api.get("/api2/invoices.json?page=9").json()["data"] == []


# Any text a client can send (PostgreSQL refuses NUL in text; lone surrogates cannot reach the database).
TEXTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
AMOUNTS = st.decimals(min_value=0, max_value=Decimal("999999999999999.999"), places=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    notes=st.none() | TEXTS,
    po_number=st.none() | TEXTS,
    total=AMOUNTS,
    paid=AMOUNTS,
    discount=st.decimals(min_value=0, max_value=100, places=4),
    number=st.integers(min_value=1, max_value=10**15),
)
def test_any_text_and_amount_is_written_as_python_writes_it(
    workspace, monkeypatch, notes, po_number, total, paid, discount, number
):
    Invoice.objects.filter(workspace=workspace).delete()
    client = ClientFactory(workspace=workspace)
    store = StoreFactory(workspace=workspace)
    _invoice(
        workspace,
        client,
        store,
        number,
        notes=notes,
        po_number=po_number,
        discount=discount,
        summary_subtotal=total,
        summary_tax=paid,
        summary_total=total,
        summary_paid=min(paid, total),
    )
    same_as_python(key_client(workspace), "/api2/invoices.json?limit=1", monkeypatch)
