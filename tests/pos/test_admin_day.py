"""The business day from the back office: the dashboard's buttons, opening and closing through the API's services,
the X- and Z-report pages, and the invoice page as the owner reads it (sentences, names, local times, numbers)."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from pos.models import BusinessSession, PosInvoice
from tests.conftest import make_staff
from tests.pos.test_admin import sell
from workspaces import codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


def text_of(response) -> str:
    """The page's visible text, one space between words (a read-only inline row's label is hidden by CSS)."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    html = re.sub(r'<td class="original">.*?</td>', " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_dashboard_offers_to_open_the_day_then_to_close_it(admin_client, owner_client, workspace, store):
    index = admin_client.get("/admin/").content.decode()
    assert f'href="/admin/pos/businesssession/open-day/{store.pk}/"' in index
    assert "No business day is open." in index

    session_id = owner_client.post(f"/v1/workspace/{workspace.pk}/pos/sessions", {}, format="json").json()[
        "session"
    ]["id"]
    index = admin_client.get("/admin/").content.decode()
    assert f'href="/admin/pos/businesssession/{session_id}/close-day/"' in index
    assert f'href="/admin/pos/businesssession/{session_id}/report/"' in index
    assert "open-day" not in index


def test_a_member_without_the_permission_sees_the_day_but_no_buttons(client, workspace, session):
    reader = make_staff(workspace, codes.STORE_ORDERS_MANAGE, admin_access=True)
    client.force_login(reader)
    index = client.get("/admin/").content.decode()
    assert "Sales so far" in index and "close-day" not in index and "open-day" not in index
    assert client.get(f"/admin/pos/businesssession/{session.pk}/close-day/").status_code == 403
    assert client.post(f"/admin/pos/businesssession/{session.pk}/close-day/", {}).status_code == 403
    assert BusinessSession.objects.get().status == "open"


def test_open_the_day_from_the_dashboard(admin_client, owner, store):
    url = f"/admin/pos/businesssession/open-day/{store.pk}/"
    assert "Opening cash" in admin_client.get(url).content.decode()

    response = admin_client.post(url, {"opening_cash": "150.50"})

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    session = BusinessSession.objects.get()
    assert (session.status, session.opening_cash, session.opened_by) == ("open", Decimal("150.50"), owner)
    again = admin_client.post(url, {"opening_cash": "0"})
    assert again.status_code == 200
    assert "This store already has an open business session." in text_of(again)
    assert BusinessSession.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("abc", "Enter a number."),
        ("1.234", "The amount can have at most 2 decimal places."),
    ],
)
def test_opening_cash_is_checked(admin_client, store, value, message):
    response = admin_client.post(f"/admin/pos/businesssession/open-day/{store.pk}/", {"opening_cash": value})
    assert response.status_code == 200
    assert message in text_of(response)
    assert not BusinessSession.objects.exists()


def test_another_workspaces_store_and_day_are_404(admin_client, other_workspace, other_owner):
    from tests.pos.tenancy_rows import _session

    theirs = _session(other_workspace)
    assert admin_client.get(f"/admin/pos/businesssession/open-day/{theirs.store_id}/").status_code == 404
    assert admin_client.post(f"/admin/pos/businesssession/{theirs.pk}/close-day/", {}).status_code == 404
    assert admin_client.get(f"/admin/pos/businesssession/{theirs.pk}/report/").status_code == 404


def test_closing_is_refused_naming_the_drafts_then_closes_cancelling_them(
    admin_client, session, new_invoice, cashier_client, invoices_url, coffee
):
    first, second = new_invoice(), new_invoice()
    sell(cashier_client, invoices_url, new_invoice(), coffee, 2)
    url = f"/admin/pos/businesssession/{session.pk}/close-day/"
    page = text_of(admin_client.get(url))
    # 100 opening + 20 cash, no change: the cash adds up above the field where the owner types the count.
    assert (
        "Cash drawer Opening cash 100.00 SAR Cash received + 20.00 SAR Change given − 0.00 SAR Expected cash = 120.00 SAR"
        in page
    )
    assert re.search(rf"Open drafts {first['publicId']} ?, {second['publicId']}", page)

    refused = admin_client.post(url, {"counted_cash": "118"})

    assert refused.status_code == 200
    assert (
        f"The day cannot close: these invoices are still drafts: {first['publicId']}, {second['publicId']}."
        in text_of(refused)
    )
    assert BusinessSession.objects.get().status == "open"

    closed = admin_client.post(url, {"counted_cash": "118", "cancel_drafts": "on"})

    assert (closed.status_code, closed["Location"]) == (
        302,
        f"/admin/pos/businesssession/{session.pk}/report/",
    )
    session.refresh_from_db()
    assert (session.status, session.closing_cash) == ("closed", Decimal("118"))
    assert session.summary["invoiceCounts"] == {"draft": 0, "completed": 1, "cancelled": 2}
    assert admin_client.get(url).status_code == 302  # already closed: to its report


