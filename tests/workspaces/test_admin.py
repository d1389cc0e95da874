from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client as Browser

from tests.conftest import make_staff
from tests.factories import ClientFactory, UserFactory
from workspaces.models import Client, Membership, Store, Workspace

pytestmark = pytest.mark.django_db


def test_owner_sees_only_their_workspaces_clients(client, owner, workspace, other_workspace):
    mine = ClientFactory(workspace=workspace, name="عميلي")
    theirs = ClientFactory(workspace=other_workspace, name="Their client")
    client.force_login(owner)

    listing = client.get("/admin/workspaces/client/")
    assert listing.status_code == 200
    assert "عميلي" in listing.content.decode()
    assert "Their client" not in listing.content.decode()
    assert client.get(f"/admin/workspaces/client/{mine.pk}/change/").status_code == 200
    # Another workspace's row does not exist for this admin: Django redirects to the index.
    assert client.get(f"/admin/workspaces/client/{theirs.pk}/change/").status_code == 302


def test_owner_adds_a_client_in_their_workspace(client, owner, workspace):
    client.force_login(owner)
    response = client.post(
        "/admin/workspaces/client/add/", {"name": "جديد", "phone": "", "email": "", "tax_number": ""}
    )
    assert response.status_code == 302
    assert Client.objects.get(name="جديد").workspace == workspace


def test_staff_without_admin_access_cannot_sign_in(client, workspace, staff):
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_with_admin_access_needs_the_permission_code_to_write(client, workspace, store):
    viewer = make_staff(workspace, admin_access=True)
    writer = make_staff(workspace, "clients.manage", admin_access=True)
    for user in (viewer, writer):
        user.is_staff = True
        user.save()
    client.force_login(viewer)
    assert client.get("/admin/workspaces/client/").status_code == 200
    assert client.get("/admin/workspaces/client/add/").status_code == 403
    client.force_login(writer)
    assert client.get("/admin/workspaces/client/add/").status_code == 200


def test_workspace_admin_shows_only_ones_own_workspace(client, owner, workspace, other_workspace):
    client.force_login(owner)
    listing = client.get("/admin/workspaces/workspace/").content.decode()
    assert workspace.name in listing
    assert other_workspace.name not in listing


def test_user_of_several_workspaces_switches_between_them(client, owner, workspace, other_workspace):
    Membership.objects.create(workspace=other_workspace, user=owner, role="owner")
    ClientFactory(workspace=other_workspace, name="In the other one")
    client.force_login(owner)
    assert "In the other one" not in client.get("/admin/workspaces/client/").content.decode()
    assert client.get(f"/admin/workspace/{other_workspace.pk}/").status_code == 302
    assert "In the other one" in client.get("/admin/workspaces/client/").content.decode()


def test_superuser_sees_every_workspace(client, workspace, other_workspace):
    ClientFactory(workspace=workspace, name="A-client")
    ClientFactory(workspace=other_workspace, name="B-client")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get("/admin/workspaces/client/").content.decode()
    assert "A-client" in html and "B-client" in html


def test_admin_in_arabic_is_right_to_left(client, owner):
    client.force_login(owner)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in html
    assert 'lang="ar"' in html


def test_api_key_created_in_admin_shows_the_key_once(client, owner, workspace):
    client.force_login(owner)
    response = client.post("/admin/workspaces/apikey/add/", {"name": "From admin"}, follow=True)
    assert response.status_code == 200
    assert "sk_" in response.content.decode()
    assert workspace.api_keys.get().name == "From admin"


def test_seed_demo_is_idempotent_and_prints_the_logins(capsys):
    call_command("seed_demo", "--allow-without-debug")
    call_command("seed_demo", "--allow-without-debug")
    out = capsys.readouterr().out
    assert "owner@demo.example" in out and "cashier@demo.example" in out
    assert Workspace.objects.count() == 1
    workspace = Workspace.objects.get()
    assert Membership.objects.filter(workspace=workspace).count() == 3
    assert Client.objects.filter(workspace=workspace).count() == 3


