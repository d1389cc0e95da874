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
    assert "Expected cash 120.00 SAR" in page  # 100 opening + 20 cash
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
    assert "Net sales 20.00" in x_report and "Expected cash 120.00" in x_report
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
    assert "@page { size: A4" in z_page.content.decode()
    assert "@page { size: 80mm auto" in admin_client.get(f"{report_url}?paper=80mm").content.decode()


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
    assert "3:57 a.m." in page or "03:57" in page
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
    assert "March 19, 2025, 3:57 a.m." in page
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
