"""Supplier invoices through the API: seed 002's contract, every rule, the switch and the permissions."""

import re

import pytest

from suppliers.models import SupplierInvoice
from tests.conftest import client_for
from tests.suppliers.conftest import make_invoice

pytestmark = pytest.mark.django_db

SEED_REQUEST = {
    "invoiceNumber": "INV-001",
    "totalAmount": 5000,
    "issueDate": "2024-01-15",
    "dueDate": "2024-02-15",
    "description": "وصف اختياري",
    "notes": "ملاحظات",
    "imageUrl": "https://storage.googleapis.com/bucket/path/to/image.webp",
}
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.mark.parametrize("prefix", ["/api/v1", "/v1"])
def test_create_answers_seed_002_key_by_key(prefix, accountant_client, workspace, supplier, frozen_today):
    import datetime as dt

    frozen_today(dt.date(2024, 1, 15))
    url = f"{prefix}/workspace/{workspace.pk}/suppliers/{supplier.pk}/invoices"
    response = accountant_client.post(url, SEED_REQUEST, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    invoice = body["invoice"]
    created = SupplierInvoice.objects.get()
    assert list(body) == ["invoice"]
    assert invoice == {
        "id": str(created.pk),
        "workspaceId": str(workspace.pk),
        "supplierId": str(supplier.pk),
        "invoiceNumber": "INV-001",
        "totalAmount": 5000,
        "paidAmount": 0,
        "remainingAmount": 5000,
        "status": "pending",
        "issueDate": "2024-01-15T00:00:00.000Z",
        "dueDate": "2024-02-15T00:00:00.000Z",
        "description": "وصف اختياري",
        "notes": "ملاحظات",
        # The seed's null is a slip of the page (seeds/README.md): the URL sent is returned.
        "imageUrl": "https://storage.googleapis.com/bucket/path/to/image.webp",
        "currency": "SAR",
        "isOverdue": False,
        "createdAt": "2024-01-15T09:00:00.000Z",
        "updatedAt": "2024-01-15T09:00:00.000Z",
    }
    # Amounts are JSON numbers, never strings.
    assert b'"totalAmount":5000,"paidAmount":0,"remainingAmount":5000' in response.content


def test_optional_fields_not_given_are_null(accountant_client, invoices_url):
    response = accountant_client.post(
        invoices_url,
        {"invoiceNumber": " A-1 ", "totalAmount": "12.5", "issueDate": "2024-01-15"},
        format="json",
    )
    invoice = response.json()["invoice"]
    assert response.status_code == 201
    assert invoice["invoiceNumber"] == "A-1"  # stored as typed, trimmed
    assert invoice["totalAmount"] == 12.5
    assert [invoice[k] for k in ("dueDate", "description", "notes", "imageUrl")] == [None] * 4
    assert DATETIME.match(invoice["createdAt"])


def test_a_total_of_zero_is_paid(new_invoice):
    invoice = new_invoice(totalAmount=0)
    assert (invoice["status"], invoice["paidAmount"], invoice["remainingAmount"]) == ("paid", 0, 0)


@pytest.mark.parametrize(
    "number",
    ["INV-10", " INV-10 ", "inv-10", "Inv-10", "INV-١٠", "inv-۱۰", "\tinv-1٠  "],
    ids=["same", "padded", "lower", "mixed", "arabic-indic", "persian", "mixed-digits"],
)
def test_duplicate_numbers_are_409(number, accountant_client, invoices_url, new_invoice, base_url, workspace):
    new_invoice(invoiceNumber="INV-10")
    response = accountant_client.post(
        invoices_url, {"invoiceNumber": number, "totalAmount": 1, "issueDate": "2024-01-15"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "message": "An invoice with this number already exists in this workspace.",
        "code": "duplicate_invoice_number",
    }
    assert SupplierInvoice.objects.count() == 1


def test_duplicate_under_another_supplier_is_409(accountant_client, new_invoice, base_url, workspace):
    from suppliers.models import Supplier

    new_invoice(invoiceNumber="INV-10")
    other = Supplier.objects.create(workspace=workspace, name="مورد آخر")
    response = accountant_client.post(
        f"{base_url}/suppliers/{other.pk}/invoices",
        {"invoiceNumber": "inv-١٠", "totalAmount": 1, "issueDate": "2024-01-15"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_invoice_number"


def test_the_same_number_in_another_workspace_is_fine(new_invoice, other_workspace):
    from suppliers.models import Supplier

    foreign = Supplier.objects.create(workspace=other_workspace, name="x")
    make_invoice(other_workspace, foreign, "inv-10")
    assert new_invoice(invoiceNumber="INV-10")["invoiceNumber"] == "INV-10"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"totalAmount": -1}, {"totalAmount": ["The amount must be zero or more."]}),
        (
            {"totalAmount": "1.005"},
            {"totalAmount": ["The amount can have at most 2 decimal places."]},
        ),
        ({"issueDate": None}, {"issueDate": ["This field may not be null."]}),
        ({"issueDate": "15/01/2024"}, {"issueDate": ["A date (YYYY-MM-DD) is required."]}),
        ({"dueDate": "2024-01-14"}, {"dueDate": ["The due date cannot be before the issue date."]}),
        ({"invoiceNumber": "   "}, {"invoiceNumber": ["This field may not be blank."]}),
        ({"invoiceNumber": 10}, {"invoiceNumber": ["A text value is required."]}),
        (
            {"imageUrl": "ftp://x.example/a.webp"},
            {"imageUrl": ["An absolute http(s) URL of at most 2048 characters is required."]},
        ),
        (
            {"imageUrl": "https://x.example/" + "a" * 2040},
            {"imageUrl": ["Ensure this field has no more than 2048 characters."]},
        ),
    ],
)
def test_invalid_input_is_400(body, errors, accountant_client, invoices_url):
    payload = {"invoiceNumber": "INV-001", "totalAmount": 5000, "issueDate": "2024-01-15", **body}
    response = accountant_client.post(invoices_url, payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"message": "Invalid input.", "code": "validation_error", "errors": errors}
    assert not SupplierInvoice.objects.exists()


