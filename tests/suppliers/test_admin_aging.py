"""The aging report as a back-office page (issue 17): what is owed per supplier by days past due on a day, the
API's figures (the same selector), each supplier linking to its unpaid invoices, in both languages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from suppliers.models import Supplier
from tests.conftest import client_for, make_staff
from tests.suppliers.conftest import make_invoice
from tests.suppliers.test_admin import list_rows, shown
from workspaces import codes

pytestmark = pytest.mark.django_db

URL = "/admin/suppliers/supplierinvoice/aging/"
HEADERS = ["supplier", "Not due", "1–30 days", "31–60 days", "61–90 days", "Over 90 days", "total"]


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def books(workspace, supplier, other_workspace, frozen_today):
    """Three suppliers on 2024-06-30 (Riyadh), SAR:
    - مؤسسة التوريدات الحديثة: 1,000.00 due 07-15 (not due), 500.50 less 100 paid due 06-20 (10 days: 400.50),
      300.00 due 03-01 (121 days);
    - مخبز الصباح: 250.00 with no due date (not due), 2,000.00 due 05-01 (60 days), 80.00 paid in full;
    - شركة التغليف: 1,234.56 due 04-01 (90 days), 999.00 issued 07-05 (after the day: left out).
    Another workspace owes 777.00: never shown."""
    frozen_today(dt.date(2024, 6, 30))
    bakery = Supplier.objects.create(workspace=workspace, name="مخبز الصباح")
    packaging = Supplier.objects.create(workspace=workspace, name="شركة التغليف")
    make_invoice(workspace, supplier, "A-1", "1000", due="2024-07-15")
    make_invoice(workspace, supplier, "A-2", "500.50", due="2024-06-20", paid="100")
    make_invoice(workspace, supplier, "A-3", "300", due="2024-03-01")
    make_invoice(workspace, bakery, "B-1", "250")
    make_invoice(workspace, bakery, "B-2", "2000", due="2024-05-01")
    make_invoice(workspace, bakery, "B-3", "80", due="2024-02-01", paid="80")
    make_invoice(workspace, packaging, "C-1", "1234.56", due="2024-04-01")
    make_invoice(workspace, packaging, "C-2", "999", issue="2024-07-05", due="2024-07-10")
    foreign = Supplier.objects.create(workspace=other_workspace, name="مورد أجنبي")
    make_invoice(other_workspace, foreign, "F-1", "777", due="2024-01-01")
    return {"bakery": bakery, "packaging": packaging}


def table(page: str) -> tuple[list[str], list[str], str]:
    """The report's header, its rows and its totals row, as read."""
    header = shown(page, id="aging").split("  ")[0]
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    rows = list_rows(f'<table id="result_list"><tbody>{body}</tbody></table>')
    totals = shown(re.search(r"<tfoot>.*?</tfoot>", page, re.S).group(0), css_class="total")
    return header, rows, totals


ROWS_ON_JUNE_30 = [
    "شركة التغليف 0.00 0.00 0.00 1,234.56 0.00 1,234.56",
    "مؤسسة التوريدات الحديثة 1,000.00 400.50 0.00 0.00 300.00 1,700.50",
    "مخبز الصباح 250.00 0.00 2,000.00 0.00 0.00 2,250.00",
]


def test_the_figures_by_hand_in_english(admin_client, books):
    page = admin_client.get(URL).content.decode()
    _header, rows, totals = table(page)
    assert rows == ROWS_ON_JUNE_30
    assert totals == "Totals 1,250.00 400.50 2,000.00 1,234.56 300.00 5,185.06"
    text = shown(page, id="content-main")
    assert text.startswith("As of 2024-06-30 What remains to be paid")
    assert "issued by that day, by days past their due date, in SAR." in text
    for label in HEADERS:
        assert label.lower() in shown(page, id="aging").lower()
    assert "مورد أجنبي" not in page and "777" not in page


