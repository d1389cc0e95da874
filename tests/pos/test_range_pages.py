"""A date range's pages (`pos.pages._range_page`): newest first by `(created_at, id)`, cursors carrying both, so
that a range early in a big year is one short index walk and no row is lost or shown twice where several invoices
share a moment."""

import base64
import datetime as dt

import pytest
from django.db import connection

from pos.models import PosInvoice
from tests.pos.test_query_counts import statements

pytestmark = pytest.mark.django_db

DAY = "2024-03-10"


def _made_on(new_invoice, moments):
    ids = []
    for moment in moments:
        invoice_id = new_invoice()["id"]
        PosInvoice.objects.filter(pk=invoice_id).update(created_at=moment)
        ids.append(int(invoice_id))
    return ids


def _all_pages(api, url, query, limit):
    seen, cursor, pages = [], None, 0
    while True:
        page = api.get(f"{url}?{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [int(row["id"]) for row in page["invoices"]]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            return seen, pages


def test_a_range_pages_newest_first_by_moment_then_id_and_loses_nothing(
    cashier_client, invoices_url, new_invoice, workspace
):
    workspace.timezone = "UTC"
    workspace.save()
    noon = dt.datetime(2024, 3, 10, 12, tzinfo=dt.UTC)
    # Ids out of the moments' order, and three invoices at one moment across the pages' boundaries.
    moments = [noon, noon - dt.timedelta(hours=1), noon, noon + dt.timedelta(hours=2), noon, noon]
    made = _made_on(new_invoice, moments)
    outside = _made_on(new_invoice, [noon - dt.timedelta(days=1), noon + dt.timedelta(days=1)])

    expected = [
        pk
        for pk, _moment in sorted(zip(made, moments, strict=True), key=lambda p: (p[1], p[0]), reverse=True)
    ]
    for limit in (1, 2, 4, 100):
        seen, _pages = _all_pages(cashier_client, invoices_url, f"startDate={DAY}&endDate={DAY}", limit)
        assert seen == expected
        assert not set(outside) & set(seen)


def test_moments_a_microsecond_apart_page_exactly(cashier_client, invoices_url, new_invoice, workspace):
    """The cursor's moment is the row's to the microsecond (on PostgreSQL read as microseconds since the epoch):
    two invoices a microsecond apart, and two at one moment, each come once, in order, with a page of one."""
    workspace.timezone = "Asia/Riyadh"  # the range is read in the workspace's day; the cursor is in UTC
    workspace.save()
    at = dt.datetime(2024, 3, 10, 9, 30, 15, 123456, tzinfo=dt.UTC)
    moments = [at, at + dt.timedelta(microseconds=1), at, at - dt.timedelta(microseconds=1)]
    made = _made_on(new_invoice, moments)
    expected = [made[1], made[2], made[0], made[3]]
    seen, pages = _all_pages(cashier_client, invoices_url, f"startDate={DAY}&endDate={DAY}", 1)
    assert seen == expected
    assert pages == 4


def test_a_range_page_is_one_query_after_the_member(cashier_client, invoices_url, new_invoice, workspace):
    _made_on(new_invoice, [dt.datetime(2024, 3, 10, 9, tzinfo=dt.UTC)] * 3)
    first = cashier_client.get(f"{invoices_url}?startDate={DAY}&endDate={DAY}&limit=1").json()
    with statements() as found:
        response = cashier_client.get(
            f"{invoices_url}?startDate={DAY}&endDate={DAY}&limit=1&cursor={first['nextCursor']}"
        )
    assert response.status_code == 200
    # the member, the page: on PostgreSQL with each invoice's answer written by the database
    # (`pos.api.json_rows`), elsewhere followed by its lines: items, discounts, payments.
    assert len(found.queries) == (2 if connection.vendor == "postgresql" else 5), found.queries
    if connection.vendor == "postgresql":
        page = next(sql for sql in found.queries if 'FROM "pos_posinvoice"' in sql and "ORDER BY" in sql)
        # the page's ids by created_at, then id (by position); the answers in that order
        assert 'ORDER BY U0."created_at" DESC, 1 DESC LIMIT 2)' in page
        assert page.endswith('ORDER BY "pos_posinvoice"."created_at" DESC, "pos_posinvoice"."id" DESC')
        # the cursor's moment comes as microseconds since the epoch, not as a datetime per row
        assert 'EXTRACT(EPOCH FROM "pos_posinvoice"."created_at")' in page  # in no time zone but its own


def test_an_id_cursor_on_a_range_is_400(cashier_client, invoices_url, new_invoice):
    _made_on(new_invoice, [dt.datetime(2024, 3, 10, 9, tzinfo=dt.UTC)] * 2)
    id_cursor = cashier_client.get(f"{invoices_url}?limit=1").json()["nextCursor"]
    response = cashier_client.get(f"{invoices_url}?startDate={DAY}&limit=1&cursor={id_cursor}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cursor"]


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        ("0001-01-01T00:00:00+05:00", 400),  # before the calendar's first day in UTC
        ("9999-12-31T23:59:59-05:00", 400),  # after its last
        ("2024-03-10", 400),  # no offset: not a cursor this list wrote
        ("2024-03-10T09:00:00+03:00", 200),
    ],
)
def test_a_hand_made_moment_cursor_is_a_page_or_a_400(cashier_client, invoices_url, session, moment, status):
    cursor = base64.urlsafe_b64encode(f"at:{moment}|5".encode()).decode().rstrip("=")
    response = cashier_client.get(f"{invoices_url}?startDate={DAY}&cursor={cursor}")
    assert response.status_code == status
    if status == 400:
        assert list(response.json()["errors"]) == ["cursor"]
