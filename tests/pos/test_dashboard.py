"""The "Today" dashboard's selectors (pos.dashboard) on fixed data, with the figures worked by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from pos import services
from pos.dashboard import HourSales, ProductSales, hour_chart, session_figures, store_days
from pos.models import BusinessSession, PosInvoice
from pos.selectors import session_report
from tests.factories import StoreFactory
from tests.pos.conftest import owner_access, stocked_product

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def tea(workspace, store):
    return stocked_product(workspace, store, price="7.50", name="Black tea", name_ar="شاي أسود", sku="TEA-1")


@pytest.fixture
def till(cashier_client, invoices_url, new_invoice):
    """Sells at the till through the API: `till(lines, payments, completed_at)` -> the invoice's JSON."""

    def sell(lines, payments=None, completed_at=None, complete=True):
        invoice = new_invoice()
        url = f"{invoices_url}/{invoice['id']}"
        for product, quantity in lines:
            response = cashier_client.post(
                f"{url}/items", {"productId": product.pk, "quantity": quantity}, format="json"
            )
            assert response.status_code == 201, response.content
        if complete:
            body = {"payments": payments} if payments else {}
            assert cashier_client.post(f"{url}/complete", body, format="json").status_code == 200
            PosInvoice.objects.filter(pk=invoice["id"]).update(completed_at=completed_at)
        return invoice

    return sell


@pytest.fixture
def day(session, till, coffee, tea, cashier_client, invoices_url):
    """The day, by hand (opening cash 100.00, SAR, Asia/Riyadh = UTC+3):
    A  2 coffee (10.00)          = 20.00, paid 50.00 cash (change 30.00), 09:10 local
    E  1 tea (7.50)              =  7.50, paid cash, 10:05 local
    B  3 tea + 1 coffee          = 32.50, paid by card, 10:59 local
    C  1 tea, still a draft;  D  1 coffee, cancelled."""
    till([(coffee, 2)], [{"method": "cash", "amount": "50"}], dt.datetime(2025, 3, 19, 6, 10, tzinfo=UTC))
    till([(tea, 1)], None, dt.datetime(2025, 3, 19, 7, 5, tzinfo=UTC))
    till(
        [(tea, 3), (coffee, 1)],
        [{"method": "card", "amount": "32.50"}],
        dt.datetime(2025, 3, 19, 7, 59, tzinfo=UTC),
    )
    till([(tea, 1)], complete=False)
    cancelled = till([(coffee, 1)], complete=False)
    assert (
        cashier_client.post(f"{invoices_url}/{cancelled['id']}/cancel", {}, format="json").status_code == 200
    )
    return session


EXPECTED_REPORT = {
    "invoiceCounts": {"draft": 1, "completed": 3, "cancelled": 1},
    "grossSales": Decimal("60.00"),
    "discountTotal": Decimal("0"),
    "taxTotal": Decimal("0"),
    "netSales": Decimal("60.00"),
    "payments": {
        "cash": Decimal("57.50"),
        "card": Decimal("32.50"),
        "transfer": Decimal(0),
        "cheque": Decimal(0),
        "other": Decimal(0),
    },
}
EXPECTED_CASH = Decimal("127.50")  # 100 + 57.50 - 30 change: the session's report, not the dashboard's sum


def assert_report(report, expected):
    assert report["invoiceCounts"] == expected["invoiceCounts"]
    for key in ("grossSales", "discountTotal", "taxTotal", "netSales"):
        assert Decimal(report[key]) == expected[key], key
    assert {m: Decimal(a) for m, a in report["payments"].items()} == expected["payments"]


def test_the_day_by_hand(day, workspace, store, coffee, tea):
    (today,) = store_days(workspace=workspace)

    assert (today.store, today.session) == (store, day)
    assert_report(today.report, EXPECTED_REPORT)
    assert today.sessions == [day]
    x_report = session_figures(session=day)
    assert (x_report["expectedCash"], x_report["countedCash"]) == (EXPECTED_CASH, None)  # not counted yet
    assert (today.sales_count, today.average_ticket) == (3, Decimal("20.00"))
    assert today.best_sellers == [
        ProductSales(tea.pk, "Black tea", Decimal("4"), Decimal("30.00")),
        ProductSales(coffee.pk, "قهوة عربية", Decimal("3"), Decimal("30.00")),
    ]
    assert today.sales_by_hour == [HourSales(9, 1, Decimal("20.00")), HourSales(10, 2, Decimal("40.00"))]


def test_best_sellers_are_named_in_arabic_where_the_product_has_an_arabic_name(day, workspace):
    with translation.override("ar"):
        (today,) = store_days(workspace=workspace)
    assert [p.name for p in today.best_sellers] == ["شاي أسود", "قهوة عربية"]


