"""Sales a till made offline (PRODUCT.md section 8d) in the back office (section 9): the POS invoice list's filters
(made offline, total differs from the till's, sold short of stock) list exactly the flagged sales at a constant
number of queries; marks beside a sale's number say which; an offline sale's page has an "Offline sale" section;
a sale without a client renders everywhere; the dashboard counts the day's offline sales and links to them; the
stock ledger marks and filters the movements sold short.

The sales are made through the services (items, payments and stock as a till's), then flagged with the ORM as the
sync service records them (its own tests are elsewhere)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from invoicing.models import StockMovement
from pos import services
from pos.credit_note_print import render_credit_note
from pos.dashboard import offline_lines, store_days
from pos.models import BusinessSession, PosInvoice
from pos.receipts import render_receipt
from pos.return_selectors import return_for_print
from pos.selectors import invoice_for_receipt
from tests.factories import ClientFactory
from tests.pos.conftest import owner_access, stocked_product
from tests.pos.services_helpers import draft_with, open_day

pytestmark = pytest.mark.django_db

UTC = dt.UTC
TILL_CREATED = dt.datetime(2026, 3, 19, 6, 10, tzinfo=UTC)  # 09:10 in Riyadh
TILL_COMPLETED = dt.datetime(2026, 3, 19, 6, 12, tzinfo=UTC)
SYNCED = dt.datetime(2026, 3, 19, 9, 45, tzinfo=UTC)


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def shop(workspace, store, owner):
    """An open day; `sell(quantity, **flags)` completes a sale of Arabic coffee at 24.15 paid in cash, then flags
    it as a sale synced from a till (`offline=True`, `total_mismatch`, `stock_short`, `client=None` ...)."""
    access = owner_access(workspace, owner)
    session = open_day(workspace, access, store)
    coffee = stocked_product(workspace, store, price="24.15", name="Arabic coffee", name_ar="قهوة عربية")
    client = ClientFactory(workspace=workspace, name="عميل نقدي")

    def sell(quantity: str = "1", **flags) -> PosInvoice:
        draft = draft_with(workspace, access, store, client, (coffee, quantity))
        sale = services.invoice_complete(
            invoice=draft, access=access, payments=[services.PaymentInput(method="cash", amount=draft.total)]
        )
        if flags:
            PosInvoice.objects.filter(pk=sale.pk).update(**flags)
            sale.refresh_from_db()
        return sale

    def offline(quantity: str = "1", **flags) -> PosInvoice:
        return sell(
            quantity,
            offline=True,
            client_ref=uuid.uuid4(),
            device_ref="till-7",
            created_at=TILL_CREATED,
            completed_at=TILL_COMPLETED,
            synced_at=SYNCED,
            **flags,
        )

    sell.offline, sell.session, sell.access, sell.coffee = offline, session, access, coffee
    return sell


def numbers_listed(html: str) -> list[str]:
    """The invoice numbers in the list's rows, as shown."""
    return re.findall(r'class="field-number_display"><a href="[^"]+"><span dir="ltr">([^<]+)</span>', html)


def field_value(html: str, name: str) -> str:
    """The text of a page's read-only field `name` (its `field-<name>` row), as shown."""
    match = re.search(rf'class="form-row field-{name}">.*?<div class="readonly">(.*?)</div>', html, re.S)
    assert match, name
    return unescape(match.group(1))


def row_of(html: str, public_id: str) -> str:
    """The list's row showing `public_id`."""
    (row,) = [row for row in html.split("<tr") if f'<span dir="ltr">{public_id}</span>' in row]
    return row


