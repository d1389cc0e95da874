import datetime as dt

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tests.conftest import PASSWORD, client_for
from tests.factories import UserFactory, owner_access
from workspaces.models import Membership, Store, User, Workspace
from workspaces.services import api_key_create, tokens_for

pytestmark = pytest.mark.django_db

REGISTER = {
    "email": "Owner@Example.com",
    "password": "s3cure-pass-word!",
    "name": "سارة",
    "workspaceName": "مقهى الياسمين",
}


def test_register_creates_owner_workspace_and_first_store(api_client):
    response = api_client.post("/v1/auth/register", REGISTER, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user", "workspace", "access", "refresh"}
    user = User.objects.get()
    workspace = Workspace.objects.get()
    assert body["user"] == {
        "id": str(user.pk),
        "email": "owner@example.com",
        "name": "سارة",
        "emailVerified": False,
    }
    assert body["workspace"]["id"] == str(workspace.pk)
    assert body["workspace"]["currency"] == "SAR"
    assert body["workspace"]["timezone"] == "Asia/Riyadh"
    assert body["workspace"]["suppliersEnabled"] is True
    assert body["workspace"]["allowNegativeStock"] is False
    assert Membership.objects.get().role == "owner"
    assert Store.objects.filter(workspace=workspace).count() == 1
    me = client_for().get("/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200
    assert me.json()["memberships"][0]["role"] == "owner"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "123"}, "password"),
        ({"currency": "XYZ"}, "currency"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"name": 5}, "name"),
        ({"workspaceName": None}, "workspaceName"),
    ],
)
def test_register_validation(api_client, change, field):
    response = api_client.post("/v1/auth/register", {**REGISTER, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["errors"]
    assert not User.objects.exists()


def test_register_missing_field(api_client):
    response = api_client.post("/v1/auth/register", {"email": "a@b.co"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"password", "name", "workspaceName"}


def test_register_existing_email_is_409(api_client):
    UserFactory(email="owner@example.com")
    response = api_client.post("/v1/auth/register", REGISTER, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"


def test_token_and_refresh_rotation(owner):
    api = APIClient()
    response = api.post("/v1/auth/token", {"email": owner.email.upper(), "password": PASSWORD}, format="json")
    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}

    refreshed = api.post("/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200
    assert set(refreshed.json()) == {"access", "refresh"}
    assert refreshed.json()["refresh"] != tokens["refresh"]

    # The rotated-out refresh token is blacklisted: it works once.
    again = api.post("/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401
    assert again.json()["code"] == "not_authenticated"


def test_bad_password_is_401(owner):
    response = APIClient().post("/v1/auth/token", {"email": owner.email, "password": "wrong"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_inactive_user_cannot_get_a_token(owner):
    owner.is_active = False
    owner.save()
    response = APIClient().post("/v1/auth/token", {"email": owner.email, "password": PASSWORD}, format="json")
    assert response.status_code == 401


def test_token_for_a_workspace_carries_the_claim_and_is_refused_elsewhere(owner, workspace, other_workspace):
    Membership.objects.create(workspace=other_workspace, user=owner, role="staff")
    response = APIClient().post(
        "/v1/auth/token",
        {"email": owner.email, "password": PASSWORD, "workspaceId": str(workspace.pk)},
        format="json",
    )
    access = response.json()["access"]
    assert AccessToken(access)["workspace_id"] == workspace.pk
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api.get(f"/v1/workspace/{workspace.pk}").status_code == 200
    assert api.get(f"/v1/workspace/{other_workspace.pk}").status_code == 403


def test_token_for_a_workspace_one_is_not_member_of(owner, other_workspace):
    response = APIClient().post(
        "/v1/auth/token",
        {"email": owner.email, "password": PASSWORD, "workspaceId": other_workspace.pk},
        format="json",
    )
    assert response.status_code == 403


def test_expired_token_is_401(owner, workspace):
    token = AccessToken.for_user(owner)
    token.set_exp(lifetime=-dt.timedelta(seconds=1))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.get(f"/v1/workspace/{workspace.pk}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"]


def _forge(payload, key, algorithm="HS256"):
    return jwt.encode(payload, key, algorithm=algorithm)


def _claims(user):
    now = dt.datetime.now(dt.UTC)
    return {
        "token_type": "access",
        "user_id": str(user.pk),
        "jti": "x" * 32,
        "exp": now + dt.timedelta(minutes=5),
        "iat": now,
        "iss": settings.SIMPLE_JWT["ISSUER"],
        "aud": settings.SIMPLE_JWT["AUDIENCE"],
    }


def test_token_signed_with_another_key_is_401(owner, workspace):
    forged = _forge(_claims(owner), "another-key-entirely-another-key-0123456789")
    response = APIClient().get(f"/v1/workspace/{workspace.pk}", HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert response.status_code == 401


def test_alg_none_token_is_401(owner, workspace):
    forged = _forge(_claims(owner), None, algorithm="none")
    response = APIClient().get(f"/v1/workspace/{workspace.pk}", HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert response.status_code == 401


@pytest.mark.parametrize("claim", ["iss", "aud"])
def test_token_with_wrong_issuer_or_audience_is_401(owner, workspace, claim):
    payload = _claims(owner) | {claim: "someone-else"}
    forged = _forge(payload, settings.SIMPLE_JWT["SIGNING_KEY"])
    response = APIClient().get(f"/v1/workspace/{workspace.pk}", HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert response.status_code == 401


def test_token_lifetimes():
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] == dt.timedelta(minutes=15)
    assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] == dt.timedelta(days=7)
    assert settings.SIMPLE_JWT["SIGNING_KEY"] != settings.SECRET_KEY


def test_access_token_expires_after_15_minutes(owner):
    token = AccessToken.for_user(owner)
    assert token["exp"] - token["iat"] == 15 * 60


def test_removed_staff_members_valid_token_loses_access_at_once(workspace, staff):
    api = client_for(staff)
    assert api.get(f"/v1/workspace/{workspace.pk}").status_code == 200
    Membership.objects.filter(user=staff, workspace=workspace).delete()
    response = api.get(f"/v1/workspace/{workspace.pk}")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_deactivated_users_valid_token_is_401(workspace, staff):
    api = client_for(staff)
    staff.is_active = False
    staff.save()
    assert api.get(f"/v1/workspace/{workspace.pk}").status_code == 401


def test_password_change_revokes_tokens(workspace, staff):
    api = client_for(staff)
    staff.set_password("a-new-password-99")
    staff.save()
    assert api.get(f"/v1/workspace/{workspace.pk}").status_code == 401


def test_refresh_of_a_deleted_user_is_401(staff):
    refresh = tokens_for(user=staff)["refresh"]
    staff.delete()
    response = APIClient().post("/v1/auth/token/refresh", {"refresh": refresh}, format="json")
    assert response.status_code == 401


def test_refresh_garbage_is_401():
    response = APIClient().post("/v1/auth/token/refresh", {"refresh": "garbage"}, format="json")
    assert response.status_code == 401


def test_api_key_bearer_and_apikey_header(owner, workspace):
    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="POS sync")
    assert (
        APIClient().get(f"/v1/workspace/{workspace.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
        == 200
    )
    assert APIClient().get(f"/v1/workspace/{workspace.pk}", HTTP_APIKEY=raw).status_code == 200


def test_revoked_api_key_is_401(owner, workspace):
    owner_api = client_for(owner)
    created = owner_api.post(
        f"/v1/workspace/{workspace.pk}/api-keys", {"name": "Integration"}, format="json"
    ).json()
    raw = created["key"]
    assert APIClient().get(f"/v1/workspace/{workspace.pk}", HTTP_APIKEY=raw).status_code == 200
    assert (
        owner_api.delete(f"/v1/workspace/{workspace.pk}/api-keys/{created['apiKey']['id']}").status_code
        == 204
    )
    response = APIClient().get(f"/v1/workspace/{workspace.pk}", HTTP_APIKEY=raw)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_unknown_api_key_is_401(workspace):
    response = APIClient().get(f"/v1/workspace/{workspace.pk}", HTTP_AUTHORIZATION="Bearer sk_not-a-real-key")
    assert response.status_code == 401


def test_api_key_of_another_workspace_is_403(owner, workspace, other_workspace):
    _key, raw = api_key_create(workspace=other_workspace, access=owner_access(other_workspace), name="theirs")
    response = APIClient().get(f"/v1/workspace/{workspace.pk}", HTTP_APIKEY=raw)
    assert response.status_code == 403


def test_api_key_cannot_call_owner_only_endpoints(owner, workspace):
    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="integration")
    api = APIClient()
    api.credentials(HTTP_APIKEY=raw)
    response = api.patch(f"/v1/workspace/{workspace.pk}", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["details"] == {"permission": "owner"}
    assert api.get(f"/v1/workspace/{workspace.pk}/staff").status_code == 403
    assert api.post(f"/v1/workspace/{workspace.pk}/stores", {"name": "x"}, format="json").status_code == 403


def test_me_lists_memberships_with_permissions(workspace, other_workspace, owner):
    Membership.objects.create(
        workspace=other_workspace, user=owner, role="staff", permissions=["suppliers.manage"]
    )
    response = client_for(owner).get("/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {
        "id": str(owner.pk),
        "email": owner.email,
        "name": owner.name,
        "emailVerified": False,
    }
    by_ws = {m["workspaceId"]: m for m in body["memberships"]}
    assert by_ws[str(workspace.pk)]["role"] == "owner"
    assert "store.orders.manage" in by_ws[str(workspace.pk)]["permissions"]
    assert len(by_ws[str(workspace.pk)]["permissions"]) == 9
    assert by_ws[str(other_workspace.pk)]["permissions"] == ["suppliers.manage", "suppliers.view"]


def test_me_without_token_is_401():
    response = APIClient().get("/v1/me")
    assert response.status_code == 401
    assert response.json() == {
        "message": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_me_query_count(owner, django_assert_num_queries):
    api = client_for(owner)
    with django_assert_num_queries(2):  # the user, the memberships
        assert api.get("/v1/me").status_code == 200


def test_a_token_is_verified_once_and_its_expiry_checked_on_every_request(owner, workspace, monkeypatch):
    """A till sends the same access token on every request: it is decoded and verified once per process, its
    expiry checked again each time; a token differing by one character is verified (and refused) on its own."""
    from rest_framework_simplejwt.backends import TokenBackend

    from workspaces import authentication

    decoded = []
    decode = TokenBackend.decode

    def counting(self, token, verify=True):
        decoded.append(token)
        return decode(self, token, verify)

    monkeypatch.setattr(TokenBackend, "decode", counting)
    token = str(AccessToken.for_user(owner))
    url = f"/v1/workspace/{workspace.pk}"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [api.get(url).status_code for _ in range(3)] == [200, 200, 200]
    assert len(decoded) == 1

    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    assert APIClient().get(url, HTTP_AUTHORIZATION=f"Bearer {tampered}").status_code == 401
    assert len(decoded) == 2

    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)  # past the 15 minutes of an access token
    monkeypatch.setattr(authentication, "aware_utcnow", lambda: later)
    monkeypatch.setattr("rest_framework_simplejwt.tokens.aware_utcnow", lambda: later)
    response = api.get(url)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert token.encode() not in authentication._VERIFIED_TOKENS
