"""Who is calling: a JWT access token, a workspace API key, or seed 003's `accessToken` header."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt import authentication as jwt_authentication
from rest_framework_simplejwt.exceptions import TokenError

from workspaces.models import API_KEY_PREFIX, ApiKey, User, hash_api_key


class ApiKeyPrincipal:
    """Stands in `request.user` for a call made with a workspace API key (`request.auth` is the key)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.name = api_key.name

    def __str__(self) -> str:
        return f"API key {self.api_key.name}"


def authenticate_api_key(raw_key: str) -> tuple[ApiKeyPrincipal, ApiKey]:
    api_key = (
        ApiKey.objects.select_related("workspace")
        .filter(key_hash=hash_api_key(raw_key), revoked_at__isnull=True)
        .first()
    )
    if api_key is None:
        raise AuthenticationFailed(_("Invalid or revoked API key."))
    return ApiKeyPrincipal(api_key), api_key


def _bearer(request: Request) -> str | None:
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    return None


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer sk_...` or `APIKEY: sk_...`."""

    def authenticate(self, request: Request):
        raw = request.META.get("HTTP_APIKEY")
        if raw is None:
            raw = _bearer(request)
            if raw is None or not raw.startswith(API_KEY_PREFIX):
                return None
        return authenticate_api_key(raw.strip())

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class JWTAuthentication(jwt_authentication.JWTAuthentication):
    """simplejwt's bearer authentication; an `sk_` bearer is an API key and left to ApiKeyAuthentication."""

    def authenticate(self, request: Request):
        raw = _bearer(request)
        if raw is not None and raw.startswith(API_KEY_PREFIX):
            return None
        return super().authenticate(request)

    def get_user(self, validated_token) -> User:
        try:
            return super().get_user(validated_token)
        except jwt_authentication.AuthenticationFailed as exc:
            raise AuthenticationFailed(_("Invalid or expired token.")) from exc


class AccessTokenHeaderAuthentication(BaseAuthentication):
    """Seed 003's `accessToken` header: a JWT access token or an API key, with or without `Bearer `."""

    def authenticate(self, request: Request):
        raw = request.META.get("HTTP_ACCESSTOKEN")
        if raw is None:
            return None
        raw = raw.strip()
        if raw[:7].lower() == "bearer ":
            raw = raw[7:].strip()
        if raw.startswith(API_KEY_PREFIX):
            return authenticate_api_key(raw)
        jwt = JWTAuthentication()
        try:
            token = jwt.get_validated_token(raw.encode())
        except (TokenError, jwt_authentication.InvalidToken) as exc:
            raise AuthenticationFailed(_("Invalid or missing access token")) from exc
        return jwt.get_user(token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