@pytest.fixture
def sales(shop):
    """One sale made online and four synced from a till: one as the till computed it, one whose total differs,
    one sold short of stock, one both."""
    return {
        "online": shop(),
        "offline": shop.offline(),
        "mismatch": shop.offline(total_mismatch=True, offline_total=Decimal("24.00")),
        "short": shop.offline(stock_short=True),
        "both": shop.offline(total_mismatch=True, offline_total=Decimal("25"), stock_short=True),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["online", "offline", "mismatch", "short", "both"]),
        ("?offline=1", ["offline", "mismatch", "short", "both"]),
        ("?offline=0", ["online"]),
        ("?total_mismatch=1", ["mismatch", "both"]),
        ("?stock_short=1", ["short", "both"]),
        ("?offline=1&stock_short=1&total_mismatch=1", ["both"]),
    ],
)
def test_the_filters_list_exactly_the_flagged_sales(admin_client, sales, query, expected):
    html = admin_client.get(f"/admin/pos/posinvoice/{query}").content.decode()

    assert sorted(numbers_listed(html)) == sorted(sales[name].public_id for name in expected)


def test_the_filters_offer_fixed_choices(admin_client, sales):
    html = admin_client.get("/admin/pos/posinvoice/").content.decode()

    filters = unescape(html[html.index('id="changelist-filter"') :])
    for title, choices in (
        ("made offline", ["?offline=1", "?offline=0"]),
        ("total differs from the till's", ["?total_mismatch=1"]),
        ("sold short of stock", ["?stock_short=1"]),
    ):
        assert f"By {title}" in filters, title
        for choice in choices:
            assert f'href="{choice}"' in filters, choice
    assert 'href="?total_mismatch=0"' not in filters and 'href="?stock_short=0"' not in filters


def test_marks_beside_the_number_say_which_sales_to_look_at(admin_client, sales):
    html = admin_client.get("/admin/pos/posinvoice/").content.decode()

    def marks(name: str) -> list[str]:
        return re.findall(r'class="pos-flag pos-flag-\w+"[^>]*>([^<]+)<', row_of(html, sales[name].public_id))

    assert marks("online") == []
    assert marks("offline") == ["Offline"]
    assert marks("mismatch") == ["Offline", "Total differs"]
    assert marks("short") == ["Offline", "Short of stock"]
    assert marks("both") == ["Offline", "Total differs", "Short of stock"]


def test_the_marks_read_in_arabic(admin_client, sales):
    admin_client.cookies["django_language"] = "ar"
    html = admin_client.get("/admin/pos/posinvoice/").content.decode()

    assert 'dir="rtl"' in html
    marks = re.findall(r'class="pos-flag pos-flag-\w+"[^>]*>([^<]+)<', row_of(html, sales["both"].public_id))
    with translation.override("ar"):
        assert marks == [translation.gettext(text) for text in ("Offline", "Total differs", "Short of stock")]
    assert not [mark for mark in marks if re.search("[A-Za-z]", mark)], marks  # Arabic words only


def test_an_offline_sales_page_shows_the_till_and_its_total(admin_client, sales):
    sale = sales["mismatch"]  # the till said 24.00, the calculator 24.15

    html = admin_client.get(f"/admin/pos/posinvoice/{sale.pk}/change/").content.decode()

    assert "Offline sale</h2>" in html
    # The till and its reference; the till's clock in the workspace's time zone (Riyadh, UTC+3); the sync.
    assert field_value(html, "device_ref") == "till-7"
    assert field_value(html, "client_ref") == str(sale.client_ref)
    assert field_value(html, "till_created_at") == "March 19, 2026, 9:10 AM"
    assert field_value(html, "till_completed_at") == "March 19, 2026, 9:12 AM"
    assert field_value(html, "synced_at") == "March 19, 2026, 12:45 PM"
    section = html[html.index("Offline sale</h2>") :]
    totals = re.sub(r"\s+", " ", section[section.index('class="offline-totals"') :].split("</table>")[0])
    assert re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', totals) == [
        ("On the till", "24.00 SAR"),
        ("On the invoice", "24.15 SAR"),
        ("Difference", "+0.15 SAR"),
    ]
    assert field_value(html, "stock_short_display") == "No"


