"""Accounts: registration, sign-in (throttled, equal work for unknown e-mails), tokens, passwords and e-mail
verification (PRODUCT.md section 3)."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from workspaces import login_throttle, verification
from workspaces.errors import ApplicationError, ConflictError, ValidationFailed
from workspaces.models import Membership, Store, User, Workspace
from workspaces.services.common import password_validate


def _unauthenticated(message: str) -> ApplicationError:
    return ApplicationError(message, code="not_authenticated", status=401)


def tokens_for(*, user: User, workspace_id: int | None = None) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    if workspace_id is not None:
        refresh["workspace_id"] = workspace_id
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _send_verification_on_commit(user: User, base_url: str) -> None:
    language = translation.get_language()
    transaction.on_commit(
        lambda: verification.verification_mail_send(user=user, base_url=base_url, language=language)
    )


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    name: str,
    workspace_name: str,
    currency: str,
    timezone_name: str,
    verification_base_url: str,
) -> tuple[User, Workspace]:
    """Creates the owner, the workspace and its first store, in one transaction, and once it commits sends the
    address a verification link. A taken e-mail costs the same hashing as a new one, then 409."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        make_password(password)  # the work of creating the account, so both answers take as long
        raise ConflictError(_("An account with this e-mail already exists."), code="email_taken")
    password_validate(password, User(email=email, name=name))
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, name=name)
    except IntegrityError as exc:  # a concurrent registration of the same e-mail
        raise ConflictError(_("An account with this e-mail already exists."), code="email_taken") from exc
    workspace = Workspace.objects.create(name=workspace_name, currency=currency, timezone=timezone_name)
    Store.objects.create(workspace=workspace, name=workspace_name)
    Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER, admin_access=True)
    _send_verification_on_commit(user, verification_base_url)
    return user, workspace


def token_obtain(
    *, email: str, password: str, workspace_id: int | None, client_address: str
) -> dict[str, str]:
    """Tokens for a right e-mail and password. Throttled per account and per client address
    (`workspaces.login_throttle`: 429 while locked, before any hashing); an unknown e-mail runs the hasher once, as
    a known one with a wrong password does, so the answer's time tells nothing."""
    email = email.strip().lower()
    account_had_failures = login_throttle.check(email=email, address=client_address)
    user = User.objects.filter(email=email).first()
    if user is None:
        User().set_password(password)  # as Django's ModelBackend does: the same hashing as a known e-mail
        accepted = False
    else:
        accepted = user.check_password(password) and user.is_active
    if not accepted:
        login_throttle.failure_record(email=email, address=client_address)
        raise _unauthenticated(_("No active account found with the given credentials."))
    if account_had_failures:
        login_throttle.success_record(email=email)
    if (
        workspace_id is not None
        and not Membership.objects.active().filter(user=user, workspace_id=workspace_id).exists()
    ):
        raise ApplicationError(
            _("You are not a member of this workspace."), code="permission_denied", status=403
        )
    return tokens_for(user=user, workspace_id=workspace_id)


@transaction.atomic
def token_refresh(*, refresh: str) -> dict[str, str]:
    """A new access token and a rotated refresh token; the one presented is blacklisted: it works once.

    Atomic under concurrency: the token's ledger row is locked before the blacklist is checked, so of concurrent
    refreshes of one token exactly one succeeds and the rest are 401. A token issued before the account's
    password last changed (its `hash_password` claim no longer matches) is 401 too, and so is one whose workspace
    claim names no active membership any more.
    """
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise _unauthenticated(_("Invalid or expired refresh token.")) from exc
    user = User.objects.filter(pk=token.get("user_id"), is_active=True).first()
    if user is None:
        raise _unauthenticated(_("No active account found for the given token."))
    if token.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
        raise _unauthenticated(_("The password has changed since this token was issued."))
    outstanding, _created = OutstandingToken.objects.get_or_create(
        jti=token[jwt_settings.JTI_CLAIM],
        defaults={"user": user, "token": str(token), "expires_at": datetime_from_epoch(token["exp"])},
    )
    outstanding = OutstandingToken.objects.select_for_update(of=("self",)).get(pk=outstanding.pk)
    if BlacklistedToken.objects.filter(token=outstanding).exists():
        raise _unauthenticated(_("Token is blacklisted"))
    claim = token.get("workspace_id")
    if claim is not None and not Membership.objects.active().filter(user=user, workspace_id=claim).exists():
        raise _unauthenticated(_("The membership of this token has been removed."))
    access = str(token.access_token)
    BlacklistedToken.objects.create(token=outstanding)
    token.set_jti()
    token.set_exp()
    token.set_iat()
    token.outstand()
    return {"access": access, "refresh": str(token)}


@transaction.atomic
def user_password_change(*, user: User, current_password: str, new_password: str) -> None:
    """400 on a wrong current password; from then on every refresh token issued before is refused (401) and
    every access token too (their `hash_password` claim no longer matches)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(current_password):
        raise ValidationFailed({"current_password": [_("The current password is not correct.")]})
    password_validate(new_password, user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])


# --- E-mail verification -------------------------------------------------------------------------------------


def _bad_token() -> ValidationFailed:
    return ValidationFailed({"token": [_("This link is invalid, already used or expired.")]})


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Marks the address of the token's user verified. A bad, used (the state it was made for has changed), week-old
    token, or one made for an address the account no longer has, is a 400 on `token`."""
    user_id = verification.token_user_id(token)
    if user_id is None:
        raise _bad_token()
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None or not verification.token_matches(token, user):
        raise _bad_token()
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


@transaction.atomic
def email_verification_resend(*, user: User, verification_base_url: str) -> None:
    """A new link to the account's address (the one sent at registration has a week; staff created by a shop were
    sent none). 409 `email_already_verified` once verified."""
    if user.email_verified:
        raise ConflictError(_("This e-mail address is already verified."), code="email_already_verified")
    _send_verification_on_commit(user, verification_base_url)
