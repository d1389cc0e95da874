"""PRODUCT.md section 3, "Members and their accounts": no request of one workspace changes what another sees."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.utils import timezone
from rest_framework.test import APIClient

from tests.concurrency import run_together
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from workspaces.models import Membership, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-99"


def staff_url(workspace, membership=None) -> str:
    base = f"/v1/workspace/{workspace.pk}/staff"
    return f"{base}/{membership.pk}" if membership else base


@pytest.fixture
def intruder():
    """The owner of workspace B."""
    workspace = WorkspaceFactory(name="B")
    user = UserFactory(name="Owner of B")
    MembershipFactory(workspace=workspace, user=user, role=Membership.Role.OWNER, admin_access=True)
    return workspace, client_for(user)


def test_another_workspace_cannot_rename_or_promote_a_shared_user(intruder, owner, owner_client, workspace):
    b_workspace, b_client = intruder
    # Given: B adds A's owner by e-mail (the name and password sent are ignored).
    added = b_client.post(
        staff_url(b_workspace), {"email": owner.email, "name": "Hacked", "password": PASSWORD}, format="json"
    )
    assert added.status_code == 201
    membership = Membership.objects.get(workspace=b_workspace, user=owner)
    # When: B renames that user, sets a password, and grants admin access.
    renamed = b_client.patch(staff_url(b_workspace, membership), {"name": "Hacked"}, format="json")
    repassed = b_client.patch(
        staff_url(b_workspace, membership), {"password": "another-pass-77"}, format="json"
    )
    promoted = b_client.patch(staff_url(b_workspace, membership), {"adminAccess": True}, format="json")
    # Then: the account is untouched; admin access is B's membership only.
    assert (renamed.status_code, renamed.json()["code"]) == (409, "account_shared")
    assert (repassed.status_code, repassed.json()["code"]) == (409, "account_shared")
    assert promoted.status_code == 200 and promoted.json()["staff"]["adminAccess"] is True
    owner.refresh_from_db()
    assert (owner.name, owner.is_staff, owner.check_password("another-pass-77")) == (
        "Sara Owner",
        False,
        False,
    )
    assert owner_client.get("/v1/me").json()["user"]["name"] == "Sara Owner"


def test_a_user_of_this_workspace_alone_can_be_renamed(owner_client, workspace):
    created = owner_client.post(
        staff_url(workspace), {"email": "new@shop.sa", "name": "Old", "password": PASSWORD}, format="json"
    ).json()["staff"]
    url = f"{staff_url(workspace)}/{created['id']}"
    response = owner_client.patch(url, {"name": "New", "password": "brand-new-pass-55"}, format="json")
    assert response.status_code == 200 and response.json()["staff"]["name"] == "New"
    assert User.objects.get(email="new@shop.sa").check_password("brand-new-pass-55")


def test_admin_access_is_per_workspace(client, intruder, owner, workspace):
    """A's staff member given admin access by B logs in to B's admin only, never to A's."""
    b_workspace, b_client = intruder
    member = UserFactory(name="Cashier of A")
    member.set_password(PASSWORD)
    member.save()
    MembershipFactory(workspace=workspace, user=member)  # no admin access in A
    invited = b_client.post(
        staff_url(b_workspace), {"email": member.email, "name": "x", "adminAccess": True}, format="json"
    )
    # B's membership is an invitation until the member, with a verified address, accepts it.
    member.email_verified_at = timezone.now()
    member.save()
    accepted = client_for(member).post(f"/v1/me/invitations/{invited.json()['staff']['id']}/accept")
    assert accepted.status_code == 200
    client.force_login(member)
    client.get(f"/admin/workspace/{workspace.pk}/")
    assert client.get(f"/admin/workspace/{workspace.pk}/").status_code == 404
    member.refresh_from_db()
    assert member.is_staff is False


