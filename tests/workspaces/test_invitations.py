"""PRODUCT.md section 3, "Members and their accounts": adding staff by an e-mail that already has an account makes
an invitation that grants nothing until its holder, with a verified e-mail, accepts it."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from workspaces.admin_lists import scope_to_admin_workspace
from workspaces.api.renderers import format_datetime
from workspaces.models import Membership, User
from workspaces.services import tokens_for

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-99"


def staff_url(workspace, membership_id=None) -> str:
    base = f"/v1/workspace/{workspace.pk}/staff"
    return f"{base}/{membership_id}" if membership_id else base


def register(email: str, name: str = "Squatter") -> dict:
    response = APIClient().post(
        "/v1/auth/register",
        {"email": email, "password": PASSWORD, "name": name, "workspaceName": f"{name}'s shop"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def bearer(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def verified(user: User) -> User:
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


def invite(owner_client, workspace, email: str, **fields):
    body = {"email": email, "name": "Victim", "password": "the-shops-pass-77", **fields}
    return owner_client.post(staff_url(workspace), body, format="json")


# --- The squatted address -------------------------------------------------------------------------------------


def test_a_squatted_address_is_invited_not_handed_the_workspace(owner_client, workspace, store):
    # Given: someone registers victim@x.sa before the shop adds it (no mailbox needed).
    squatter = register("victim@x.sa")
    # When: the shop adds victim@x.sa as staff with admin access and its own password.
    added = invite(owner_client, workspace, "victim@x.sa", adminAccess=True, permissions=["clients.manage"])
    # Then: an invitation, showing the e-mail and the status, never the squatter's name.
    assert added.status_code == 201, added.content
    membership = Membership.objects.get(workspace=workspace, user__email="victim@x.sa")
    assert added.json() == {
        "staff": {
            "id": str(membership.pk),
            "workspaceId": str(workspace.pk),
            "userId": str(membership.user_id),
            "email": "victim@x.sa",
            "name": None,
            "status": "invited",
            "role": "staff",
            "permissions": ["clients.manage"],
            "storeId": None,
            "adminAccess": True,
            "createdAt": format_datetime(membership.created_at),
            "updatedAt": format_datetime(membership.updated_at),
        }
    }
    assert "Squatter" not in added.content.decode()
    # The shop's password was not set on the squatter's account, and gives no token.
    assert APIClient().post(
        "/v1/auth/token", {"email": "victim@x.sa", "password": "the-shops-pass-77"}, format="json"
    ).status_code in (401, 429)
    # The squatter's token cannot use the shop, nor ask a token for it, nor log in to its admin.
    api = bearer(squatter["access"])
    assert api.get(f"/v1/workspace/{workspace.pk}").status_code == 403
    assert api.get(f"/v1/workspace/{workspace.pk}/clients").status_code == 403
    token = APIClient().post(
        "/v1/auth/token",
        {"email": "victim@x.sa", "password": PASSWORD, "workspaceId": str(workspace.pk)},
        format="json",
    )
    assert token.status_code == 403
    # Their own workspace still resolves without a claim (the invitation is not a membership).
    me = api.get("/v1/me").json()
    assert [m["workspaceId"] for m in me["memberships"]] == [squatter["workspace"]["id"]]
    browser = Browser()
    browser.force_login(User.objects.get(email="victim@x.sa"))
    browser.get(f"/admin/workspace/{workspace.pk}/")
    assert browser.get(f"/admin/workspace/{workspace.pk}/").status_code == 404
    assert workspace.name not in browser.get("/admin/").content.decode()
    # And the staff list shows the invitation the same way.
    listed = owner_client.get(staff_url(workspace)).json()["staff"]
    assert [(s["email"], s["name"], s["status"]) for s in listed] == [("victim@x.sa", None, "invited")]


def test_the_squatter_cannot_accept_without_a_verified_address(workspace, owner_client):
    squatter = register("victim@x.sa")
    invitation_id = invite(owner_client, workspace, "victim@x.sa").json()["staff"]["id"]
    api = bearer(squatter["access"])
    response = api.post(f"/v1/me/invitations/{invitation_id}/accept")
    assert response.status_code == 403
    assert response.json() == {
        "message": "Verify your e-mail address before accepting an invitation.",
        "code": "email_not_verified",
    }
    assert Membership.objects.get(pk=invitation_id).status == "invited"


def test_after_verifying_and_accepting_the_workspace_works(workspace, owner_client, store):
    holder = register("real@x.sa", name="Real Person")
    invitation_id = invite(owner_client, workspace, "real@x.sa", permissions=["clients.manage"]).json()[
        "staff"
    ]["id"]
    verified(User.objects.get(email="real@x.sa"))
    api = bearer(holder["access"])
    accepted = api.post(f"/v1/me/invitations/{invitation_id}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json() == {
        "membership": {
            "workspaceId": str(workspace.pk),
            "role": "staff",
            "permissions": ["clients.manage"],
        }
    }
    assert api.get(f"/v1/workspace/{workspace.pk}/clients").status_code == 200
    assert api.post(f"/v1/workspace/{workspace.pk}/clients", {"name": "c"}, format="json").status_code == 201
    listed = owner_client.get(staff_url(workspace)).json()["staff"]
    assert [(s["email"], s["name"], s["status"]) for s in listed] == [("real@x.sa", "Real Person", "active")]
    # A second accept: the invitation is gone (a membership now).
    assert api.post(f"/v1/me/invitations/{invitation_id}/accept").status_code == 404


def test_a_claimless_token_of_an_owner_invited_elsewhere_keeps_its_one_workspace(
    owner, workspace, other_workspace
):
    # Given: another shop invites this owner's address.
    MembershipFactory(workspace=other_workspace, user=owner, status=Membership.Status.INVITED)
    api = client_for(owner)
    # Then: claim-less requests still resolve the owner's one active workspace.
    response = api.get("/v1/me")
    assert [m["workspaceId"] for m in response.json()["memberships"]] == [str(workspace.pk)]
    from types import SimpleNamespace

    from workspaces.api.permissions import resolve_access

    access = resolve_access(SimpleNamespace(user=owner, auth=AccessToken.for_user(owner)), None)
    assert access.workspace == workspace
    assert api.get(f"/v1/workspace/{other_workspace.pk}").status_code == 403


# --- GET /v1/me/invitations -----------------------------------------------------------------------------------


@pytest.fixture
def invited(db):
    """A verified user invited to two workspaces (and member of a third)."""
    user = verified(UserFactory(name="Invitee"))
    first = WorkspaceFactory(name="مقهى أ")
    second = WorkspaceFactory(name="Shop B")
    one = MembershipFactory(
        workspace=first, user=user, status=Membership.Status.INVITED, permissions=["suppliers.manage"]
    )
    two = MembershipFactory(workspace=second, user=user, status=Membership.Status.INVITED)
    MembershipFactory(user=user)  # an active membership: not an invitation
    return user, one, two


def test_list_invitations_exact_shape(invited, django_assert_num_queries):
    user, one, two = invited
    api = client_for(user)
    with django_assert_num_queries(2):  # the user, the invitations with their workspace
        response = api.get("/v1/me/invitations")
    assert response.status_code == 200
    assert response.json() == {
        "invitations": [
            {
                "id": str(two.pk),
                "workspaceId": str(two.workspace_id),
                "workspaceName": "Shop B",
                "permissions": [],
                "invitedAt": format_datetime(two.created_at),
            },
            {
                "id": str(one.pk),
                "workspaceId": str(one.workspace_id),
                "workspaceName": "مقهى أ",
                "permissions": ["suppliers.manage", "suppliers.view"],
                "invitedAt": format_datetime(one.created_at),
            },
        ],
        "nextCursor": None,
    }


def test_list_invitations_is_paged(invited):
    user, _one, two = invited
    response = client_for(user).get("/v1/me/invitations?limit=1")
    body = response.json()
    assert [i["id"] for i in body["invitations"]] == [str(two.pk)] and body["nextCursor"]
    assert client_for(user).get("/v1/me/invitations?limit=0").status_code == 400


def test_invitations_need_credentials_and_a_person(owner, workspace):
    assert APIClient().get("/v1/me/invitations").status_code == 401
    assert APIClient().post("/v1/me/invitations/1/accept").status_code == 401
    assert APIClient().post("/v1/me/invitations/1/decline").status_code == 401
    from workspaces.services import api_key_create
    from workspaces.tenancy import Access

    membership = Membership.objects.get(user=owner)
    access = Access(workspace=workspace, user=owner, membership=membership, api_key=None)
    _key, raw = api_key_create(workspace=workspace, access=access, name="k")
    response = client_for(api_key=raw).get("/v1/me/invitations")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


# --- Accept and decline ---------------------------------------------------------------------------------------


def test_accept_query_count_and_effect(invited, django_assert_num_queries):
    user, one, _two = invited
    api = client_for(user)
    # The user; the invitation with its workspace, locked; the update; the transaction's savepoint pair.
    with django_assert_num_queries(5):
        response = api.post(f"/v1/me/invitations/{one.pk}/accept")
    assert response.status_code == 200
    one.refresh_from_db()
    assert one.status == "active"
    assert api.get(f"/v1/workspace/{one.workspace_id}").status_code == 200


def test_decline_removes_the_invitation(invited, django_assert_num_queries):
    user, one, _two = invited
    api = client_for(user)
    # The user; the invitation with its workspace, locked; the delete; the transaction's savepoint pair.
    with django_assert_num_queries(5):
        response = api.post(f"/v1/me/invitations/{one.pk}/decline")
    assert response.status_code == 200
    assert response.json() == {
        "invitation": {
            "id": str(one.pk),
            "workspaceId": str(one.workspace_id),
            "workspaceName": "مقهى أ",
            "permissions": ["suppliers.manage", "suppliers.view"],
            "invitedAt": format_datetime(one.created_at),
        }
    }
    assert not Membership.objects.filter(pk=one.pk).exists()
    assert api.post(f"/v1/me/invitations/{one.pk}/decline").status_code == 404


def test_decline_needs_no_verified_address(workspace):
    user = UserFactory()
    invitation = MembershipFactory(workspace=workspace, user=user, status=Membership.Status.INVITED)
    assert client_for(user).post(f"/v1/me/invitations/{invitation.pk}/decline").status_code == 200


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_another_users_invitation_is_404(invited, action):
    _user, one, _two = invited
    stranger = verified(UserFactory())
    response = client_for(stranger).post(f"/v1/me/invitations/{one.pk}/{action}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Membership.objects.get(pk=one.pk).status == "invited"


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_an_active_membership_is_not_an_invitation(invited, action):
    user, _one, _two = invited
    active = Membership.objects.get(user=user, status="active")
    assert client_for(user).post(f"/v1/me/invitations/{active.pk}/{action}").status_code == 404
    assert client_for(user).post(f"/v1/me/invitations/999999999/{action}").status_code == 404
    assert Membership.objects.filter(pk=active.pk, status="active").exists()


# --- The owner's side: 409, PATCH, DELETE ---------------------------------------------------------------------


def test_an_existing_invitation_or_member_is_409(owner_client, workspace, other_owner, staff):
    assert invite(owner_client, workspace, other_owner.email).status_code == 201
    again = invite(owner_client, workspace, other_owner.email)
    assert (again.status_code, again.json()["code"]) == (409, "already_member")
    member = invite(owner_client, workspace, staff.email)
    assert (member.status_code, member.json()["code"]) == (409, "already_member")


def test_a_new_email_is_an_active_member_at_once(owner_client, workspace):
    response = invite(owner_client, workspace, "cashier@shop.sa")
    assert response.status_code == 201
    staff = response.json()["staff"]
    assert (staff["status"], staff["name"]) == ("active", "Victim")
    user = User.objects.get(email="cashier@shop.sa")
    assert user.check_password("the-shops-pass-77") and user.email_verified_at is None


def test_the_owner_withdraws_an_invitation_and_may_change_its_codes(owner_client, workspace, other_owner):
    invitation_id = invite(owner_client, workspace, other_owner.email).json()["staff"]["id"]
    changed = owner_client.patch(staff_url(workspace, invitation_id), {"permissions": ["orders.manage"]})
    assert changed.status_code == 200
    assert (changed.json()["staff"]["permissions"], changed.json()["staff"]["status"]) == (
        ["orders.manage"],
        "invited",
    )
    for body in ({"name": "Hacked"}, {"password": "another-pass-77"}):
        refused = owner_client.patch(staff_url(workspace, invitation_id), body, format="json")
        assert (refused.status_code, refused.json()["code"]) == (409, "account_shared")
    assert owner_client.delete(staff_url(workspace, invitation_id)).status_code == 204
    assert not Membership.objects.filter(pk=invitation_id).exists()
    assert client_for(other_owner).get("/v1/me/invitations").json()["invitations"] == []


def test_an_invitation_of_an_account_without_other_membership_is_still_account_shared(
    owner_client, workspace
):
    loner = UserFactory(name="Loner")  # e.g. removed from the shop that created them
    invitation_id = invite(owner_client, workspace, loner.email).json()["staff"]["id"]
    refused = owner_client.patch(staff_url(workspace, invitation_id), {"name": "Hacked"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "account_shared")
    loner.refresh_from_db()
    assert loner.name == "Loner"


def test_an_invited_membership_grants_nothing_even_if_its_flags_say_so(workspace, other_owner):
    invitation = MembershipFactory(
        workspace=workspace,
        user=other_owner,
        status=Membership.Status.INVITED,
        permissions=["clients.manage"],
        admin_access=True,
    )
    assert invitation.granted() == frozenset()
    api = client_for(other_owner, workspace_id=workspace.pk)
    assert api.get(f"/v1/workspace/{workspace.pk}").status_code == 403
    refresh = tokens_for(user=other_owner, workspace_id=workspace.pk)["refresh"]
    response = APIClient().post("/v1/auth/token/refresh", {"refresh": refresh}, format="json")
    assert response.status_code == 401


def test_the_admin_never_offers_an_invited_account_among_the_workspace_users(owner_client, owner, workspace):
    register("private@example.com", name="Private Person")
    invite(owner_client, workspace, "private@example.com")
    request = RequestFactory().get("/admin/")
    request.user, request.session = owner, {}
    offered = scope_to_admin_workspace(request, User.objects.all())
    assert list(offered.values_list("email", flat=True)) == [owner.email]