def test_missing_issue_date_is_400(accountant_client, invoices_url):
    response = accountant_client.post(invoices_url, {"invoiceNumber": "A", "totalAmount": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"issueDate": ["This field is required."]}


def test_issue_date_may_be_sent_back_as_the_datetime_we_write(accountant_client, invoices_url):
    response = accountant_client.post(
        invoices_url,
        {"invoiceNumber": "A", "totalAmount": 1, "issueDate": "2024-01-15T00:00:00.000Z"},
        format="json",
    )
    assert response.json()["invoice"]["issueDate"] == "2024-01-15T00:00:00.000Z"


def test_an_object_id_style_supplier_is_400_and_an_unknown_one_404(accountant_client, base_url):
    body = {"invoiceNumber": "A", "totalAmount": 1, "issueDate": "2024-01-15"}
    bad = accountant_client.post(
        f"{base_url}/suppliers/507f1f77bcf86cd799439011/invoices", body, format="json"
    )
    missing = accountant_client.post(f"{base_url}/suppliers/999999/invoices", body, format="json")
    assert bad.status_code in (400, 404)
    assert missing.status_code == 404
    assert missing.json() == {"message": "Supplier not found.", "code": "not_found"}


def test_get_patch_delete(accountant_client, invoices_url, new_invoice):
    invoice = new_invoice(dueDate="2024-02-15")
    url = f"{invoices_url}/{invoice['id']}"
    assert accountant_client.get(url).json() == {"invoice": invoice}

    response = accountant_client.patch(url, {"invoiceNumber": "INV-٠٠٢", "notes": "ملاحظة"}, format="json")
    assert response.status_code == 200
    changed = response.json()["invoice"]
    assert (changed["invoiceNumber"], changed["notes"], changed["totalAmount"]) == ("INV-٠٠٢", "ملاحظة", 5000)
    assert SupplierInvoice.objects.get().invoice_number_normalised == "inv-002"

    bad = accountant_client.patch(url, {"dueDate": "2023-12-31"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"dueDate": ["The due date cannot be before the issue date."]}

    assert accountant_client.delete(url).status_code == 204
    assert accountant_client.get(url).status_code == 404


def test_patch_to_a_number_taken_is_409(accountant_client, invoices_url, new_invoice):
    new_invoice(invoiceNumber="A-1")
    second = new_invoice(invoiceNumber="A-2")
    response = accountant_client.patch(
        f"{invoices_url}/{second['id']}", {"invoiceNumber": " a-1"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_invoice_number"
    # Its own number, re-typed in another case, is not a duplicate of itself.
    same = accountant_client.patch(f"{invoices_url}/{second['id']}", {"invoiceNumber": "a-2"}, format="json")
    assert same.status_code == 200


def test_an_invoice_of_another_supplier_is_404_under_this_one(
    accountant_client, base_url, new_invoice, workspace
):
    from suppliers.models import Supplier

    invoice = new_invoice()
    other = Supplier.objects.create(workspace=workspace, name="مورد آخر")
    response = accountant_client.get(f"{base_url}/suppliers/{other.pk}/invoices/{invoice['id']}")
    assert response.status_code == 404
    assert response.json() == {"message": "Invoice not found.", "code": "not_found"}


# --- The section switch and the permissions ------------------------------------------------------------------


def test_section_turned_off_is_403_for_reads_and_writes(owner_client, workspace, invoices_url, base_url):
    workspace.suppliers_enabled = False
    workspace.save()
    body = {
        "message": "The suppliers section is turned off for this workspace.",
        "code": "suppliers_disabled",
    }
    for response in (
        owner_client.get(f"{base_url}/suppliers"),
        owner_client.get(f"{base_url}/supplier-invoices"),
        owner_client.post(invoices_url, SEED_REQUEST, format="json"),
    ):
        assert response.status_code == 403
        assert response.json() == body
    assert not SupplierInvoice.objects.exists()


def test_view_permission_reads_but_cannot_write(viewer_client, invoices_url, new_invoice, base_url):
    invoice = new_invoice()
    assert viewer_client.get(f"{invoices_url}/{invoice['id']}").status_code == 200
    assert viewer_client.get(f"{base_url}/supplier-invoices").status_code == 200
    for response in (
        viewer_client.post(invoices_url, {**SEED_REQUEST, "invoiceNumber": "X"}, format="json"),
        viewer_client.patch(f"{invoices_url}/{invoice['id']}", {"notes": "x"}, format="json"),
        viewer_client.delete(f"{invoices_url}/{invoice['id']}"),
    ):
        assert response.status_code == 403
        assert response.json()["details"] == {"permission": "suppliers.manage"}


def test_staff_without_supplier_codes_cannot_read(staff_client, invoices_url):
    response = staff_client.get(invoices_url)
    assert response.status_code == 403
    assert response.json() == {
        "message": "You need the permission suppliers.view.",
        "code": "permission_denied",
        "details": {"permission": "suppliers.view"},
    }


def test_manage_implies_view_and_owner_may_do_everything(accountant_client, owner_client, invoices_url):
    assert accountant_client.get(invoices_url).status_code == 200
    assert owner_client.post(invoices_url, SEED_REQUEST, format="json").status_code == 201


def test_an_api_key_may_create(workspace, invoices_url):
    from tests.factories import owner_access
    from workspaces.services import api_key_create

    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="accounting")
    response = client_for(api_key=raw).post(invoices_url, SEED_REQUEST, format="json")
    assert response.status_code == 201
    assert SupplierInvoice.objects.get().created_by_api_key_id == _key.pk


def test_idempotency_key_replays_a_create(accountant_client, invoices_url):
    first = accountant_client.post(invoices_url, SEED_REQUEST, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = accountant_client.post(invoices_url, SEED_REQUEST, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert SupplierInvoice.objects.count() == 1