def test_the_figures_stay_after_the_day_is_closed(day, workspace, owner):
    services.session_close(
        session=day, access=owner_access(workspace, owner), closing_cash=Decimal("130"), cancel_drafts=True
    )
    (today,) = store_days(workspace=workspace)

    assert today.session.status == "closed"
    closed = {**EXPECTED_REPORT, "invoiceCounts": {"draft": 0, "completed": 3, "cancelled": 2}}
    assert_report(today.report, closed)
    z_report = session_figures(session=today.session)
    assert (z_report["expectedCash"], z_report["countedCash"], z_report["cashDifference"]) == (
        EXPECTED_CASH,
        Decimal("130"),
        Decimal("2.50"),
    )
    assert (today.sales_count, today.average_ticket) == (3, Decimal("20.00"))
    assert [p.quantity for p in today.best_sellers] == [Decimal("4"), Decimal("3")]
    assert sum(h.amount for h in today.sales_by_hour) == Decimal("60.00")


def test_the_x_report_of_a_day_equals_its_z_report_at_close(day, workspace, owner):
    # The draft is cancelled first: closing then changes nothing the X-report counted.
    draft = PosInvoice.objects.get(session=day, status="draft")
    services.invoice_cancel(invoice=draft, access=owner_access(workspace, owner), reason="")
    x_report = session_report(session=day, counted_cash=None)

    closed = services.session_close(
        session=day,
        access=owner_access(workspace, owner),
        closing_cash=Decimal("127.50"),
        cancel_drafts=False,
    )
    closed.refresh_from_db()
    z_report = closed.summary

    assert set(z_report) == set(x_report)
    for key in set(x_report) - {"countedCash", "cashDifference"}:
        if key in ("invoiceCounts", "returnCounts"):
            assert z_report[key] == x_report[key]
        elif key in ("payments", "refunds"):
            assert {m: Decimal(a) for m, a in z_report[key].items()} == x_report[key]
        else:
            assert Decimal(z_report[key]) == x_report[key], key
    assert (Decimal(z_report["countedCash"]), Decimal(z_report["cashDifference"])) == (Decimal("127.50"), 0)


@pytest.fixture
def reopened(day, till, coffee, tea, workspace, store, owner):
    """The morning of `day` closed at noon (its draft cancelled), a second session opened on the same business
    date, by hand:
    F  2 tea = 15.00, paid 20.00 cash (change 5.00), 14:30 local
    G  1 coffee = 10.00, by card, 15:10 local
    H  1 tea, still a draft."""
    access = owner_access(workspace, owner)
    services.session_close(session=day, access=access, closing_cash=Decimal("127.50"), cancel_drafts=True)
    afternoon = services.session_open(
        workspace=workspace, access=access, store=store, opening_cash=Decimal("50"), business_date=None
    )
    assert afternoon.business_date == day.business_date
    till([(tea, 2)], [{"method": "cash", "amount": "20"}], dt.datetime(2025, 3, 19, 11, 30, tzinfo=UTC))
    till([(coffee, 1)], [{"method": "card", "amount": "10"}], dt.datetime(2025, 3, 19, 12, 10, tzinfo=UTC))
    till([(tea, 1)], complete=False)
    return afternoon


def test_a_date_opened_again_counts_every_session_of_the_date(reopened, day, workspace, coffee, tea):
    (today,) = store_days(workspace=workspace)

    # The buttons are the open session's; the morning is still counted, and its Z-report one click away.
    assert (today.session, today.sessions, today.earlier_sessions) == (reopened, [day, reopened], [day])
    assert_report(
        today.report,
        {
            "invoiceCounts": {"draft": 1, "completed": 5, "cancelled": 2},
            "grossSales": Decimal("85.00"),  # 60.00 in the morning + 25.00
            "discountTotal": Decimal(0),
            "taxTotal": Decimal(0),
            "netSales": Decimal("85.00"),
            "payments": {
                "cash": Decimal("77.50"),  # 57.50 + 20.00 handed over
                "card": Decimal("42.50"),  # 32.50 + 10.00
                "transfer": Decimal(0),
                "cheque": Decimal(0),
                "other": Decimal(0),
            },
        },
    )
    assert (today.sales_count, today.average_ticket) == (5, Decimal("17.00"))
    assert today.best_sellers == [
        ProductSales(tea.pk, "Black tea", Decimal("6"), Decimal("45.00")),
        ProductSales(coffee.pk, "قهوة عربية", Decimal("4"), Decimal("40.00")),
    ]
    assert today.sales_by_hour == [
        HourSales(9, 1, Decimal("20.00")),
        HourSales(10, 2, Decimal("40.00")),
        HourSales(14, 1, Decimal("15.00")),
        HourSales(15, 1, Decimal("10.00")),
    ]


