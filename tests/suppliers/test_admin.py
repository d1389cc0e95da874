"""The back office: the same services as the API, scoped to the workspace, refusals shown as messages."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from suppliers.models import Supplier, SupplierInvoice, SupplierPayment
from tests.conftest import make_staff
from tests.suppliers.conftest import make_invoice
from workspaces import codes

pytestmark = pytest.mark.django_db

INLINE = {
    "payments-TOTAL_FORMS": "0",
    "payments-INITIAL_FORMS": "0",
    "payments-MIN_NUM_FORMS": "0",
    "payments-MAX_NUM_FORMS": "1000",
}


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
        **INLINE,
        **fields,
    }


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


def test_duplicate_number_is_refused_with_a_message(admin_client, supplier, workspace):
    make_invoice(workspace, supplier, "inv-10")
    response = admin_client.post("/admin/suppliers/supplierinvoice/add/", invoice_form(supplier), follow=True)
    assert "An invoice with this number already exists in this workspace." in response.content.decode()
    assert SupplierInvoice.objects.count() == 1


def test_payments_inline_goes_through_the_service(admin_client, supplier, workspace):
    invoice = make_invoice(workspace, supplier, "A-1", "100")
    url = f"/admin/suppliers/supplierinvoice/{invoice.pk}/change/"
    form = {
        **invoice_form(supplier, invoice_number="A-1", total_amount="100", due_date="", description=""),
        "payments-TOTAL_FORMS": "1",
        "payments-0-amount": "60",
        "payments-0-paid_at_0": "2024-01-20",
        "payments-0-paid_at_1": "10:00:00",
        "payments-0-method": "cash",
        "payments-0-reference": "",
        "payments-0-notes": "",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice.refresh_from_db()
    assert (invoice.paid_amount, invoice.remaining_amount, invoice.status) == (
        Decimal("60"),
        Decimal("40"),
        "partially_paid",
    )
    # An overpayment from the inline is refused like the API's, and nothing changes.
    form["payments-0-amount"] = "41"
    response = admin_client.post(url, form, follow=True)
    assert "remains to be paid" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.paid_amount == Decimal("60")
    assert SupplierPayment.objects.count() == 1


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
    from suppliers import services

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


def test_export_action_exports_the_selected_invoices(admin_client, supplier, workspace):
    chosen = make_invoice(workspace, supplier, "A-1", "100")
    make_invoice(workspace, supplier, "A-2", "100")
    response = admin_client.post(
        "/admin/suppliers/supplierinvoice/", {"action": "export_csv", "_selected_action": [chosen.pk]}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row[3] for row in rows[1:]] == ["A-1"]

    xlsx = admin_client.post(
        "/admin/suppliers/supplierinvoice/", {"action": "export_xlsx", "_selected_action": [chosen.pk]}
    )
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).active
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["A-1"]


def test_lists_and_filters_show_only_this_workspace(admin_client, supplier, workspace, other_workspace):
    foreign = Supplier.objects.create(workspace=other_workspace, name="مورد أجنبي")
    make_invoice(other_workspace, foreign, "F-1")
    make_invoice(workspace, supplier, "A-1")
    page = admin_client.get("/admin/suppliers/supplierinvoice/").content.decode()
    assert "A-1" in page and "F-1" not in page and "مورد أجنبي" not in page
    form = admin_client.get("/admin/suppliers/supplierinvoice/add/").content.decode()
    assert "مورد أجنبي" not in form


def test_overdue_filter(admin_client, supplier, workspace):
    make_invoice(workspace, supplier, "LATE", issue="1999-12-01", due="2000-01-01")
    make_invoice(workspace, supplier, "LATER", due="2999-01-01")
    page = admin_client.get("/admin/suppliers/supplierinvoice/?overdue=yes").content.decode()
    assert "LATE<" in page and "LATER" not in page


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
    from tests.pos.conftest import owner_access

    panel = today_panel(workspace=workspace, access=owner_access(workspace, workspace_owner(workspace)))
    assert panel["rows"] == [("Overdue supplier invoices", 2), ("Owed on overdue invoices", "949.50 SAR")]
    assert "949.50 SAR" in admin_client.get("/admin/").content.decode()


def workspace_owner(workspace):
    return workspace.memberships.get(role="owner").user
