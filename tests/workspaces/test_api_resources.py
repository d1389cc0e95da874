import pytest

from tests.conftest import client_for, make_staff
from tests.factories import ClientFactory, MembershipFactory, StoreFactory, UserFactory, owner_access
from workspaces.api.renderers import format_datetime
from workspaces.models import Client, Membership, User
from workspaces.services import api_key_create

pytestmark = pytest.mark.django_db

ISO = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"


def ts(obj):
    from workspaces.api.renderers import format_datetime

    return {"createdAt": format_datetime(obj.created_at), "updatedAt": format_datetime(obj.updated_at)}


# --- Workspace -----------------------------------------------------------------------------------------------


def test_get_workspace_exact_shape(owner_client, workspace, django_assert_num_queries):
    with django_assert_num_queries(1):  # the user with their membership and workspace
        response = owner_client.get(f"/v1/workspace/{workspace.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "workspace": {
            "id": str(workspace.pk),
            "name": "مقهى الياسمين",
            "currency": "SAR",
            "timezone": "Asia/Riyadh",
            "legalName": None,
            "vatNumber": None,
            "crNumber": None,
            "suppliersEnabled": True,
            "allowNegativeStock": False,
            "pricesIncludeTax": False,
            "receiptLanguage": "ar",
            **ts(workspace),
        }
    }


def test_patch_workspace(owner_client, workspace):
    response = owner_client.patch(
        f"/v1/workspace/{workspace.pk}",
        {"vatNumber": "310122393500003", "currency": "KWD", "allowNegativeStock": True, "unknown": 1},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()["workspace"]
    assert (body["vatNumber"], body["currency"], body["allowNegativeStock"]) == (
        "310122393500003",
        "KWD",
        True,
    )
    workspace.refresh_from_db()
    assert workspace.currency == "KWD"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "ABC"}, "currency"),
        ({"timezone": "Nowhere"}, "timezone"),
        ({"suppliersEnabled": "maybe"}, "suppliersEnabled"),
        ({"name": ""}, "name"),
    ],
)
def test_patch_workspace_validation(owner_client, workspace, body, field):
    response = owner_client.patch(f"/v1/workspace/{workspace.pk}", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_staff_cannot_patch_workspace(staff_client, workspace):
    response = staff_client.patch(f"/v1/workspace/{workspace.pk}", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "message": "Only the workspace owner may do this.",
        "code": "permission_denied",
        "details": {"permission": "owner"},
    }


# --- Staff ---------------------------------------------------------------------------------------------------


def test_create_staff_and_sign_in(owner_client, workspace, store):
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/staff",
        {
            "email": "Cashier@Shop.sa",
            "name": "Khalid",
            "password": "a-long-pass-99",
            "permissions": ["store.orders.manage"],
            "storeId": str(store.pk),
        },
        format="json",
    )
    assert response.status_code == 201
    membership = Membership.objects.get(workspace=workspace, user__email="cashier@shop.sa")
    assert response.json() == {
        "staff": {
            "id": str(membership.pk),
            "workspaceId": str(workspace.pk),
            "userId": str(membership.user_id),
            "email": "cashier@shop.sa",
            "name": "Khalid",
            "status": "active",
            "role": "staff",
            "permissions": ["store.orders.manage"],
            "storeId": str(store.pk),
            "adminAccess": False,
            **ts(membership),
        }
    }
    login = client_for().post(
        "/v1/auth/token", {"email": "cashier@shop.sa", "password": "a-long-pass-99"}, format="json"
    )
    assert login.status_code == 200


def test_staff_with_existing_email_adds_that_user(owner_client, workspace, other_owner):
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/staff",
        {"email": other_owner.email, "name": "ignored", "password": "ignored-password"},
        format="json",
    )
    assert response.status_code == 201
    assert User.objects.filter(email=other_owner.email).count() == 1
    other_owner.refresh_from_db()
    assert other_owner.check_password("correct-horse-42")