def test_a_date_closed_twice_still_shows_both_sessions(reopened, day, workspace, owner):
    services.session_close(
        session=reopened, access=owner_access(workspace, owner), closing_cash=None, cancel_drafts=True
    )
    (today,) = store_days(workspace=workspace)

    assert (today.session, today.sessions) == (reopened, [day, reopened])  # the last one closed shows
    assert (today.sales_count, today.report["netSales"]) == (5, Decimal("85.00"))
    assert today.report["invoiceCounts"] == {"draft": 0, "completed": 5, "cancelled": 3}


def test_which_day_each_store_shows(workspace, store, owner, other_workspace, other_owner):
    access = owner_access(workspace, owner)
    today = dt.date(2025, 3, 19)
    kiosk = StoreFactory(workspace=workspace, name="كشك")
    terrace = StoreFactory(workspace=workspace, name="تراس")
    # The main store: yesterday's day (closed long ago) and today's, closed: today's shows.
    BusinessSession.objects.create(
        workspace=workspace, store=store, business_date=today - dt.timedelta(days=1), status="closed",
        closed_at=dt.datetime(2025, 3, 18, 20, tzinfo=UTC), summary={},
    )  # fmt: skip
    closed_today = services.session_open(
        workspace=workspace, access=access, store=store, opening_cash=Decimal(0), business_date=today
    )
    services.session_close(session=closed_today, access=access, closing_cash=None, cancel_drafts=False)
    # The kiosk: yesterday's day, closed after midnight (02:00 local, 23:00 UTC the day before): it shows.
    night = BusinessSession.objects.create(
        workspace=workspace, store=kiosk, business_date=today - dt.timedelta(days=1), status="closed",
        closed_at=dt.datetime(2025, 3, 18, 23, tzinfo=UTC), summary={},
    )  # fmt: skip
    # Another workspace's open day never shows.
    services.session_open(
        workspace=other_workspace,
        access=owner_access(other_workspace, other_owner),
        store=None,
        opening_cash=Decimal(0),
        business_date=today,
    )

    shown = store_days(workspace=workspace, today=today)
    days = {d.store.pk: d for d in shown}
    assert len(shown) == 3  # the workspace's stores only

    assert days[store.pk].session == closed_today and days[store.pk].sessions == [closed_today]
    assert days[kiosk.pk].session == night
    assert (days[terrace.pk].session, days[terrace.pk].report, days[terrace.pk].sales_count) == (
        None,
        None,
        0,
    )


def test_the_query_count_does_not_grow_with_the_invoices(
    session, till, coffee, workspace, django_assert_num_queries
):
    # The stores, their days, the open day's X-report (3: counts with sums, payments, returns), the best sellers,
    # the sales by hour, the offline sales (section 8d).
    till([(coffee, 1)])
    with django_assert_num_queries(8):
        store_days(workspace=workspace)
    for _ in range(19):
        till([(coffee, 1)])
    with django_assert_num_queries(8):
        (today,) = store_days(workspace=workspace)
    assert today.sales_count == 20


def test_the_query_count_does_not_grow_with_the_sessions_of_the_date(
    reopened, workspace, django_assert_num_queries
):
    # A closed session reads its stored Z-report: no query; the open one its X-report (3).
    with django_assert_num_queries(8):
        (today,) = store_days(workspace=workspace)
    assert len(today.sessions) == 2


def test_the_hour_chart_reads_right_to_left_in_arabic():
    hours = [HourSales(9, 1, Decimal("20.00")), HourSales(10, 2, Decimal("40.00"))]

    ltr = hour_chart(hours, currency="SAR", rtl=False)
    rtl = hour_chart(hours, currency="SAR", rtl=True)

    # At least eight hours (09 to 16), the first one leftmost in English and rightmost in Arabic.
    assert [bar["hour"] for bar in ltr["bars"]] == [f"{h:02d}" for h in range(9, 17)]
    assert ltr["bars"][0]["x"] < ltr["bars"][-1]["x"] and rtl["bars"][0]["x"] > rtl["bars"][-1]["x"]
    assert [bar["amount"] for bar in rtl["bars"][:3]] == ["20.00", "40.00", "0.00"]
    assert rtl["bars"][1]["height"] == 2 * rtl["bars"][0]["height"]  # 40 is twice 20
    assert hour_chart([], currency="SAR", rtl=True) is None
