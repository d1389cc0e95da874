"""The back office: the same services as the API, scoped to the workspace; a refused form comes back with what was
typed and the refusal beside its field, as the accountant sees the page."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import timezone, translation

from suppliers import services
from suppliers.models import Supplier, SupplierInvoice, SupplierPayment
from tests.conftest import make_staff
from tests.factories import owner_access
from tests.suppliers.conftest import make_invoice
from workspaces import codes

pytestmark = pytest.mark.django_db

# The invoice page's two payment formsets: the recorded payments (`payments`), the new payment's row
# (`new_payments`).
RECORDED = {
    "payments-TOTAL_FORMS": "0",
    "payments-INITIAL_FORMS": "0",
    "payments-MIN_NUM_FORMS": "0",
    "payments-MAX_NUM_FORMS": "1000",
}
NEW = {
    "new_payments-TOTAL_FORMS": "0",
    "new_payments-INITIAL_FORMS": "0",
    "new_payments-MIN_NUM_FORMS": "0",
    "new_payments-MAX_NUM_FORMS": "1000",
}
OVERPAYMENT = "The payment is more than the 3000.00 that remains to be paid."
DUPLICATE = "An invoice with this number already exists in this workspace."

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Shown(HTMLParser):
    """The text of one element of a page and the values in its fields (a selected option, not the others)."""

    def __init__(self, element_id: str | None, css_class: str | None) -> None:
        super().__init__()
        self.element_id, self.css_class = element_id, css_class
        self.depth, self.found, self.option, self.parts = 0, False, None, []

    def _is_target(self, attrs: dict) -> bool:
        if self.element_id is not None:
            return attrs.get("id") == self.element_id
        return self.css_class in (attrs.get("class") or "").split()

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if not self.depth:
            if not self.found and self._is_target(attrs):
                self.found, self.depth = True, 1
            return
        if tag == "input" and attrs.get("type") not in ("hidden", "checkbox", "radio", "submit", "file"):
            self.parts.append(attrs.get("value") or "")
        if tag == "option":
            self.option = "selected" in attrs
        if tag not in _VOID:
            self.depth += 1

    def handle_endtag(self, tag) -> None:
        if self.depth and tag not in _VOID:
            self.depth -= 1
            if tag == "option":
                self.option = None

    def handle_data(self, data) -> None:
        if self.depth and self.option is not False:
            self.parts.append(data)


def shown(page: str, *, id: str | None = None, css_class: str | None = None) -> str:
    """What a person reads in the element of `page` with that id or class: its text and its fields' values, with
    spaces collapsed. An element that is not there reads as None."""
    parser = _Shown(id, css_class)
    parser.feed(page)
    assert parser.found, f"no element {id or css_class!r} on the page"
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


def invoice_form(supplier, **fields):
    return {
        "supplier": supplier.pk,
        "invoice_number": "INV-١٠",
        "total_amount": "500",
        "issue_date": "2024-01-15",
        "due_date": "2024-02-15",
        "description": "وصف",
        "notes": "",
        "image_url": "",
        **RECORDED,
        **NEW,
        **fields,
    }


@pytest.fixture
def inv_002(workspace, supplier):
    """INV-002 of 5,000 SAR, 2,000 paid through the service (a transfer)."""
    access = owner_access(workspace)
    invoice = services.supplier_invoice_create(
        workspace=workspace,
        access=access,
        supplier=supplier,
        invoice_number="INV-002",
        total_amount=Decimal(5000),
        issue_date=dt.date(2024, 1, 15),
    )
    services.supplier_payment_add(
        workspace=workspace, access=access, invoice=invoice, amount=Decimal(2000), method="transfer"
    )
    invoice.refresh_from_db()
    return invoice


def test_add_invoice_goes_through_the_service(admin_client, supplier, owner):
    response = admin_client.post("/admin/suppliers/supplierinvoice/add/", invoice_form(supplier))
    assert response.status_code == 302, response.content.decode()[:2000]
    invoice = SupplierInvoice.objects.get()
    assert (
        invoice.invoice_number_normalised,
        invoice.status,
        invoice.remaining_amount,
        invoice.created_by,
    ) == (
        "inv-10",
        "pending",
        Decimal("500"),
        owner,
    )
    assert invoice.notes is None


def test_a_duplicate_number_keeps_what_was_typed(admin_client, supplier, inv_002):
    form = invoice_form(
        supplier,
        invoice_number="inv-٠٠٢",
        total_amount="1250.50",
        due_date="2024-03-01",
        description="توريد السكر",
        notes="يسلم الأحد",
    )
    response = admin_client.post("/admin/suppliers/supplierinvoice/add/", form)

    # The page again, not a redirect: every field as typed, the refusal beside the number.
    assert response.status_code == 200
    page = response.content.decode()
    assert shown(page, css_class="field-invoice_number") == f"{DUPLICATE} Invoice number: inv-٠٠٢"
    assert shown(page, css_class="field-supplier").endswith(supplier.name)
    assert shown(page, css_class="field-total_amount") == "Total: 1250.50"
    assert "2024-01-15" in shown(page, css_class="field-issue_date")
    assert "2024-03-01" in shown(page, css_class="field-due_date")
    assert shown(page, css_class="field-description") == "Description: توريد السكر"
    assert shown(page, css_class="field-notes") == "Notes: يسلم الأحد"
    assert page.count(DUPLICATE) == 1  # beside the field, not again in a message
    assert SupplierInvoice.objects.count() == 1


def test_a_duplicate_number_on_the_invoice_page_keeps_the_change(admin_client, supplier, inv_002, workspace):
    other = make_invoice(workspace, supplier, "INV-003", "100")
    url = f"/admin/suppliers/supplierinvoice/{other.pk}/change/"
    response = admin_client.post(url, invoice_form(supplier, invoice_number=" inv-002 ", total_amount="100"))
    assert response.status_code == 200
    assert shown(response.content.decode(), css_class="field-invoice_number").startswith(DUPLICATE)
    other.refresh_from_db()
    assert other.invoice_number == "INV-003"


def test_a_total_below_what_was_paid_is_refused_beside_the_total(admin_client, supplier, inv_002):
    url = f"/admin/suppliers/supplierinvoice/{inv_002.pk}/change/"
    response = admin_client.post(url, invoice_form(supplier, invoice_number="INV-002", total_amount="1999"))
    assert response.status_code == 200
    assert shown(response.content.decode(), css_class="field-total_amount") == (
        "The total cannot be less than the 2000.00 already paid. Total: 1999"
    )
    inv_002.refresh_from_db()
    assert inv_002.total_amount == Decimal(5000)


def test_the_invoice_page_shows_amounts_in_the_currency_digits(admin_client, inv_002):
    page = admin_client.get(f"/admin/suppliers/supplierinvoice/{inv_002.pk}/change/").content.decode()
    assert shown(page, css_class="field-total_amount") == "Total: 5000.00"
    assert 'step="0.01"' in page
    assert shown(page, css_class="field-paid_display") == "Paid: 2,000.00"
    assert shown(page, css_class="field-remaining_display") == "Remaining: 3,000.00"
    assert shown(page, css_class="field-status") == "Status: Partially paid"
    assert shown(page, css_class="field-created_by_name") == "Created by: Sara Owner"
    # The recorded payment as written, by name and in words.
    row = shown(page, id="payments-0")
    assert " 2,000.00 " in row and " Transfer " in row and row.endswith("Sara Owner")


def test_payments_inline_goes_through_the_service(admin_client, supplier, workspace):
    invoice = make_invoice(workspace, supplier, "A-1", "100")
    url = f"/admin/suppliers/supplierinvoice/{invoice.pk}/change/"
    form = {
        **invoice_form(supplier, invoice_number="A-1", total_amount="100", due_date="", description=""),
        "new_payments-TOTAL_FORMS": "1",
        "new_payments-0-amount": "60",
        "new_payments-0-paid_at_0": "2024-01-20",
        "new_payments-0-paid_at_1": "10:00:00",
        "new_payments-0-method": "cash",
        "new_payments-0-reference": "",
        "new_payments-0-notes": "",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice.refresh_from_db()
    assert (invoice.paid_amount, invoice.remaining_amount, invoice.status) == (
        Decimal("60"),
        Decimal("40"),
        "partially_paid",
    )
    payment = SupplierPayment.objects.get()
    # 10:00 typed in Riyadh's time.
    assert payment.paid_at == dt.datetime(2024, 1, 20, 7, 0, tzinfo=dt.UTC)


def test_an_overpayment_in_the_inline_keeps_the_typed_row(admin_client, supplier, inv_002):
    url = f"/admin/suppliers/supplierinvoice/{inv_002.pk}/change/"
    recorded = SupplierPayment.objects.get()
    form = {
        **invoice_form(supplier, invoice_number="INV-002", total_amount="5000", notes="تعديل"),
        "payments-TOTAL_FORMS": "1",
        "payments-INITIAL_FORMS": "1",
        "payments-0-id": recorded.pk,
        "payments-0-invoice": inv_002.pk,
        "new_payments-TOTAL_FORMS": "1",
        "new_payments-0-amount": "3000.01",
        "new_payments-0-paid_at_0": "2024-01-20",
        "new_payments-0-paid_at_1": "10:00",
        "new_payments-0-method": "cheque",
        "new_payments-0-reference": "CHQ-77",
        "new_payments-0-notes": "شيك مؤجل",
    }
    response = admin_client.post(url, form)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the error below." in page
    row = shown(page, id="new_payments-0")
    assert row.startswith(f"{OVERPAYMENT} 3000.01 Date: 2024-01-20")
    assert "10:00" in row and "Cheque" in row and "CHQ-77" in row and row.endswith("شيك مؤجل")
    # The refusal is on its row, not again at the top; the invoice's change is kept on the page, not saved.
    assert OVERPAYMENT not in shown(page, css_class="field-invoice_number")
    assert page.count(OVERPAYMENT) == 1
    assert shown(page, css_class="field-notes") == "Notes: تعديل"
    inv_002.refresh_from_db()
    assert (inv_002.paid_amount, inv_002.notes) == (Decimal(2000), None)
    assert SupplierPayment.objects.count() == 1


def test_removing_a_payment_on_the_invoice_page(admin_client, supplier, inv_002):
    recorded = SupplierPayment.objects.get()
    form = {
        **invoice_form(supplier, invoice_number="INV-002", total_amount="5000"),
        "payments-TOTAL_FORMS": "1",
        "payments-INITIAL_FORMS": "1",
        "payments-0-id": recorded.pk,
        "payments-0-invoice": inv_002.pk,
        "payments-0-DELETE": "on",
    }
    response = admin_client.post(f"/admin/suppliers/supplierinvoice/{inv_002.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    inv_002.refresh_from_db()
    assert (inv_002.paid_amount, inv_002.status) == (Decimal(0), "pending")
    assert not SupplierPayment.objects.exists()


def test_an_overpayment_on_the_payment_page_keeps_what_was_typed(admin_client, inv_002):
    form = {
        "invoice": inv_002.pk,
        "amount": "3000.01",
        "paid_at_0": "2024-02-01",
        "paid_at_1": "09:30",
        "method": "card",
        "reference": "POS-1",
        "notes": "الدفعة الثانية",
    }
    response = admin_client.post("/admin/suppliers/supplierpayment/add/", form)

    assert response.status_code == 200
    page = response.content.decode()
    assert shown(page, css_class="field-amount") == f"{OVERPAYMENT} Amount: 3000.01"
    assert shown(page, css_class="field-invoice").endswith("INV-002")
    assert "2024-02-01" in shown(page, css_class="field-paid_at")
    assert shown(page, css_class="field-method") == "Method: Card"
    assert shown(page, css_class="field-reference") == "Reference: POS-1"
    assert shown(page, css_class="field-notes") == "Notes: الدفعة الثانية"
    assert SupplierPayment.objects.count() == 1

    form["amount"] = "3000"
    assert admin_client.post("/admin/suppliers/supplierpayment/add/", form).status_code == 302
    inv_002.refresh_from_db()
    assert (inv_002.remaining_amount, inv_002.status) == (Decimal(0), "paid")


def test_a_recorded_payment_is_a_read_only_page(admin_client, inv_002, settings):
    payment = SupplierPayment.objects.get()
    url = f"/admin/suppliers/supplierpayment/{payment.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="amount"' not in page and 'name="_save"' not in page
    assert shown(page, css_class="breadcrumbs").endswith("INV-002: 2,000.00")
    assert shown(page, css_class="field-amount_display") == "Amount: 2,000.00"
    assert shown(page, css_class="field-method") == "Method: Transfer"
    assert shown(page, css_class="field-created_by_name") == "Created by: Sara Owner"
    # Posting to it changes nothing.
    assert admin_client.post(url, {"amount": "1"}).status_code == 403
    # Deleting it goes through the service; the page names it by its invoice and amount.
    delete = admin_client.get(f"/admin/suppliers/supplierpayment/{payment.pk}/delete/").content.decode()
    assert "INV-002: 2,000.00" in delete and "2000.000" not in delete
    response = admin_client.post(f"/admin/suppliers/supplierpayment/{payment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    inv_002.refresh_from_db()
    assert inv_002.paid_amount == 0


def test_delete_with_payments_is_refused_with_a_message(admin_client, supplier, workspace):
    invoice = make_invoice(workspace, supplier, "A-1", "100", paid="10")
    SupplierPayment.objects.create(
        workspace=workspace, invoice=invoice, amount=10, paid_at=dt.datetime.now(dt.UTC)
    )
    response = admin_client.post(
        f"/admin/suppliers/supplierinvoice/{invoice.pk}/delete/", {"post": "yes"}, follow=True
    )
    # The payments protect the invoice: the admin names them instead of deleting.
    assert "Cannot delete supplier invoice" in response.content.decode()
    assert SupplierInvoice.objects.exists()
    # The bulk action goes through the service and says why.
    response = admin_client.post(
        "/admin/suppliers/supplierinvoice/",
        {"action": "delete_selected", "_selected_action": [invoice.pk], "post": "yes"},
        follow=True,
    )
    assert "Cannot delete supplier invoice" in response.content.decode()
    assert SupplierInvoice.objects.exists()


def test_bulk_delete_goes_through_the_service(admin_client, supplier, workspace, monkeypatch):
    calls = []
    real = services.supplier_invoice_delete
    monkeypatch.setattr(services, "supplier_invoice_delete", lambda **kw: calls.append(kw) or real(**kw))
    invoice = make_invoice(workspace, supplier, "A-1", "100")
    admin_client.post(
        "/admin/suppliers/supplierinvoice/",
        {"action": "delete_selected", "_selected_action": [invoice.pk], "post": "yes"},
    )
    assert len(calls) == 1
    assert not SupplierInvoice.objects.exists()


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_export_action_exports_the_selected_invoices(admin_client, supplier, workspace):
    chosen = make_invoice(workspace, supplier, "A-1", "100")
    make_invoice(workspace, supplier, "A-2", "100")
    response = admin_client.post(
        "/admin/suppliers/supplierinvoice/", {"action": "export_csv", "_selected_action": [chosen.pk]}
    )
    assert response.status_code == 200
    rows = _csv_rows(response)
    numbers = [row[3] for row in rows[1:] if row[0] != "Totals"]
    assert numbers == ["A-1"]

    xlsx = admin_client.post(
        "/admin/suppliers/supplierinvoice/", {"action": "export_xlsx", "_selected_action": [chosen.pk]}
    )
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).active
    numbers = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] != "Totals"]
    assert numbers == ["A-1"]


def test_the_export_is_in_the_page_language(admin_client, supplier, workspace):
    chosen = make_invoice(workspace, supplier, "A-1", "100")
    action = {"action": "export_csv", "_selected_action": [chosen.pk]}
    english = _csv_rows(admin_client.post("/admin/suppliers/supplierinvoice/", action))
    status = english[0].index("Status")
    assert english[1][status] == "Pending"
    admin_client.cookies["django_language"] = "ar"
    arabic = _csv_rows(admin_client.post("/admin/suppliers/supplierinvoice/", action))
    with translation.override("ar"):
        assert arabic[1][status] == translation.gettext("Pending") != "Pending"


def test_an_export_too_large_is_a_message(admin_client, supplier, workspace, monkeypatch):
    monkeypatch.setattr("suppliers.exports.files.check_xlsx_size", _refuse_rows)
    chosen = make_invoice(workspace, supplier, "A-1", "100")
    response = admin_client.post(
        "/admin/suppliers/supplierinvoice/",
        {"action": "export_xlsx", "_selected_action": [chosen.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Too many rows for a sheet: export CSV." in response.content.decode()


def _refuse_rows(*args, **kwargs):
    from workspaces.errors import ApplicationError

    raise ApplicationError("Too many rows for a sheet: export CSV.", code="too_many_rows", status=400)


def test_lists_and_filters_show_only_this_workspace(admin_client, supplier, workspace, other_workspace):
    foreign = Supplier.objects.create(workspace=other_workspace, name="مورد أجنبي")
    make_invoice(other_workspace, foreign, "F-1")
    make_invoice(workspace, supplier, "A-1")
    page = admin_client.get("/admin/suppliers/supplierinvoice/").content.decode()
    assert "A-1" in page and "F-1" not in page and "مورد أجنبي" not in page
    form = admin_client.get("/admin/suppliers/supplierinvoice/add/").content.decode()
    assert "مورد أجنبي" not in form


def list_rows(page: str) -> list[str]:
    """The rows of a list page as a person reads them."""
    body = shown_html(page, "result_list").split("<tbody>", 1)[1]
    return [
        shown(f'<div id="row">{row}</div>', id="row") for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def shown_html(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</table>", start)]


def test_the_lists_read_in_words_and_digits(admin_client, supplier, inv_002, workspace):
    make_invoice(workspace, supplier, "INV-003", "1250.5")
    page = admin_client.get("/admin/suppliers/supplierinvoice/").content.decode()
    assert list_rows(page) == [
        "INV-003 مؤسسة التوريدات الحديثة 1,250.50 0.00 1,250.50 Pending Jan. 1, 2024 -",
        "INV-002 مؤسسة التوريدات الحديثة 5,000.00 2,000.00 3,000.00 Partially paid Jan. 15, 2024 -",
    ]
    payments = admin_client.get("/admin/suppliers/supplierpayment/").content.decode()
    [row] = list_rows(payments)
    assert row.startswith("INV-002 مؤسسة التوريدات الحديثة 2,000.00 Transfer - ")
    assert row.endswith(" Sara Owner")


@pytest.mark.parametrize(
    "url",
    ["/admin/suppliers/supplierinvoice/", "/admin/suppliers/supplierpayment/", "/admin/suppliers/supplier/"],
)
def test_a_list_costs_the_same_with_more_rows(
    admin_client, supplier, workspace, url, django_assert_num_queries
):
    """The lists join what they show: a row more is no query more."""
    access = owner_access(workspace)

    def add_invoice(number: str) -> None:
        invoice = services.supplier_invoice_create(
            workspace=workspace,
            access=access,
            supplier=Supplier.objects.create(workspace=workspace, name=f"مورد {number}"),
            invoice_number=number,
            total_amount=Decimal(100),
            issue_date=dt.date(2024, 1, 1),
        )
        services.supplier_payment_add(workspace=workspace, access=access, invoice=invoice, amount=Decimal(1))

    add_invoice("A-1")
    admin_client.get(url)  # the session and the workspace warmed up
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for number in ("A-2", "A-3", "A-4"):
        add_invoice(number)
    with django_assert_num_queries(len(one.captured_queries)):
        admin_client.get(url)


def test_overdue_filter(admin_client, supplier, workspace):
    make_invoice(workspace, supplier, "LATE", issue="1999-12-01", due="2000-01-01")
    make_invoice(workspace, supplier, "LATER", due="2999-01-01")
    page = admin_client.get("/admin/suppliers/supplierinvoice/?overdue=yes").content.decode()
    assert "LATE<" in page and "LATER" not in page


def test_balance_filter(admin_client, supplier, workspace):
    make_invoice(workspace, supplier, "OWED", "100", paid="40")
    make_invoice(workspace, supplier, "SETTLED", "100", paid="100")
    owed = admin_client.get("/admin/suppliers/supplierinvoice/?unpaid=yes").content.decode()
    settled = admin_client.get("/admin/suppliers/supplierinvoice/?unpaid=no").content.decode()
    assert "OWED" in owed and "SETTLED" not in owed
    assert "SETTLED" in settled and "OWED" not in settled


def test_section_off_or_no_permission_hides_the_admin(client, owner, workspace, store):
    staff = make_staff(workspace, codes.STORE_ORDERS_MANAGE, store=store, admin_access=True)
    client.force_login(staff)
    assert client.get("/admin/suppliers/supplierinvoice/").status_code == 403
    client.force_login(owner)
    workspace.suppliers_enabled = False
    workspace.save()
    assert client.get("/admin/suppliers/supplierinvoice/").status_code == 403


def test_today_panel_shows_overdue_count_and_sum(admin_client, supplier, workspace, frozen_today):
    frozen_today(dt.date(2024, 3, 1))
    make_invoice(workspace, supplier, "L-1", "1000", due="2024-02-01", paid="250.5")
    make_invoice(workspace, supplier, "L-2", "200", due="2024-02-29")
    make_invoice(workspace, supplier, "OK", "999", due="2024-03-01")
    make_invoice(workspace, supplier, "PAID", "5", due="2024-01-01", paid="5")
    from suppliers.dashboard import today_panel
    from tests.pos.conftest import owner_access as pos_owner_access

    panel = today_panel(workspace=workspace, access=pos_owner_access(workspace, workspace_owner(workspace)))
    assert panel["rows"] == [("Overdue supplier invoices", 2), ("Owed on overdue invoices", "949.50 SAR")]
    page = admin_client.get("/admin/").content.decode()
    assert "949.50 SAR" in page
    assert '<a href="/admin/suppliers/supplierinvoice/?overdue=yes">Overdue supplier invoices</a>' in page
    assert '<a href="/admin/suppliers/supplierinvoice/aging/">Aging report</a>' in page


def workspace_owner(workspace):
    return workspace.memberships.get(role="owner").user


def test_the_paid_at_of_a_payment_is_shown_in_the_workspace_zone(admin_client, inv_002):
    payment = SupplierPayment.objects.get()
    payment.paid_at = dt.datetime(2024, 1, 20, 21, 30, tzinfo=dt.UTC)  # 00:30 the next day in Riyadh
    payment.save()
    page = admin_client.get(f"/admin/suppliers/supplierpayment/{payment.pk}/change/").content.decode()
    assert shown(page, css_class="field-paid_at") == "Paid at: Jan. 21, 2024, 12:30 AM"
    assert timezone.get_current_timezone_name() != "Asia/Riyadh"  # the page's zone, not the process's


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"total_amount": "-5"}, "total_amount", "The amount must be zero or more."),
        ({"total_amount": "10.005"}, "total_amount", "The amount can have at most 2 decimal places."),
        ({"due_date": "2024-01-01"}, "due_date", "The due date cannot be before the issue date."),
        ({"image_url": "ftp://files.example/scan.webp"}, "image_url", "An absolute http(s) URL"),
    ],
)
def test_the_services_rules_are_said_beside_their_field(admin_client, supplier, fields, field, message):
    response = admin_client.post("/admin/suppliers/supplierinvoice/add/", invoice_form(supplier, **fields))
    assert response.status_code == 200
    page = response.content.decode()
    assert shown(page, css_class=f"field-{field}").startswith(message)
    assert "Constraint" not in page
    assert not SupplierInvoice.objects.exists()


def test_a_payment_of_zero_is_said_beside_the_amount(admin_client, inv_002):
    form = {"invoice": inv_002.pk, "amount": "0", "paid_at_0": "", "paid_at_1": "", "method": ""}
    response = admin_client.post("/admin/suppliers/supplierpayment/add/", form)
    assert response.status_code == 200
    assert shown(response.content.decode(), css_class="field-amount") == (
        "The amount must be more than zero. Amount: 0"
    )


def test_a_payment_is_recorded_against_an_invoice_that_owes_money(admin_client, supplier, workspace, inv_002):
    make_invoice(workspace, supplier, "SETTLED", "100", paid="100")
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "suppliers", "model_name": "supplierpayment", "field_name": "invoice", "term": ""},
    )
    assert [result["text"] for result in response.json()["results"]] == ["INV-002"]
    # The invoice list's own search still finds every invoice.
    assert "SETTLED" in admin_client.get("/admin/suppliers/supplierinvoice/?q=SETTLED").content.decode()


def test_an_invoice_and_its_first_payment_in_one_go(admin_client, supplier, owner):
    form = {
        **invoice_form(supplier, invoice_number="INV-100", total_amount="300"),
        "new_payments-TOTAL_FORMS": "1",
        "new_payments-0-amount": "100",
        "new_payments-0-method": "cash",
    }
    response = admin_client.post("/admin/suppliers/supplierinvoice/add/", form)
    assert response.status_code == 302, response.context["errors"]
    invoice = SupplierInvoice.objects.get()
    assert (invoice.paid_amount, invoice.status) == (Decimal(100), "partially_paid")
    assert SupplierPayment.objects.get().created_by == owner


def test_an_invoice_made_with_an_api_key_names_the_key(admin_client, supplier, workspace):
    from workspaces.models import ApiKey

    key = ApiKey.objects.create(workspace=workspace, name="Accounting sync", key_hash="x" * 64, prefix="sk_x")
    invoice = make_invoice(workspace, supplier, "API-1")
    invoice.created_by_api_key = key
    invoice.save()
    page = admin_client.get(f"/admin/suppliers/supplierinvoice/{invoice.pk}/change/").content.decode()
    assert shown(page, css_class="field-created_by_name") == "Created by: Accounting sync"


def test_a_payment_history_names_it_by_invoice_and_amount(admin_client, inv_002):
    payment = SupplierPayment.objects.get()
    page = admin_client.get(f"/admin/suppliers/supplierpayment/{payment.pk}/history/").content.decode()
    assert "Change history: INV-002: 2,000.00" in page and "2000.000" not in page