def test_existing_member_is_409(owner_client, workspace, staff):
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/staff", {"email": staff.email, "name": "x"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"email": "new@x.co", "name": "n", "password": "a-long-pass-99", "permissions": ["root"]},
            "permissions.0",
        ),
        ({"email": "new@x.co", "name": "n"}, "password"),
        ({"email": "new@x.co", "name": "n", "password": "short"}, "password"),
        ({"email": "bad", "name": "n", "password": "a-long-pass-99"}, "email"),
        (
            {
                "email": "new@x.co",
                "name": "n",
                "password": "a-long-pass-99",
                "storeId": "507f1f77bcf86cd799439011",
            },
            "storeId",
        ),
    ],
)
def test_create_staff_validation(owner_client, workspace, body, field):
    response = owner_client.post(f"/v1/workspace/{workspace.pk}/staff", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_staff_store_of_another_workspace_is_404(owner_client, workspace, other_workspace):
    foreign_store = StoreFactory(workspace=other_workspace)
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/staff",
        {"email": "n@x.co", "name": "n", "password": "a-long-pass-99", "storeId": foreign_store.pk},
        format="json",
    )
    assert response.status_code == 404


def test_patch_and_remove_staff(owner_client, workspace, staff):
    membership = Membership.objects.get(user=staff, workspace=workspace)
    response = owner_client.patch(
        f"/v1/workspace/{workspace.pk}/staff/{membership.pk}",
        {"permissions": ["clients.manage"], "adminAccess": True},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["staff"]["permissions"] == ["clients.manage"]
    assert response.json()["staff"]["adminAccess"] is True
    assert owner_client.delete(f"/v1/workspace/{workspace.pk}/staff/{membership.pk}").status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_owner_membership_is_not_in_staff_and_cannot_be_removed(owner_client, workspace, owner):
    membership = Membership.objects.get(user=owner)
    assert owner_client.delete(f"/v1/workspace/{workspace.pk}/staff/{membership.pk}").status_code == 404
    listed = owner_client.get(f"/v1/workspace/{workspace.pk}/staff").json()
    assert listed == {"staff": [], "nextCursor": None}


def test_staff_list_query_count_is_flat(owner_client, workspace, django_assert_num_queries):
    for n in range(1, 6):
        MembershipFactory(workspace=workspace, user=UserFactory())
        with django_assert_num_queries(2):
            response = owner_client.get(f"/v1/workspace/{workspace.pk}/staff")
        assert len(response.json()["staff"]) == n


# --- Stores --------------------------------------------------------------------------------------------------


def test_create_and_list_stores(owner_client, workspace, store, other_workspace):
    StoreFactory(workspace=other_workspace)
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/stores",
        {
            "name": "فرع جدة",
            "code": "JED",
            "address": "جدة",
            "nationalAddress": {
                "street": "طريق الملك",
                "buildingNumber": "1234",
                "city": "جدة",
                "postalCode": "23451",
            },
        },
        format="json",
    )
    assert response.status_code == 201
    created = response.json()["store"]
    assert set(created) == {
        "id",
        "workspaceId",
        "name",
        "code",
        "address",
        "nationalAddress",
        "createdAt",
        "updatedAt",
    }
    # ZATCA's address (section 8b): every part named, "" where not given.
    assert created["nationalAddress"] == {
        "street": "طريق الملك",
        "buildingNumber": "1234",
        "district": "",
        "city": "جدة",
        "postalCode": "23451",
        "shortAddress": "",
    }
    assert (created["name"], created["code"], created["workspaceId"]) == ("فرع جدة", "JED", str(workspace.pk))
    listed = owner_client.get(f"/v1/workspace/{workspace.pk}/stores").json()
    assert [s["id"] for s in listed["stores"]] == [created["id"], str(store.pk)]
    assert listed["nextCursor"] is None


def test_duplicate_store_code_is_409(owner_client, workspace):
    owner_client.post(f"/v1/workspace/{workspace.pk}/stores", {"name": "a", "code": "X"}, format="json")
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/stores", {"name": "b", "code": "X"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "store_code_taken"


