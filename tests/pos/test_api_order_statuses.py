import pytest

from pos.models import OrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def statuses_url(workspace):
    return f"/v1/workspace/{workspace.pk}/pos/order-statuses"


def test_create_list_update_delete(owner_client, cashier_client, statuses_url, workspace):
    response = owner_client.post(
        statuses_url,
        {"labelAr": "قيد التحضير", "labelEn": "Preparing", "color": "#f90", "position": 1},
        format="json",
    )
    assert response.status_code == 201
    status = OrderStatus.objects.get()
    created = response.json()["orderStatus"]
    assert {k: v for k, v in created.items() if k not in ("createdAt", "updatedAt")} == {
        "id": str(status.pk),
        "workspaceId": str(workspace.pk),
        "labelAr": "قيد التحضير",
        "labelEn": "Preparing",
        "color": "#f90",
        "position": 1,
        "isDefault": False,
    }
    owner_client.post(statuses_url, {"labelAr": "جاهز", "position": 0}, format="json")
    listed = cashier_client.get(statuses_url).json()
    assert [s["labelAr"] for s in listed["orderStatuses"]] == ["جاهز", "قيد التحضير"]  # newest first
    assert listed["nextCursor"] is None
    patched = owner_client.patch(f"{statuses_url}/{status.pk}", {"labelEn": "Cooking"}, format="json")
    assert patched.json()["orderStatus"]["labelEn"] == "Cooking"
    assert owner_client.delete(f"{statuses_url}/{status.pk}").status_code == 204
    assert not OrderStatus.objects.filter(pk=status.pk).exists()


def test_only_one_default(owner_client, statuses_url):
    first = owner_client.post(statuses_url, {"labelAr": "أ", "isDefault": True}, format="json").json()[
        "orderStatus"
    ]
    second = owner_client.post(statuses_url, {"labelAr": "ب", "isDefault": True}, format="json").json()[
        "orderStatus"
    ]
    assert OrderStatus.objects.get(is_default=True).pk == int(second["id"])
    assert not OrderStatus.objects.get(pk=first["id"]).is_default


def test_new_invoices_take_the_default_status(owner_client, statuses_url, new_invoice):
    default = owner_client.post(
        statuses_url, {"labelAr": "جديد", "labelEn": "New", "isDefault": True}, format="json"
    ).json()["orderStatus"]
    invoice = new_invoice()
    assert (invoice["orderStatusId"], invoice["orderStatusLabelAr"], invoice["orderStatusLabelEn"]) == (
        default["id"],
        "جديد",
        "New",
    )


def test_deleting_a_status_leaves_invoices_without_one(
    owner_client, cashier_client, statuses_url, new_invoice, invoices_url
):
    status = owner_client.post(statuses_url, {"labelAr": "جديد", "isDefault": True}, format="json").json()[
        "orderStatus"
    ]
    invoice = new_invoice()
    owner_client.delete(f"{statuses_url}/{status['id']}")
    assert cashier_client.get(f"{invoices_url}/{invoice['id']}").json()["invoice"]["orderStatusId"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "labelAr"),
        ({"labelAr": "x", "position": -1}, "position"),
        ({"labelAr": "x", "isDefault": "y"}, "isDefault"),
    ],
)
def test_validation(owner_client, statuses_url, payload, field):
    response = owner_client.post(statuses_url, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_staff_cannot_write_statuses(cashier_client, statuses_url):
    response = cashier_client.post(statuses_url, {"labelAr": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["details"] == {"permission": "owner"}