def token_pair(email: str, password: str = PASSWORD) -> dict:
    response = APIClient().post("/v1/auth/token", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def refresh(token: str):
    return APIClient().post("/v1/auth/token/refresh", {"refresh": token}, format="json")


def test_a_refresh_token_from_before_a_password_change_is_401(owner):
    owner.set_password(PASSWORD)
    owner.save()
    old = token_pair(owner.email)["refresh"]
    api = APIClient()
    api.force_authenticate(owner)
    changed = api.post(
        "/v1/me/password", {"currentPassword": PASSWORD, "newPassword": "a-new-pass-42"}, format="json"
    )
    assert changed.status_code == 204
    response = refresh(old)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert refresh(token_pair(owner.email, "a-new-pass-42")["refresh"]).status_code == 200


def test_a_wrong_current_password_is_a_400(owner):
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post(
        "/v1/me/password", {"currentPassword": "nope", "newPassword": "x-y-z-1234"}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["currentPassword"]


def test_me_password_needs_credentials():
    response = APIClient().post(
        "/v1/me/password", {"currentPassword": "a", "newPassword": "b"}, format="json"
    )
    assert response.status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_twenty_concurrent_refreshes_exactly_one_succeeds():
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()
    token = token_pair(user.email)["refresh"]
    results = run_together(20, lambda _i: refresh(token).status_code)
    statuses = sorted(value for _kind, value in results)
    assert statuses == [200] + [401] * 19, results


# --- Issue 15: another shop's staff account taken in advance; logins ------------------------------------------


def test_a_squatter_of_the_address_is_not_handed_the_shop(owner_client, workspace):
    # Given: a squatter registers the address a shop will later add as staff (no mailbox needed).
    registered = APIClient().post(
        "/v1/auth/register",
        {"email": "cashier@shop.sa", "password": PASSWORD, "name": "Squatter", "workspaceName": "S"},
        format="json",
    )
    assert registered.status_code == 201
    # When: the shop adds that address with admin access and its own password.
    added = owner_client.post(
        staff_url(workspace),
        {"email": "cashier@shop.sa", "name": "Cashier", "password": "the-shops-pass-77", "adminAccess": True},
        format="json",
    )
    # Then: an invitation, with the address and no name; the squatter gets nothing of the shop.
    assert added.status_code == 201
    assert (added.json()["staff"]["status"], added.json()["staff"]["name"]) == ("invited", None)
    squatter = APIClient()
    squatter.credentials(HTTP_AUTHORIZATION=f"Bearer {registered.json()['access']}")
    assert squatter.get(f"/v1/workspace/{workspace.pk}").status_code == 403
    accepted = squatter.post(f"/v1/me/invitations/{added.json()['staff']['id']}/accept")
    assert (accepted.status_code, accepted.json()["code"]) == (403, "email_not_verified")
    browser = Browser()
    login = browser.post("/admin/login/?next=/admin/", {"username": "cashier@shop.sa", "password": PASSWORD})
    assert login.status_code == 302  # into their own workspace's admin, never the shop's
    assert browser.get(f"/admin/workspace/{workspace.pk}/").status_code == 404
    assert workspace.name not in browser.get("/admin/").content.decode()
    # Their own workspace still answers claim-less requests.
    assert (
        squatter.get("/v1/me").json()["memberships"][0]["workspaceId"] == registered.json()["workspace"]["id"]
    )


def test_forty_wrong_passwords_then_the_right_one_is_429(owner):
    api = APIClient()
    statuses = [
        api.post(
            "/v1/auth/token", {"email": owner.email, "password": f"wrong-{n}"}, format="json"
        ).status_code
        for n in range(40)
    ]
    assert statuses == [401] * 10 + [429] * 30
    response = api.post(
        "/v1/auth/token", {"email": owner.email, "password": "correct-horse-42"}, format="json"
    )
    assert response.status_code == 429 and response.json()["code"] == "too_many_attempts"
    assert int(response["Retry-After"]) > 0


def test_eight_spaces_is_not_a_password():
    response = APIClient().post(
        "/v1/auth/register",
        {"email": "a@shop.sa", "password": " " * 8, "name": "n", "workspaceName": "w"},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["password"]