def test_store_validation(owner_client, workspace):
    response = owner_client.post(f"/v1/workspace/{workspace.pk}/stores", {"code": "X"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["This field is required."]}
    bad = owner_client.post(
        f"/v1/workspace/{workspace.pk}/stores",
        {"name": "x", "nationalAddress": {"buildingNumber": "12a4", "postalCode": "123"}},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"nationalAddress.buildingNumber", "nationalAddress.postalCode"}


def test_cr_number_is_ten_digits(owner_client, workspace):
    url = f"/v1/workspace/{workspace.pk}"
    assert owner_client.patch(url, {"crNumber": "10100"}, format="json").status_code == 400
    assert (
        owner_client.patch(url, {"crNumber": "١٠١٠٠١٠٠٠٠"}, format="json").status_code == 400
    )  # Arabic digits
    response = owner_client.patch(url, {"crNumber": "1010010000"}, format="json")
    assert response.json()["workspace"]["crNumber"] == "1010010000"
    assert owner_client.patch(url, {"crNumber": ""}, format="json").json()["workspace"]["crNumber"] is None


def test_staff_reads_stores(staff_client, workspace, store, other_workspace):
    StoreFactory(workspace=other_workspace, name="Their store")
    response = staff_client.get(f"/v1/workspace/{workspace.pk}/stores")
    assert response.status_code == 200
    assert response.json() == {
        "stores": [
            {
                "id": str(store.pk),
                "workspaceId": str(workspace.pk),
                "name": "الفرع الرئيسي",
                "code": None,
                "address": None,
                "nationalAddress": {
                    name: ""
                    for name in ("street", "buildingNumber", "district", "city", "postalCode", "shortAddress")
                },
                "createdAt": format_datetime(store.created_at),
                "updatedAt": format_datetime(store.updated_at),
            }
        ],
        "nextCursor": None,
    }


# --- Clients -------------------------------------------------------------------------------------------------


def test_create_client_with_pos_discount(workspace):
    api = client_for(make_staff(workspace, "clients.manage"))
    response = api.post(
        f"/v1/workspace/{workspace.pk}/clients",
        {
            "name": "مطعم النخيل",
            "phone": "+966500000000",
            "posInvoiceDiscount": {"type": "percent", "value": 12.5, "active": True},
        },
        format="json",
    )
    assert response.status_code == 201
    client = Client.objects.get()
    assert response.json() == {
        "client": {
            "id": str(client.pk),
            "workspaceId": str(workspace.pk),
            "name": "مطعم النخيل",
            "phone": "+966500000000",
            "email": None,
            "taxNumber": None,
            "crNumber": None,
            "address": {
                "street": "",
                "buildingNumber": "",
                "district": "",
                "city": "",
                "postalCode": "",
                "countryCode": "SA",
            },
            "posInvoiceDiscount": {"type": "percent", "value": 12.5, "active": True},
            **ts(client),
        }
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "c", "posInvoiceDiscount": {"type": "percent", "value": 101}}, "posInvoiceDiscount.value"),
        ({"name": "c", "posInvoiceDiscount": {"type": "fixed", "value": -1}}, "posInvoiceDiscount.value"),
        (
            {"name": "c", "posInvoiceDiscount": {"type": "fixed", "value": "1.005"}},
            "posInvoiceDiscount.value",
        ),
        ({"name": "c", "posInvoiceDiscount": {"type": "bogus", "value": 1}}, "posInvoiceDiscount.type"),
        (
            {"name": "c", "posInvoiceDiscount": {"type": "percent", "value": "abc"}},
            "posInvoiceDiscount.value",
        ),
        ({"name": "c", "email": "nope"}, "email"),
        ({"name": ["c"]}, "name"),
    ],
)
def test_client_validation(owner_client, workspace, body, field):
    response = owner_client.post(f"/v1/workspace/{workspace.pk}/clients", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Client.objects.exists()


def test_get_patch_delete_client(owner_client, workspace):
    client = ClientFactory(workspace=workspace, name="Old")
    base = f"/v1/workspace/{workspace.pk}/clients/{client.pk}"
    assert owner_client.get(base).json()["client"]["name"] == "Old"
    response = owner_client.patch(
        base, {"name": "New", "posInvoiceDiscount": {"type": "fixed", "value": "5.50"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["client"]["posInvoiceDiscount"] == {"type": "fixed", "value": 5.5, "active": True}
    response = owner_client.patch(base, {"posInvoiceDiscount": None}, format="json")
    assert response.json()["client"]["posInvoiceDiscount"] is None
    assert owner_client.delete(base).status_code == 204
    assert owner_client.get(base).status_code == 404


def test_client_list_is_paginated_and_isolated(
    owner_client, workspace, other_workspace, django_assert_num_queries
):
    ClientFactory(workspace=other_workspace)
    clients = [ClientFactory(workspace=workspace) for _ in range(5)]
    with django_assert_num_queries(2):  # the member (one query), the page
        first = owner_client.get(f"/v1/workspace/{workspace.pk}/clients?limit=2").json()
    assert [c["id"] for c in first["clients"]] == [str(clients[4].pk), str(clients[3].pk)]
    second = owner_client.get(
        f"/v1/workspace/{workspace.pk}/clients?limit=2&cursor={first['nextCursor']}"
    ).json()
    third = owner_client.get(
        f"/v1/workspace/{workspace.pk}/clients?limit=2&cursor={second['nextCursor']}"
    ).json()
    assert [c["id"] for c in second["clients"]] == [str(clients[2].pk), str(clients[1].pk)]
    assert [c["id"] for c in third["clients"]] == [str(clients[0].pk)]
    assert third["nextCursor"] is None


def test_client_list_query_count_does_not_grow(owner_client, workspace, django_assert_num_queries):
    for _ in range(20):
        ClientFactory(workspace=workspace)
    with django_assert_num_queries(2):
        assert len(owner_client.get(f"/v1/workspace/{workspace.pk}/clients").json()["clients"]) == 20


# --- API keys ------------------------------------------------------------------------------------------------


def test_api_key_is_shown_once_and_stored_hashed(owner_client, workspace):
    response = owner_client.post(f"/v1/workspace/{workspace.pk}/api-keys", {"name": "Website"}, format="json")
    assert response.status_code == 201
    body = response.json()
    raw = body["key"]
    assert raw.startswith("sk_")
    assert set(body["apiKey"]) == {"id", "workspaceId", "name", "prefix", "createdAt"}
    assert body["apiKey"]["prefix"] == raw[:8]
    from workspaces.models import ApiKey

    stored = ApiKey.objects.get()
    assert raw not in (stored.key_hash, stored.prefix)
    listed = owner_client.get(f"/v1/workspace/{workspace.pk}/api-keys").json()
    assert "key" not in listed["apiKeys"][0]
    assert raw not in str(listed)


def test_api_key_validation(owner_client, workspace):
    response = owner_client.post(f"/v1/workspace/{workspace.pk}/api-keys", {}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_api_key_holds_every_code(owner, workspace):
    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="k")
    api = client_for(api_key=raw)
    response = api.post(f"/v1/workspace/{workspace.pk}/clients", {"name": "From integration"}, format="json")
    assert response.status_code == 201
    created = Client.objects.get(pk=response.json()["client"]["id"])
    assert (created.workspace, created.name, response.json()["client"]["name"]) == (
        workspace,
        "From integration",
        "From integration",
    )


def test_a_business_clients_address_and_cr_number(owner_client, workspace):
    url = f"/v1/workspace/{workspace.pk}/clients"
    body = {
        "name": "مطعم النخيل",
        "taxNumber": "399999999900003",
        "crNumber": "1010101010",
        "address": {
            "street": "طريق الملك فهد",
            "buildingNumber": "2322",
            "city": "الرياض",
            "postalCode": "12345",
        },
    }

    created = owner_client.post(url, body, format="json").json()["client"]

    assert created["crNumber"] == "1010101010"
    assert created["address"] == {
        "street": "طريق الملك فهد",
        "buildingNumber": "2322",
        "district": "",
        "city": "الرياض",
        "postalCode": "12345",
        "countryCode": "SA",
    }
    # An address being written is kept as given: whether it is complete is asked when a standard invoice is
    # issued to the client (tests/invoicing/zatca/test_clearance.py), which names what is missing.
    partial = owner_client.post(url, {"name": "x", "address": {"postalCode": "123"}}, format="json")
    assert partial.status_code == 201
    assert partial.json()["client"]["address"]["postalCode"] == "123"
    refused = owner_client.post(url, {"name": "x", "crNumber": "12"}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"crNumber"}
    # Outside Saudi Arabia the parts are as the country writes them.
    abroad = owner_client.post(
        url, {"name": "y", "address": {"postalCode": "SW1A 1AA", "countryCode": "gb"}}, format="json"
    )
    assert abroad.json()["client"]["address"]["countryCode"] == "GB"
