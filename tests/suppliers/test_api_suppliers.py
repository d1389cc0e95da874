"""Supplier records: create, list, get, change, delete (one with invoices is in use)."""

import pytest

from suppliers.models import Supplier
from tests.suppliers.conftest import make_invoice

pytestmark = pytest.mark.django_db


def test_create_get_list_patch_delete(accountant_client, base_url, workspace):
    url = f"{base_url}/suppliers"
    response = accountant_client.post(
        url, {"name": " شركة البن العربي ", "phone": "+966500000102", "email": ""}, format="json"
    )
    assert response.status_code == 201
    supplier = Supplier.objects.get()
    created = response.json()["supplier"]
    assert created == {
        "id": str(supplier.pk),
        "workspaceId": str(workspace.pk),
        "name": "شركة البن العربي",
        "phone": "+966500000102",
        "email": None,
        "taxNumber": None,
        "notes": None,
        "createdAt": created["createdAt"],
        "updatedAt": created["updatedAt"],
    }
    assert accountant_client.get(f"{url}/{supplier.pk}").json() == {"supplier": created}
    assert accountant_client.get(url).json() == {"suppliers": [created], "nextCursor": None}

    changed = accountant_client.patch(f"{url}/{supplier.pk}", {"taxNumber": "310122393500102"}, format="json")
    assert changed.json()["supplier"]["taxNumber"] == "310122393500102"
    assert changed.json()["supplier"]["name"] == "شركة البن العربي"

    assert accountant_client.delete(f"{url}/{supplier.pk}").status_code == 204
    assert not Supplier.objects.exists()


def test_name_is_required(accountant_client, base_url):
    response = accountant_client.post(f"{base_url}/suppliers", {"phone": "1"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["This field is required."]}


def test_a_supplier_with_invoices_is_in_use(accountant_client, base_url, workspace, supplier):
    make_invoice(workspace, supplier, "A-1")
    response = accountant_client.delete(f"{base_url}/suppliers/{supplier.pk}")
    assert response.status_code == 409
    assert response.json() == {
        "message": "This supplier has invoices and cannot be deleted.",
        "code": "in_use",
    }


def test_json_only_for_writes(accountant_client, base_url):
    response = accountant_client.post(f"{base_url}/suppliers", {"name": "x"}, format="multipart")
    assert response.status_code == 415
