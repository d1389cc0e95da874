"""The workspaces app's admin pages allow exactly whom the API allows (PRODUCT.md section 3, "The admin enforces
what the API enforces"), and the services check the permission themselves, whatever door the caller came through."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import make_staff
from tests.factories import ClientFactory, MembershipFactory, UserFactory
from workspaces import codes, services
from workspaces.errors import ApplicationError
from workspaces.models import ApiKey, Client, Membership, Store
from workspaces.tenancy import Access

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_key(owner, workspace):
    access = Access(
        workspace=workspace, user=owner, membership=Membership.objects.get(user=owner), api_key=None
    )
    api_key, _raw = services.api_key_create(workspace=workspace, access=access, name="Owner's key")
    return api_key


@pytest.fixture
def viewer(client, workspace, store):
    """A staff member with admin access and only `suppliers.view`, signed in to the admin."""
    user = make_staff(workspace, codes.SUPPLIERS_VIEW, admin_access=True)
    client.force_login(user)
    return user


def test_staff_cannot_list_or_revoke_api_keys(client, viewer, owner_key):
    assert client.get("/admin/workspaces/apikey/").status_code == 403
    assert client.get(f"/admin/workspaces/apikey/{owner_key.pk}/change/").status_code == 403
    response = client.post(
        "/admin/workspaces/apikey/", {"action": "revoke", "_selected_action": [owner_key.pk]}
    )
    assert response.status_code == 403
    owner_key.refresh_from_db()
    assert owner_key.revoked_at is None
    assert client.get("/admin/workspaces/apikey/add/").status_code == 403


def test_staff_cannot_see_or_change_the_staff(client, viewer, workspace, staff):
    membership = Membership.objects.get(user=staff)
    assert client.get("/admin/workspaces/membership/").status_code == 403
    assert client.get(f"/admin/workspaces/membership/{membership.pk}/change/").status_code == 403
    assert client.get("/admin/workspaces/membership/add/").status_code == 403
    assert (
        client.post(f"/admin/workspaces/membership/{membership.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_staff_reads_but_does_not_change_the_workspace_stores_and_clients(client, viewer, workspace, store):
    a_client = ClientFactory(workspace=workspace)
    assert client.get("/admin/workspaces/workspace/").status_code == 200
    assert client.get("/admin/workspaces/store/").status_code == 200
    assert client.get("/admin/workspaces/client/").status_code == 200
    response = client.post(
        f"/admin/workspaces/workspace/{workspace.pk}/change/",
        {"name": "x", "currency": "SAR", "timezone": "Asia/Riyadh", "receipt_language": "ar"},
    )
    assert response.status_code == 403
    assert (
        client.post("/admin/workspaces/store/add/", {"name": "x", "code": "", "address": ""}).status_code
        == 403
    )
    assert client.post("/admin/workspaces/client/add/", {"name": "x"}).status_code == 403
    assert client.post(f"/admin/workspaces/client/{a_client.pk}/delete/", {"post": "yes"}).status_code == 403
    workspace.refresh_from_db()
    assert workspace.name != "x"
    assert Store.objects.count() == 1 and Client.objects.count() == 1


def test_the_owner_may_do_all_of_it(client, owner, workspace, staff, owner_key):
    client.force_login(owner)
    for url in (
        "/admin/workspaces/apikey/",
        "/admin/workspaces/membership/",
        f"/admin/workspaces/membership/{Membership.objects.get(user=staff).pk}/change/",
        "/admin/workspaces/membership/add/",
        "/admin/workspaces/apikey/add/",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/admin/workspaces/apikey/", {"action": "revoke", "_selected_action": [owner_key.pk]}
    )
    assert response.status_code == 302
    owner_key.refresh_from_db()
    assert owner_key.revoked_at is not None


def test_clients_manage_writes_clients_in_the_admin(client, workspace):
    writer = make_staff(workspace, codes.CLIENTS_MANAGE, admin_access=True)
    client.force_login(writer)
    response = client.post(
        "/admin/workspaces/client/add/", {"name": "جديد", "phone": "", "email": "", "tax_number": ""}
    )
    assert response.status_code == 302
    assert Client.objects.get(name="جديد").workspace == workspace
    assert client.get("/admin/workspaces/membership/").status_code == 403


# --- Invitations in the admin ---------------------------------------------------------------------------------


def test_the_admin_invites_an_existing_account_and_shows_its_status(client, owner, workspace, other_owner):
    client.force_login(owner)
    response = client.post(
        "/admin/workspaces/membership/add/",
        {"email": other_owner.email, "name": "ignored", "password": "", "permissions": ["clients.manage"]},
        follow=True,
    )
    assert response.status_code == 200
    invitation = Membership.objects.get(workspace=workspace, user=other_owner)
    assert invitation.status == "invited"
    listing = client.get("/admin/workspaces/membership/").content.decode()
    assert "Invited" in listing
    assert "Other Owner" not in listing
    filtered = client.get("/admin/workspaces/membership/?status__exact=invited").content.decode()
    assert other_owner.email in filtered
    assert (
        client.get("/admin/workspaces/membership/?status__exact=active")
        .content.decode()
        .count(other_owner.email)
        == 0
    )


def test_the_owner_withdraws_an_invitation_in_the_admin(client, owner, workspace, other_owner):
    invitation = MembershipFactory(workspace=workspace, user=other_owner, status=Membership.Status.INVITED)
    client.force_login(owner)
    response = client.post(f"/admin/workspaces/membership/{invitation.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=invitation.pk).exists()


def test_an_invited_admin_access_does_not_open_the_admin(client, workspace, other_workspace):
    user = UserFactory()
    MembershipFactory(workspace=workspace, user=user, status=Membership.Status.INVITED, admin_access=True)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- The services check the permission themselves --------------------------------------------------------------


def access_of(user, workspace) -> Access:
    return Access(
        workspace=workspace,
        user=user,
        membership=Membership.objects.get(user=user, workspace=workspace),
        api_key=None,
    )


def test_every_write_service_refuses_staff_without_the_code(workspace, store, staff, owner, owner_key):
    access = access_of(staff, workspace)
    a_client = ClientFactory(workspace=workspace)
    membership = Membership.objects.get(user=staff)
    calls = {
        "owner": [
            lambda: services.workspace_update(workspace=workspace, access=access, data={"name": "x"}),
            lambda: services.store_create(
                workspace=workspace, access=access, name="x", code=None, address=""
            ),
            lambda: services.store_update(store=store, access=access, data={"name": "x"}),
            lambda: services.staff_create(
                workspace=workspace,
                access=access,
                email="n@example.com",
                name="n",
                password="a-long-pass-99",
                permissions=[],
                store=None,
                admin_access=False,
            ),
            lambda: services.staff_update(membership=membership, access=access, data={"permissions": []}),
            lambda: services.staff_remove(membership=membership, access=access),
            lambda: services.api_key_create(workspace=workspace, access=access, name="k"),
            lambda: services.api_key_revoke(api_key=owner_key, access=access),
        ],
        "clients.manage": [
            lambda: services.client_create(workspace=workspace, access=access, data={"name": "x"}),
            lambda: services.client_update(client=a_client, access=access, data={"name": "x"}),
            lambda: services.client_delete(client=a_client, access=access),
        ],
    }
    for code, refused in calls.items():
        for call in refused:
            with pytest.raises(ApplicationError) as error:
                call()
            assert (error.value.status_code, error.value.details) == (403, {"permission": code})
    owner_key.refresh_from_db()
    assert owner_key.revoked_at is None and Membership.objects.filter(pk=membership.pk).exists()


def test_a_service_refuses_a_row_of_another_workspace(workspace, owner, other_workspace, other_owner):
    access = access_of(owner, workspace)
    foreign = ClientFactory(workspace=other_workspace)
    with pytest.raises(ApplicationError) as error:
        services.client_update(client=foreign, access=access, data={"name": "x"})
    assert error.value.status_code == 404
    foreign_key = ApiKey.objects.create(workspace=other_workspace, name="k", prefix="sk_x", key_hash="h")
    with pytest.raises(ApplicationError):
        services.api_key_revoke(api_key=foreign_key, access=access)
    foreign_key.refresh_from_db()
    assert foreign_key.revoked_at is None


def test_a_back_office_superuser_passes(workspace, store):
    root = UserFactory(is_superuser=True, is_staff=True)
    access = Access(workspace=workspace, user=root, membership=None, api_key=None)
    api_key, _raw = services.api_key_create(workspace=workspace, access=access, name="k")
    services.api_key_revoke(api_key=api_key, access=access)
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None and api_key.revoked_at <= timezone.now()