def test_the_figures_by_hand_in_arabic(admin_client, books):
    """The bucket headers are new strings: their Arabic shows once the lead has merged the catalogue."""
    admin_client.cookies["django_language"] = "ar"
    page = admin_client.get(URL).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    _header, rows, totals = table(page)
    assert rows == ROWS_ON_JUNE_30  # the same digits, `.` and `,`, in both languages
    with translation.override("ar"):
        assert totals == f"{translation.gettext('Totals')} 1,250.00 400.50 2,000.00 1,234.56 300.00 5,185.06"
        heading = shown(page, id="aging")
        for label in HEADERS:
            arabic = translation.gettext(label)
            assert arabic != label, f"{label!r} has no Arabic translation yet"
            assert arabic in heading and label not in heading


def test_the_same_figures_as_the_api(admin_client, books, owner, workspace):
    api = (
        client_for(owner).get(f"/v1/workspace/{workspace.pk}/supplier-invoices/aging?asOf=2024-06-30").json()
    )
    _header, rows, totals = table(admin_client.get(URL + "?asOf=2024-06-30").content.decode())
    keys = ["notDue", "days1to30", "days31to60", "days61to90", "over90", "total"]
    from_api = [" ".join([s["name"], *(f"{s[key]:,.2f}" for key in keys)]) for s in api["suppliers"]]
    assert rows == from_api
    assert totals == " ".join(["Totals", *(f"{api['totals'][key]:,.2f}" for key in keys)])


def test_another_day(admin_client, books):
    _header, rows, totals = table(admin_client.get(URL + "?asOf=2024-04-15").content.decode())
    assert rows == [
        "شركة التغليف 0.00 1,234.56 0.00 0.00 0.00 1,234.56",
        "مؤسسة التوريدات الحديثة 1,400.50 0.00 300.00 0.00 0.00 1,700.50",
        "مخبز الصباح 2,250.00 0.00 0.00 0.00 0.00 2,250.00",
    ]
    assert totals == "Totals 3,650.50 1,234.56 300.00 0.00 0.00 5,185.06"


@pytest.mark.parametrize("value", ["2024-13-01", "soon", "0001-01-01", "10000-01-01"])
def test_a_bad_day_is_said_and_today_shown(admin_client, books, value):
    page = admin_client.get(URL, {"asOf": value}).content.decode()
    assert "Enter a valid date." in shown(page, css_class="aging-form")
    assert table(page)[1] == ROWS_ON_JUNE_30


def test_each_supplier_links_to_its_unpaid_invoices(admin_client, books, supplier):
    page = admin_client.get(URL).content.decode()
    link = re.search(rf'<a href="([^"]+)">{supplier.name}</a>', page).group(1).replace("&amp;", "&")
    invoices = list_rows(admin_client.get(link).content.decode())
    assert [row.split()[0] for row in invoices] == ["A-3", "A-2", "A-1"]
    # A past-due amount links to that bucket's invoices.
    link = re.search(r'<a href="([^"]+)">400.50</a>', page).group(1).replace("&amp;", "&")
    assert [row.split()[0] for row in list_rows(admin_client.get(link).content.decode())] == ["A-2"]
    link = re.search(r'<a href="([^"]+)">2,000.00</a>', page).group(1).replace("&amp;", "&")
    assert [row.split()[0] for row in list_rows(admin_client.get(link).content.decode())] == ["B-2"]


def test_the_lists_link_to_the_report(admin_client, books):
    for url in ("/admin/suppliers/supplierinvoice/", "/admin/suppliers/supplier/"):
        page = admin_client.get(url).content.decode()
        assert f'<li><a href="{URL}">Aging report</a></li>' in page


def test_nothing_owed(admin_client, frozen_today):
    frozen_today(dt.date(2024, 6, 30))
    page = admin_client.get(URL).content.decode()
    assert "Nothing is owed to any supplier on that day." in page and 'id="aging"' not in page


def test_the_report_needs_suppliers_view(client, workspace, store, owner, books):
    client.force_login(make_staff(workspace, codes.SUPPLIERS_VIEW, store=store, admin_access=True))
    assert client.get(URL).status_code == 200
    client.force_login(make_staff(workspace, codes.STORE_ORDERS_MANAGE, store=store, admin_access=True))
    assert client.get(URL).status_code == 403
    assert "Aging report" not in client.get("/admin/").content.decode()
    client.force_login(owner)
    workspace.suppliers_enabled = False
    workspace.save()
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL)["Location"].startswith("/admin/login/")