def test_the_till_total_is_shown_in_the_currencys_digits(admin_client, sales):
    sale = sales["both"]
    PosInvoice.objects.filter(pk=sale.pk).update(
        currency="KWD", total=Decimal("10.125"), offline_total=Decimal("10.1")
    )

    html = admin_client.get(f"/admin/pos/posinvoice/{sale.pk}/change/").content.decode()

    assert "10.100 KWD" in html and "10.125 KWD" in html and "+0.025 KWD" in html
    assert "Yes: the stock went below zero" in html


def test_a_sale_made_online_has_no_offline_section(admin_client, sales):
    html = admin_client.get(f"/admin/pos/posinvoice/{sales['online'].pk}/change/").content.decode()

    assert "Offline sale" not in html and "pos-flag" not in html


def test_a_sale_without_a_client_renders_everywhere(admin_client, shop):
    sale = shop.offline("2", client=None)

    listed = admin_client.get("/admin/pos/posinvoice/")
    assert listed.status_code == 200
    assert '<td class="field-client_name">—</td>' in row_of(listed.content.decode(), sale.public_id)

    page = admin_client.get(f"/admin/pos/posinvoice/{sale.pk}/change/")
    assert page.status_code == 200
    assert field_value(page.content.decode(), "client_name") == "—"

    receipt = admin_client.get(f"/admin/pos/posinvoice/{sale.pk}/receipt/")
    assert receipt.status_code == 200
    text = receipt.content.decode()
    assert sale.public_id in text and "48.30" in text and "العميل" not in text  # no client line

    returning = admin_client.get(f"/admin/pos/posinvoice/{sale.pk}/return/")
    assert returning.status_code == 200
    assert re.search(r"<th scope=\"row\">Client</th><td>—</td>", returning.content.decode())

    # Its credit note: listed, its page and its print without a client line.
    item = sale.items.get()
    credit = services.return_create(
        invoice=sale,
        access=shop.access,
        reason="Spilled",
        items=[services.ReturnLineInput(item_id=item.pk, quantity=Decimal(1))],
    )
    assert admin_client.get("/admin/pos/posreturn/").status_code == 200
    credit_page = admin_client.get(f"/admin/pos/posreturn/{credit.pk}/change/").content.decode()
    assert field_value(credit_page, "client_name") == "—"
    printed = render_credit_note(return_for_print(workspace=sale.workspace, return_id=credit.pk))
    assert credit.public_id in printed and "24.15" in printed and "العميل" not in printed


def test_a_receipt_with_a_client_still_names_them(shop):
    sale = shop.offline()

    html = render_receipt(invoice_for_receipt(workspace=sale.workspace, invoice_id=sale.pk))

    assert "العميل" in html and "عميل نقدي" in html


def list_queries(client, url: str) -> int:
    client.get(url)  # the first request of a sign-in reads what the session then keeps
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "query", ["", "?offline=1", "?total_mismatch=1", "?stock_short=1&session__id__exact={session}"]
)
def test_the_list_reads_as_many_queries_with_20_offline_sales_as_with_2(admin_client, shop, query):
    url = "/admin/pos/posinvoice/" + query.format(session=shop.session.pk)
    for _ in range(2):
        shop.offline(total_mismatch=True, offline_total=Decimal("1"), stock_short=True)
    few = list_queries(admin_client, url)
    for index in range(18):
        shop.offline(total_mismatch=True, offline_total=Decimal(index), stock_short=True, client=None)

    many = list_queries(admin_client, url)

    assert many == few, (few, many)
    assert len(numbers_listed(admin_client.get(url).content.decode())) == 20


