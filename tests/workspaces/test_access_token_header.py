"""Seed 003's `accessToken` header, used by /orders and /invoices: a JWT access token or an API key, with or
without `Bearer `."""

import pytest
from django.test import RequestFactory
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from tests.factories import owner_access
from workspaces.authentication import AccessTokenHeaderAuthentication, ApiKeyPrincipal
from workspaces.services import api_key_create, tokens_for

pytestmark = pytest.mark.django_db


def authenticate(header: str | None):
    extra = {} if header is None else {"HTTP_ACCESSTOKEN": header}
    return AccessTokenHeaderAuthentication().authenticate(Request(RequestFactory().get("/invoices", **extra)))


@pytest.mark.parametrize("prefix", ["", "Bearer ", "bearer "])
def test_jwt_access_token_with_or_without_bearer(owner, prefix):
    user, token = authenticate(prefix + tokens_for(user=owner)["access"])
    assert user == owner
    assert token["user_id"] == str(owner.pk)


@pytest.mark.parametrize("prefix", ["", "Bearer "])
def test_api_key(owner, workspace, prefix):
    api_key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="orders platform")
    principal, auth = authenticate(prefix + raw)
    assert isinstance(principal, ApiKeyPrincipal)
    assert auth == api_key


def test_absent_header_leaves_other_authenticators_to_try():
    assert authenticate(None) is None


@pytest.mark.parametrize("header", ["garbage", "Bearer x.y.z", "sk_unknown"])
def test_invalid_token_is_refused(header):
    with pytest.raises(AuthenticationFailed):
        authenticate(header)


def test_a_refresh_token_is_not_an_access_token(owner):
    with pytest.raises(AuthenticationFailed):
        authenticate(tokens_for(user=owner)["refresh"])
