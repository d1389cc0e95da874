"""Returns in the back office (PRODUCT.md sections 8a and 9): the credit notes' list and read-only pages, the
"Return items" page of a completed sale (the API's own service: the stock comes back, a refusal is a message and
changes nothing), the day's report and the dashboard net of returns."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pos import services
from pos.models import PosInvoice, PosReturn
from tests.conftest import make_staff
from tests.factories import ClientFactory
from tests.pos.conftest import owner_access, stock_of, stocked_product
from tests.pos.services_helpers import draft_with, open_day
from workspaces import codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(workspace, store, owner):
    """An open day; `sell(quantity)` completes a sale of Arabic coffee at 24.15 paid by card (`method`)."""
    access = owner_access(workspace, owner)
    session = open_day(workspace, access, store)
    coffee = stocked_product(workspace, store, price="24.15", name="Arabic coffee", name_ar="قهوة عربية")
    client = ClientFactory(workspace=workspace, name="عميل نقدي")

    def sell(quantity: str = "2", method: str = "card") -> PosInvoice:
        draft = draft_with(workspace, access, store, client, (coffee, quantity))
        total = draft.total
        return services.invoice_complete(
            invoice=draft, access=access, payments=[services.PaymentInput(method=method, amount=total)]
        )

    def give_back(sale: PosInvoice, quantity: str = "1") -> PosReturn:
        item = sale.items.order_by("pk").first()
        return services.return_create(
            invoice=sale,
            access=access,
            reason="Spilled",
            items=[services.ReturnLineInput(item_id=item.pk, quantity=Decimal(quantity))],
        )

    sell.coffee, sell.session, sell.access, sell.give_back = coffee, session, access, give_back
    return sell


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


def queries_of(client, url: str, language: str) -> int:
    client.cookies["django_language"] = language
    client.get(url)  # the first request of a sign-in reads what the session then keeps
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_list_and_a_page_read_as_many_queries_with_3_returns_as_with_1(
    admin_client, shop, language, django_assert_num_queries
):
    first = shop.give_back(shop())
    pages = [
        "/admin/pos/posreturn/",
        "/admin/pos/posreturn/?store__id__exact={store}&business_date__gte=2020-01-01",
    ]
    pages = [page.format(store=first.store_id) for page in pages] + [
        f"/admin/pos/posreturn/{first.pk}/change/"
    ]
    counts = [queries_of(admin_client, page, language) for page in pages]
    assert max(counts) <= 12, counts
    sale = shop("5")
    shop.give_back(sale)
    shop.give_back(sale, "2")
    shop.give_back(shop(), "2")
    for page, count in zip(pages, counts, strict=True):
        with django_assert_num_queries(count):
            response = admin_client.get(page)
        assert response.status_code == 200


def test_the_list_shows_each_return_with_its_sale_linked(admin_client, shop):
    sale = shop()
    pos_return = shop.give_back(sale)
    admin_client.cookies["django_language"] = "en"
    html = admin_client.get("/admin/pos/posreturn/").content.decode()
    assert pos_return.public_id == "CN-001" and "CN-001" in html
    assert f'<a href="/admin/pos/posinvoice/{sale.pk}/change/">{sale.public_id}</a>' in html
    assert "24.15" in html and "Card 24.15" in html and "Sara Owner" in html
    assert "الفرع الرئيسي" in html
    found = admin_client.get(f"/admin/pos/posreturn/?q={sale.public_id}").content.decode()
    assert "CN-001" in found
    assert "CN-001" not in admin_client.get("/admin/pos/posreturn/?q=CN-999").content.decode()


def test_a_returns_page_is_read_only_with_its_lines_and_print_links(admin_client, shop):
    sale = shop()
    pos_return = shop.give_back(sale)
    admin_client.cookies["django_language"] = "en"
    html = admin_client.get(f"/admin/pos/posreturn/{pos_return.pk}/change/").content.decode()
    assert 'name="_save"' not in html and "Delete" not in html
    assert "Spilled" in html and "Arabic coffee" in html and "عميل نقدي" in html
    assert f'href="/admin/pos/posreturn/{pos_return.pk}/print/?paper=80mm"' in html
    assert f'href="/admin/pos/posreturn/{pos_return.pk}/print/?paper=a4"' in html
    assert admin_client.get("/admin/pos/posreturn/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/pos/posreturn/{pos_return.pk}/change/", {"reason": "x"}).status_code == 403
    )
    assert (
        admin_client.post(f"/admin/pos/posreturn/{pos_return.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert PosReturn.objects.get().reason == "Spilled"


def test_the_page_in_arabic(admin_client, shop):
    pos_return = shop.give_back(shop())
    admin_client.cookies["django_language"] = "ar"
    listing = admin_client.get("/admin/pos/posreturn/").content.decode()
    page = admin_client.get(f"/admin/pos/posreturn/{pos_return.pk}/change/").content.decode()
    assert 'dir="rtl"' in listing and 'dir="rtl"' in page
    assert "مرتجعات" in listing and "بطاقة 24.15" in listing
    assert "قهوة عربية" in page and "طباعة (A4)" in page and "السبب" in page


@pytest.mark.parametrize("paper", ["80mm", "a4"])
def test_the_print_page(admin_client, shop, paper):
    pos_return = shop.give_back(shop())
    response = admin_client.get(f"/admin/pos/posreturn/{pos_return.pk}/print/?paper={paper}")
    html = response.content.decode()
    assert response.status_code == 200 and f'class="paper-{paper}"' in html
    assert "إشعار دائن" in html and "CN-001" in html  # the workspace's receipt language: Arabic


def test_another_workspaces_return_is_a_404_and_not_listed(client, shop, other_owner):
    pos_return = shop.give_back(shop())
    client.force_login(other_owner)
    assert "CN-001" not in client.get("/admin/pos/posreturn/").content.decode()
    assert client.get(f"/admin/pos/posreturn/{pos_return.pk}/change/").status_code == 302  # "does not exist"
    assert client.get(f"/admin/pos/posreturn/{pos_return.pk}/print/").status_code == 404
    assert client.get(f"/admin/pos/posinvoice/{pos_return.invoice_id}/return/").status_code == 404


def test_the_sales_page_lists_its_returns_and_offers_return_items(admin_client, shop):
    sale = shop()
    pos_return = shop.give_back(sale)
    admin_client.cookies["django_language"] = "en"
    html = admin_client.get(f"/admin/pos/posinvoice/{sale.pk}/change/").content.decode()
    assert f'href="/admin/pos/posinvoice/{sale.pk}/return/"' in html and "Return items" in html
    assert f'<a href="/admin/pos/posreturn/{pos_return.pk}/change/">CN-001</a>' in html
    assert "returned" in html and "24.15" in html


def test_the_return_page_makes_a_credit_note_through_the_service(admin_client, shop, store):
    sale = shop()
    item = sale.items.get()
    assert stock_of(shop.coffee, store) == 48
    url = f"/admin/pos/posinvoice/{sale.pk}/return/"
    admin_client.cookies["django_language"] = "en"

    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="quantity_{item.pk}"' in html and "Arabic coffee" in html
    assert '<option value="card" selected>' in html  # the sale's first payment method
    assert 'name="csrfmiddlewaretoken"' in html

    response = admin_client.post(
        url, {f"quantity_{item.pk}": "1", "reason": "Spilled", "refund_method": "cash"}
    )

    pos_return = PosReturn.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pos/posreturn/{pos_return.pk}/change/"
    assert (pos_return.total, pos_return.refunds, pos_return.reason) == (
        Decimal("24.15"),
        [{"method": "cash", "amount": "24.15"}],
        "Spilled",
    )
    assert stock_of(shop.coffee, store) == 49
    sale.refresh_from_db()
    assert (sale.returned_total, sale.status) == (Decimal("24.15"), "completed")
    followed = admin_client.get(response["Location"]).content.decode()
    assert "Credit note CN-001 is made: \u206624.15 SAR\u2069 refunded." in followed


def test_returning_more_than_is_left_is_refused_and_changes_nothing(admin_client, shop, store):
    sale = shop()
    item = sale.items.get()
    shop.give_back(sale)
    admin_client.cookies["django_language"] = "en"
    response = admin_client.post(
        f"/admin/pos/posinvoice/{sale.pk}/return/",
        {f"quantity_{item.pk}": "2", "reason": "Spilled", "refund_method": "cash"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        html.count("At most 1 of “Arabic coffee” can be returned.") == 2
    )  # the message and the field's error
    assert PosReturn.objects.count() == 1 and stock_of(shop.coffee, store) == 49


def test_a_missing_reason_and_no_quantity_are_refused(admin_client, shop):
    sale = shop()
    item = sale.items.get()
    url = f"/admin/pos/posinvoice/{sale.pk}/return/"
    admin_client.cookies["django_language"] = "en"
    no_reason = admin_client.post(url, {f"quantity_{item.pk}": "1", "reason": "", "refund_method": "cash"})
    assert "This field is required." in no_reason.content.decode()
    nothing = admin_client.post(
        url, {f"quantity_{item.pk}": "", "reason": "Spilled", "refund_method": "cash"}
    )
    assert "Name at least one item to return." in nothing.content.decode()
    assert not PosReturn.objects.exists()


def test_without_an_open_day_the_return_is_refused(admin_client, shop, store):
    sale = shop()
    item = sale.items.get()
    services.session_close(session=shop.session, access=shop.access, closing_cash=None, cancel_drafts=True)
    admin_client.cookies["django_language"] = "en"
    response = admin_client.post(
        f"/admin/pos/posinvoice/{sale.pk}/return/",
        {f"quantity_{item.pk}": "1", "reason": "Spilled", "refund_method": "cash"},
    )
    assert response.status_code == 200
    assert "Open the store&#x27;s business day first" in response.content.decode()
    assert not PosReturn.objects.exists() and stock_of(shop.coffee, store) == 48


def test_without_pos_invoices_void_no_button_and_a_403(client, workspace, shop):
    sale = shop()
    client.force_login(make_staff(workspace, codes.STORE_ORDERS_MANAGE, admin_access=True))
    page = client.get(f"/admin/pos/posinvoice/{sale.pk}/change/").content.decode()
    assert "/return/" not in page
    url = f"/admin/pos/posinvoice/{sale.pk}/return/"
    assert client.get(url).status_code == 403
    item = sale.items.get()
    assert (
        client.post(url, {f"quantity_{item.pk}": "1", "reason": "x", "refund_method": "cash"}).status_code
        == 403
    )
    assert not PosReturn.objects.exists()
    assert client.get("/admin/pos/posreturn/").status_code == 200  # reading needs store.orders.manage only


def test_a_draft_offers_no_return(admin_client, shop, workspace, store):
    draft = draft_with(workspace, shop.access, store, ClientFactory(workspace=workspace), (shop.coffee, "1"))
    html = admin_client.get(f"/admin/pos/posinvoice/{draft.pk}/change/").content.decode()
    assert "/return/" not in html
    response = admin_client.get(f"/admin/pos/posinvoice/{draft.pk}/return/")
    assert response.status_code == 302


def test_the_reports_and_the_dashboard_are_net_of_returns(admin_client, shop):
    sale = shop("2", method="cash")  # 48.30 in cash
    shop.give_back(sale)  # 24.15 back in cash
    admin_client.cookies["django_language"] = "en"
    report = admin_client.get(f"/admin/pos/businesssession/{shop.session.pk}/report/").content.decode()
    assert "Returns total" in report and "Net of returns" in report and "Cash refunds" in report
    # Opening 100 + 48.30 received − 0 change − 24.15 refunded = 124.15 expected.
    assert '<td class="num"><span class="op" aria-hidden="true">−</span> 24.15</td>' in report
    assert "124.15" in report
    index = admin_client.get("/admin/").content.decode()
    assert "Net of returns" in index and "<bdi>24.15</bdi> SAR" in index and "<bdi>48.30</bdi> SAR" in index


def test_the_z_report_keeps_the_returns_and_a_day_closed_before_returns_reads_none(admin_client, shop):
    sale = shop("2", method="cash")
    shop.give_back(sale)
    closed = services.session_close(
        session=shop.session, access=shop.access, closing_cash=Decimal("124.15"), cancel_drafts=True
    )
    admin_client.cookies["django_language"] = "en"
    url = f"/admin/pos/businesssession/{closed.pk}/report/"
    report = admin_client.get(url).content.decode()
    assert "Z-report" in report and "Cash refunds" in report
    assert (
        '<tr class="returns total"><th scope="row">Net of returns</th><td class="num">24.15</td></tr>'
        in report
    )

    # A day closed before returns existed: its stored report has none of their keys.
    summary = {
        key: value
        for key, value in closed.summary.items()
        if key not in {"returnCounts", "returnTotal", "refunds"}
    }
    type(closed).objects.filter(pk=closed.pk).update(summary=summary)
    report = admin_client.get(url).content.decode()
    assert '<tr class="returns"><th scope="row">Returns total</th><td class="num">0.00</td></tr>' in report
    assert '<table class="refunds">' not in report
    assert "Cash refunds" not in report