def test_the_dashboard_counts_the_days_offline_sales_and_links_to_them(admin_client, sales, shop):
    session = shop.session

    html = admin_client.get("/admin/").content.decode()

    lines = dict(
        re.findall(
            r'<li class="today-offline-(\w+) flagged"><a href="([^"]+)">[^<]+: <span class="num">\d+</span>',
            html,
        )
    )
    assert lines == {
        "offline": f"/admin/pos/posinvoice/?offline=1&amp;session__id__exact={session.pk}",
        "total_mismatch": f"/admin/pos/posinvoice/?total_mismatch=1&amp;session__id__exact={session.pk}",
        "stock_short": f"/admin/pos/posinvoice/?stock_short=1&amp;session__id__exact={session.pk}",
    }
    counts = re.findall(
        r'<li class="today-offline-\w+ flagged"><a [^>]+>([^<]+): <span class="num">(\d+)<', unescape(html)
    )
    assert counts == [
        ("Offline sales", "4"),
        ("Totals differing from the till's", "2"),
        ("Sold short of stock", "2"),
    ]
    # Each link lists those sales.
    listed = admin_client.get(lines["total_mismatch"].replace("&amp;", "&")).content.decode()
    assert sorted(numbers_listed(listed)) == sorted([sales["mismatch"].public_id, sales["both"].public_id])


def test_a_day_without_offline_sales_shows_none_of_it(admin_client, shop):
    shop()

    html = admin_client.get("/admin/").content.decode()

    assert "Sales so far" in html and "today-offline" not in html


def test_a_zero_count_is_shown_but_not_linked(admin_client, shop):
    shop.offline()

    html = admin_client.get("/admin/").content.decode()

    assert re.search(r'<li class="today-offline-offline flagged"><a href="[^"]+">Offline sales: ', html)
    assert re.search(
        r'<li class="today-offline-stock_short">Sold short of stock: <span class="num">0</span>', html
    )


def test_a_day_of_two_sessions_links_to_both(admin_client, workspace, store, owner, shop):
    morning = shop.offline(stock_short=True)
    services.session_close(session=shop.session, access=shop.access, closing_cash=None, cancel_drafts=True)
    afternoon = open_day(workspace, shop.access, store)
    second = shop.offline(stock_short=True)
    earlier = shop.offline(stock_short=True)  # moved to a day before: neither counted nor listed
    before = BusinessSession.objects.create(
        workspace=workspace,
        store=store,
        business_date=afternoon.business_date - dt.timedelta(days=1),
        status=BusinessSession.Status.CLOSED,
    )
    PosInvoice.objects.filter(pk=earlier.pk).update(session=before, business_date=before.business_date)

    (today,) = store_days(workspace=workspace)

    assert morning.business_date == afternoon.business_date
    assert today.offline == {"offline": 2, "total_mismatch": 0, "stock_short": 2}

    links = {line["flag"]: line["url"] for line in offline_lines(today)}
    assert links["stock_short"] == (
        f"/admin/pos/posinvoice/?stock_short=1&session__id__in={shop.session.pk}%2C{afternoon.pk}"
    )
    listed = admin_client.get(links["stock_short"]).content.decode()
    assert sorted(numbers_listed(listed)) == sorted([morning.public_id, second.public_id])


def test_the_stock_ledger_marks_and_filters_movements_sold_short(admin_client, shop):
    shop()
    short = shop.offline(stock_short=True)
    StockMovement.objects.filter(source_type="pos_invoice", source_id=short.pk).update(stock_short=True)

    html = admin_client.get("/admin/invoicing/stockmovement/?stock_short__exact=1").content.decode()

    rows = [row for row in html.split("<tr")[2:] if "field-created_at" in row]
    assert len(rows) == 1 and short.public_id in rows[0] and "Short of stock" in rows[0]
    everything = admin_client.get("/admin/invoicing/stockmovement/").content.decode()
    assert everything.count('class="stock-short-flag"') == 1
    assert "By short of stock" in everything
    movement = StockMovement.objects.get(source_type="pos_invoice", source_id=short.pk)
    page = admin_client.get(f"/admin/invoicing/stockmovement/{movement.pk}/change/").content.decode()
    assert "Yes: the level went below zero" in page