def test_owner_adds_a_staff_member_in_the_admin_through_the_service(client, owner, workspace, store):
    client.force_login(owner)
    response = client.post(
        "/admin/workspaces/membership/add/",
        {
            "email": "New.Cashier@Shop.sa",
            "name": "نورة",
            "password": "a-long-pass-99",
            "permissions": ["store.orders.manage"],
            "store": store.pk,
            "admin_access": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user__email="new.cashier@shop.sa")
    assert (membership.workspace, membership.role, membership.permissions, membership.admin_access) == (
        workspace,
        "staff",
        ["store.orders.manage"],
        True,
    )
    # Admin access lives on the membership; the global is_staff flag stays untouched.
    assert membership.user.check_password("a-long-pass-99") and not membership.user.is_staff
    login = Browser()
    response = login.post(
        "/admin/login/?next=/admin/", {"username": "new.cashier@shop.sa", "password": "a-long-pass-99"}
    )
    assert response.status_code == 302 and response.url == "/admin/"


def test_admin_refuses_an_existing_member_with_a_message(client, owner, staff):
    client.force_login(owner)
    response = client.post(
        "/admin/workspaces/membership/add/", {"email": staff.email, "name": "x"}, follow=True
    )
    assert "already a member" in response.content.decode()


def test_owner_changes_permissions_with_checkboxes(client, owner, workspace, staff):
    membership = Membership.objects.get(user=staff)
    client.force_login(owner)
    page = client.get(f"/admin/workspaces/membership/{membership.pk}/change/").content.decode()
    assert 'type="checkbox" name="permissions" value="clients.manage"' in page
    client.post(
        f"/admin/workspaces/membership/{membership.pk}/change/",
        {"permissions": ["clients.manage", "catalog.manage"], "admin_access": "on"},
    )
    membership.refresh_from_db()
    assert membership.permissions == ["catalog.manage", "clients.manage"]


def test_the_owners_membership_cannot_be_changed_or_deleted_in_the_admin(client, owner):
    membership = Membership.objects.get(user=owner)
    client.force_login(owner)
    client.post(f"/admin/workspaces/membership/{membership.pk}/delete/", {"post": "yes"})
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert (
        client.post(f"/admin/workspaces/membership/{membership.pk}/change/", {"permissions": []}).status_code
        == 403
    )


def test_client_discount_rules_apply_in_the_admin(client, owner, workspace):
    client.force_login(owner)
    response = client.post(
        "/admin/workspaces/client/add/",
        {
            "name": "VIP",
            "phone": "",
            "email": "",
            "tax_number": "",
            "pos_discount_type": "percent",
            "pos_discount_value": "150",
            "pos_discount_active": "on",
        },
    )
    assert response.status_code == 200
    assert "A percent is at most 100." in response.content.decode()
    assert not Client.objects.filter(name="VIP").exists()


def test_workspace_admin_refuses_an_unknown_currency_or_time_zone(client, owner, workspace):
    client.force_login(owner)
    response = client.post(
        f"/admin/workspaces/workspace/{workspace.pk}/change/",
        {"name": "x", "currency": "XYZ", "timezone": "Mars/Olympus", "legal_name": "", "vat_number": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not an ISO 4217 currency code." in html and "Not a known time zone." in html
    workspace.refresh_from_db()
    assert (workspace.currency, workspace.timezone) == ("SAR", "Asia/Riyadh")


def test_switching_to_a_workspace_one_is_not_admin_of_is_404(client, owner, other_workspace):
    client.force_login(owner)
    assert client.get(f"/admin/workspace/{other_workspace.pk}/").status_code == 404


def test_a_store_added_or_changed_in_the_admin_goes_through_the_service(client, owner, workspace, store):
    client.force_login(owner)
    store.code = "MAIN"
    store.save()

    response = client.post("/admin/workspaces/store/add/", {"name": "Olaya", "code": "  ", "address": ""})
    assert response.status_code == 302
    olaya = Store.objects.get(name="Olaya")
    assert (olaya.workspace, olaya.code, olaya.address) == (workspace, None, "")  # a blank code is no code

    for url in ("/admin/workspaces/store/add/", f"/admin/workspaces/store/{olaya.pk}/change/"):
        response = client.post(url, {"name": "Olaya", "code": "MAIN", "address": ""})
        assert response.status_code == 200, url
        assert response.context["adminform"].form.errors == {
            "code": ["A store with this code already exists."]
        }
    assert (
        client.post(
            f"/admin/workspaces/store/{olaya.pk}/change/",
            {"name": "Olaya 2", "code": "OLY", "address": "Riyadh"},
        ).status_code
        == 302
    )
    olaya.refresh_from_db()
    assert (olaya.name, olaya.code, olaya.address, Store.objects.count()) == ("Olaya 2", "OLY", "Riyadh", 2)


def client_form(**fields) -> dict:
    return {"name": "VIP", "phone": "", "email": "", "tax_number": "", **fields}


def test_a_client_added_or_changed_in_the_admin_goes_through_the_service(client, owner, workspace):
    client.force_login(owner)

    response = client.post(
        "/admin/workspaces/client/add/",
        client_form(pos_discount_type="fixed", pos_discount_value="5.50", pos_discount_active="on"),
    )
    assert response.status_code == 302
    vip = Client.objects.get(name="VIP")
    assert (vip.workspace, vip.pos_discount_type, vip.pos_discount_value, vip.pos_discount_active) == (
        workspace,
        "fixed",
        Decimal("5.50"),
        True,
    )

    # No discount type: the service removes the discount, its value too.
    url = f"/admin/workspaces/client/{vip.pk}/change/"
    assert client.post(url, client_form(name="VIP 2", pos_discount_value="5")).status_code == 302
    vip.refresh_from_db()
    assert (vip.name, vip.pos_discount_type, vip.pos_discount_value, vip.pos_discount_active) == (
        "VIP 2",
        None,
        None,
        False,
    )

    response = client.post(url, client_form(pos_discount_type="fixed", pos_discount_value="1.001"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"pos_discount_value": ["At most 2 decimal places."]}


def test_a_client_deleted_in_the_admin_goes_through_the_service(client, owner, workspace):
    client.force_login(owner)
    doomed = ClientFactory(workspace=workspace)

    response = client.post(f"/admin/workspaces/client/{doomed.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Client.objects.filter(pk=doomed.pk).exists()


def test_owner_changes_the_workspace_in_the_admin_through_the_service(client, owner, workspace):
    from unittest import mock

    from workspaces import services

    client.force_login(owner)
    form = client.get(f"/admin/workspaces/workspace/{workspace.pk}/change/")
    assert form.status_code == 200
    fields = {
        "name": "مقهى الورد",
        "currency": workspace.currency,
        "timezone": workspace.timezone,
        "legal_name": "شركة الورد",
        "vat_number": "",
        "suppliers_enabled": "on",
        "receipt_language": "ar-en",
    }
    with mock.patch.object(services, "workspace_update", wraps=services.workspace_update) as update:
        response = client.post(f"/admin/workspaces/workspace/{workspace.pk}/change/", fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    update.assert_called_once()
    workspace.refresh_from_db()
    assert (workspace.name, workspace.legal_name, workspace.receipt_language) == (
        "مقهى الورد",
        "شركة الورد",
        "ar-en",
    )


def test_stores_and_taxes_cannot_be_deleted_in_the_admin(client, owner, workspace, store):
    from tests.invoicing.factories import TaxFactory

    tax = TaxFactory(workspace=workspace)
    client.force_login(owner)
    assert client.get(f"/admin/workspaces/store/{store.pk}/delete/").status_code == 403
    assert client.get(f"/admin/invoicing/tax/{tax.pk}/delete/").status_code == 403
    assert Store.objects.filter(pk=store.pk).exists()


def test_a_business_clients_address_and_cr_number_are_kept_through_the_admin(client, owner, workspace):
    """The buyer of a standard tax invoice (section 8c): its address parts and CR number, saved by the API's
    service under the API's names, and kept when the client is saved again without touching them."""
    client.force_login(owner)
    form = {
        "name": "مطعم النخيل",
        "phone": "",
        "email": "",
        "tax_number": "399999999900003",
        "cr_number": "1010101010",
        "address_street": "طريق الملك فهد",
        "address_building_number": "2322",
        "address_district": "العليا",
        "address_city": "الرياض",
        "address_postal_code": "12345",
        "address_country_code": "",
    }
    assert client.post("/admin/workspaces/client/add/", form).status_code == 302
    buyer = Client.objects.get(name="مطعم النخيل")
    assert buyer.cr_number == "1010101010"
    assert buyer.address == {
        "street": "طريق الملك فهد",
        "buildingNumber": "2322",
        "district": "العليا",
        "city": "الرياض",
        "postalCode": "12345",
        "countryCode": "SA",
    }
    page = client.get(f"/admin/workspaces/client/{buyer.pk}/change/").content.decode()
    assert 'value="2322"' in page and 'value="1010101010"' in page
    refused = client.post("/admin/workspaces/client/add/", {**form, "name": "x", "cr_number": "12"})
    assert refused.status_code == 200 and not Client.objects.filter(name="x").exists()
