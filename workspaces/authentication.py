"""Who is calling: a JWT access token, a workspace API key, or seed 003's `accessToken` header."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt import authentication as jwt_authentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow, get_md5_hash_password

from workspaces.models import API_KEY_PREFIX, ApiKey, Membership, User, Workspace, hash_api_key
from workspaces.statements import CompiledRead, attnames

# The membership read with the user (`JWTAuthentication.get_user`), for `resolve_access`.
MEMBERSHIP_ATTRIBUTE = "jwt_membership"


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


_MEMBERSHIP, _USER, _WORKSPACE = attnames(Membership), attnames(User), attnames(Workspace)
_MEMBER = CompiledRead(
    lambda user_id, workspace_id: (
        Membership.objects.active()
        .filter(user_id=user_id, workspace_id=workspace_id)
        .values_list(
            *_MEMBERSHIP, *(f"user__{name}" for name in _USER), *(f"workspace__{name}" for name in _WORKSPACE)
        )[:1]
    )
)


def _member_read(*, user_id: int, workspace_id: int) -> Membership | None:
    """The user's active membership of the workspace with the user and the workspace: one query, compiled once
    (`workspaces.statements`), as `select_related("user", "workspace")` would read it."""
    rows = _MEMBER.rows(user_id=user_id, workspace_id=workspace_id)
    if not rows:
        return None
    row = rows[0]
    user_at, workspace_at = len(_MEMBERSHIP), len(_MEMBERSHIP) + len(_USER)
    membership = Membership.from_db(DEFAULT_DB_ALIAS, _MEMBERSHIP, row[:user_at])
    membership.user = User.from_db(DEFAULT_DB_ALIAS, _USER, row[user_at:workspace_at])
    membership.workspace = Workspace.from_db(DEFAULT_DB_ALIAS, _WORKSPACE, row[workspace_at:])
    return membership


def _path_workspace_id(request: Request | None) -> int | None:
    kwargs = (getattr(request, "parser_context", None) or {}).get("kwargs") or {}
    value = kwargs.get("workspace_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


# Access tokens verified in this process (`JWTAuthentication.get_validated_token`): a till sends the same token on
# every request until it expires, and decoding and verifying it again is ~0.3 ms of each request's Python.
_VERIFIED_TOKENS: dict[bytes, Token] = {}
_VERIFIED_TOKENS_KEPT = 4096


class JWTAuthentication(jwt_authentication.JWTAuthentication):
    """simplejwt's bearer authentication; an `sk_` bearer is an API key and left to ApiKeyAuthentication.

    Under `/v1/workspace/:workspaceId/...` (or with the token's `workspace_id` claim) the user is read with their
    active membership of that workspace and the workspace, in one query: `resolve_access` then reads nothing. A
    caller who is not a member there is read alone, as simplejwt does, and refused by the permission."""

    request: Request | None = None

    def authenticate(self, request: Request):
        raw = _bearer(request)
        if raw is not None and raw.startswith(API_KEY_PREFIX):
            return None
        self.request = request
        return super().authenticate(request)

    def get_validated_token(self, raw_token: bytes) -> Token:
        """simplejwt's verified token, verified once per process: a token seen before and verified is taken as it
        was (its signature, issuer, audience and type cannot change) once its expiry is checked again against the
        clock; anything else is verified by simplejwt. Nothing else is skipped: the user, their password's hash
        (`CHECK_REVOKE_TOKEN`) and their membership are read on every request (`get_user`). An access token is on
        no blacklist (refresh tokens are)."""
        token = _VERIFIED_TOKENS.get(raw_token)
        if token is not None:
            try:
                token.check_exp(current_time=aware_utcnow())
                return token
            except TokenError:
                _VERIFIED_TOKENS.pop(raw_token, None)
        token = super().get_validated_token(raw_token)
        if len(_VERIFIED_TOKENS) >= _VERIFIED_TOKENS_KEPT:
            _VERIFIED_TOKENS.clear()  # bounded: the next requests verify their tokens again
        _VERIFIED_TOKENS[raw_token] = token
        return token

    def get_user(self, validated_token) -> User:
        try:
            user = self._member(validated_token)
            if user is None:
                return super().get_user(validated_token)
        except jwt_authentication.AuthenticationFailed as exc:
            raise AuthenticationFailed(_("Invalid or expired token.")) from exc
        return user

    def _member(self, validated_token) -> User | None:
        workspace_id = _path_workspace_id(self.request)
        if workspace_id is None:
            workspace_id = validated_token.get("workspace_id")
        user_id = validated_token.get(jwt_settings.USER_ID_CLAIM)
        if workspace_id is None or user_id is None or self.request is None:
            return None
        try:
            user_id, workspace_id = int(user_id), int(workspace_id)
        except (TypeError, ValueError):
            return None  # read as simplejwt does, and refused there
        membership = _member_read(user_id=user_id, workspace_id=workspace_id)
        if membership is None:
            return None
        user = membership.user
        # simplejwt's own checks (`JWTAuthentication.get_user`), on the user read here.
        if jwt_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("Invalid or expired token."))
        if jwt_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            jwt_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("Invalid or expired token."))
        setattr(self.request._request, MEMBERSHIP_ATTRIBUTE, membership)
        return user


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
        jwt.request = request  # the member read in one query where the token names its workspace
        try:
            token = jwt.get_validated_token(raw.encode())
        except (TokenError, jwt_authentication.InvalidToken) as exc:
            raise AuthenticationFailed(_("Invalid or missing access token")) from exc
        return jwt.get_user(token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