def test_the_x_report_then_the_z_report(
    admin_client, owner, session, new_invoice, cashier_client, invoices_url, coffee
):
    sell(cashier_client, invoices_url, new_invoice(), coffee, 2)
    report_url = f"/admin/pos/businesssession/{session.pk}/report/"

    x_report = text_of(admin_client.get(report_url))
    assert "X-report The day so far: the day is still open." in x_report
    assert "Net sales 20.00" in x_report and "Expected cash = 120.00" in x_report
    assert "Completed 1" in x_report and "Cash 20.00" in x_report and "Card 0.00" in x_report
    assert "Counted cash" not in x_report

    admin_client.post(f"/admin/pos/businesssession/{session.pk}/close-day/", {"counted_cash": "119.5"})
    z_page = admin_client.get(report_url)
    z_report = text_of(z_page)

    assert "Z-report The day as it was closed." in z_report
    assert (
        "Net sales 20.00" in z_report and "Counted cash 119.50" in z_report and "Difference -0.50" in z_report
    )
    assert f"— {owner.name}" in z_report
    assert "@page { size: A4; margin: 15mm; }" in z_page.content.decode()
    # A valid size (`80mm auto` is not one): 297 mm long until receipt.js fits it to the report (test_printing).
    assert (
        "@page { size: 80mm 297mm; margin: 3mm; }"
        in admin_client.get(f"{report_url}?paper=80mm").content.decode()
    )


@pytest.fixture
def cash_day(session, workspace, store, new_invoice, cashier_client, invoices_url):
    """The issue's day, by hand: opening 100.00; 3 × 24.15 = 72.45 paid with 100.00 in cash (change 27.55);
    1 × 24.15 by card."""
    from tests.pos.conftest import stocked_product

    coffee = stocked_product(workspace, store, price="24.15", name="Arabic coffee")
    for quantity, payments in (
        (3, [{"method": "cash", "amount": "100"}]),
        (1, [{"method": "card", "amount": "24.15"}]),
    ):
        url = f"{invoices_url}/{new_invoice()['id']}"
        cashier_client.post(f"{url}/items", {"productId": coffee.pk, "quantity": quantity}, format="json")
        assert (
            cashier_client.post(f"{url}/complete", {"payments": payments}, format="json").status_code == 200
        )
    return session


def test_the_reports_cash_adds_up_on_the_page(admin_client, cash_day):
    report_url = f"/admin/pos/businesssession/{cash_day.pk}/report/"

    x_report = text_of(admin_client.get(report_url))

    # 100.00 + 100.00 − 27.55 = 172.45: the cash handed over, the change given back, what the drawer should hold.
    assert "Cash 100.00 Card 24.15" in x_report  # payments by method
    assert (
        "Opening cash 100.00 Cash received + 100.00 Change given − 27.55 Expected cash = 172.45" in x_report
    )
    assert "Counted cash" not in x_report  # not counted while the day is open

    admin_client.post(f"/admin/pos/businesssession/{cash_day.pk}/close-day/", {"counted_cash": "170"})
    z_report = text_of(admin_client.get(f"{report_url}?paper=80mm"))

    assert (
        "Opening cash 100.00 Cash received + 100.00 Change given − 27.55 Expected cash = 172.45 "
        "Counted cash 170.00 Difference -2.45" in z_report
    )


def test_a_day_closed_before_the_cheque_and_the_change_lines_reads_whole(admin_client, workspace, store):
    # Stored as session_close wrote it before cheques existed: no "cheque" key, and no change on the page then.
    old = BusinessSession.objects.create(
        workspace=workspace, store=store, business_date=dt.date(2025, 3, 18), status="closed",
        opening_cash=Decimal("50"), closing_cash=None, closed_at=dt.datetime(2025, 3, 18, 20, tzinfo=dt.UTC),
        summary={
            "invoiceCounts": {"draft": 0, "completed": 2, "cancelled": 0},
            "grossSales": "40.00", "discountTotal": "0.00", "taxTotal": "0.00", "netSales": "40.00",
            "payments": {"cash": "30.00", "card": "20.00", "transfer": "0.00", "other": "0.00"},
            "expectedCash": "70.00", "countedCash": None, "cashDifference": None,
        },
    )  # fmt: skip

    page = text_of(admin_client.get(f"/admin/pos/businesssession/{old.pk}/report/"))

    assert "Cash 30.00 Card 20.00 Transfer 0.00 Cheque 0.00 Other 0.00" in page
    assert (
        "Opening cash 50.00 Cash received + 30.00 Change given − 10.00 Expected cash = 70.00 "
        "Counted cash Not counted Difference —" in page
    )


def test_the_dashboard_counts_every_session_of_a_date_opened_again(
    admin_client, owner, workspace, store, cash_day, new_invoice, cashier_client, invoices_url, coffee
):
    from pos import services
    from tests.pos.conftest import owner_access

    access = owner_access(workspace, owner)
    # The morning (72.45 + 24.15 = 96.60) is closed at noon; the afternoon opens on the same business date.
    services.session_close(
        session=cash_day, access=access, closing_cash=Decimal("172.45"), cancel_drafts=False
    )
    afternoon = services.session_open(
        workspace=workspace, access=access, store=store, opening_cash=Decimal("0"), business_date=None
    )
    sell(cashier_client, invoices_url, new_invoice(), coffee, 2)  # 20.00 in cash

    page = text_of(admin_client.get("/admin/"))

    # 96.60 + 20.00 = 116.60 over three sales: 38.87 on average; cash 100.00 + 20.00 handed over.
    assert "Sales so far 116.60 SAR Number of sales 3 Average ticket 38.87 SAR" in page
    assert "Cash 120.00 Card 24.15" in page and "Completed 3" in page
    html = admin_client.get("/admin/").content.decode()
    assert (
        f'href="/admin/pos/businesssession/{afternoon.pk}/close-day/"' in html
    )  # the open session's buttons
    assert f'href="/admin/pos/businesssession/{cash_day.pk}/report/"' in html  # the morning's Z-report
    assert "Also this day: Z-report, closed at" in page


def test_the_session_page_shows_the_report_as_a_table_never_json(admin_client, session, new_invoice):
    new_invoice()
    admin_client.post(f"/admin/pos/businesssession/{session.pk}/close-day/", {"cancel_drafts": "on"})
    page = admin_client.get(f"/admin/pos/businesssession/{session.pk}/change/")
    html = page.content.decode()
    assert "invoiceCounts" not in html and "expectedCash" not in html
    assert "Net sales" in text_of(page) and f"/admin/pos/businesssession/{session.pk}/report/" in html
    assert ">Close<" not in html and "Back to the business sessions" in html


def test_the_invoice_page_reads_as_the_owner_reads_it(
    admin_client, owner, cashier, session, new_invoice, cashier_client, invoices_url, coffee
):
    invoice = new_invoice()
    sell(cashier_client, invoices_url, invoice, coffee, 2)
    # Created at 00:57 UTC: 03:57 in Riyadh, the workspace's zone.
    PosInvoice.objects.filter(pk=invoice["id"]).update(
        created_at=dt.datetime(2025, 3, 19, 0, 57, tzinfo=dt.UTC)
    )

    page = text_of(admin_client.get(f"/admin/pos/posinvoice/{invoice['id']}/change/"))

    assert f"{cashier.name} created the invoice" in page
    assert f"{cashier.name} added 2 × قهوة عربية" in page
    assert f"{cashier.name} completed the invoice (paid: Cash 20.00)" in page
    assert f"Created by: {cashier.name}" in page or f"Created by {cashier.name}" in page
    assert cashier.email not in page
    assert "3:57 AM" in page
    assert "Total: 20.00" in page or "Total 20.00" in page
    assert "item_added" not in page and "productId" not in page


def test_payments_show_their_local_time(
    admin_client, session, new_invoice, cashier_client, invoices_url, coffee
):
    from pos.models import PosPayment

    invoice = new_invoice()
    sell(cashier_client, invoices_url, invoice, coffee, 1)
    PosPayment.objects.filter(invoice_id=invoice["id"]).update(
        created_at=dt.datetime(2025, 3, 19, 0, 57, 12, 345678, tzinfo=dt.UTC)
    )
    page = text_of(admin_client.get(f"/admin/pos/posinvoice/{invoice['id']}/change/"))
    assert "March 19, 2025, 3:57 AM" in page
    assert "00:57" not in page and "+00:00" not in page


def test_amounts_keep_the_point_in_arabic(
    admin_client, session, new_invoice, cashier_client, invoices_url, coffee
):
    from workspaces.models import Workspace

    Workspace.objects.update(currency="KWD")
    PosInvoice.objects.update(currency="KWD")
    invoice = new_invoice()
    sell(cashier_client, invoices_url, invoice, coffee, 2)
    PosInvoice.objects.filter(pk=invoice["id"]).update(total=Decimal("1072.45"))
    admin_client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})

    listing = admin_client.get("/admin/pos/posinvoice/").content.decode()

    assert 'dir="rtl"' in listing
    assert "1,072.450" in listing and "1072,450" not in listing


def test_the_language_switch(admin_client):
    english = admin_client.get("/admin/").content.decode()
    assert 'action="/i18n/setlang/"' in english and 'value="ar"' in english and 'dir="ltr"' in english

    response = admin_client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    arabic = admin_client.get("/admin/").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic and 'value="en"' in arabic
