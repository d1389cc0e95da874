"""E-mail address verification (PRODUCT.md section 3): the signed token, and the e-mail carrying its link.

The token is `django.core.signing` with its own salt, so it is good for `EMAIL_VERIFICATION_MAX_AGE` (a week) and
names one user. It also carries a digest of the user's current e-mail and verification state: a token sent to an
address the account no longer has fails, and so does a used one (verifying changes the state).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from workspaces.models import User

SALT = "workspaces.verification.email"
PAGE_PATH = "/accounts/verify-email/{token}/"
MAX_TOKEN_LENGTH = 500

logger = logging.getLogger(__name__)


def _state(user: User) -> str:
    verified = user.email_verified_at.isoformat() if user.email_verified_at else ""
    return salted_hmac(SALT, f"{user.pk}|{user.email}|{verified}").hexdigest()[:32]


def verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user)}, salt=SALT)


def token_user_id(token: str) -> int | None:
    """The user a well-signed, unexpired token names (its state still to be checked), else None."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("s"), str):
        return None
    return data["u"]


def token_matches(token: str, user: User) -> bool:
    """The token was made for this user's current e-mail and verification state (so not yet used)."""
    data = signing.loads(token, salt=SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    return user.is_active and constant_time_compare(data["s"], _state(user))


def verification_link(user: User, *, base_url: str) -> str:
    return base_url.rstrip("/") + PAGE_PATH.format(token=verification_token(user))


def verification_mail_send(*, user: User, base_url: str, language: str | None) -> None:
    """Sends the link, in `language`. A mail server that refuses is logged, never the caller's error: the account
    exists and can ask for the link again (`POST /v1/me/email-verification`)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"user": user, "link": verification_link(user, base_url=base_url)}
        subject = _("Confirm your e-mail address")
        body = render_to_string("accounts/verify_email_message.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # SMTP down or refusing: the request that asked has succeeded already
        logger.exception("The verification e-mail to user %s could not be sent", user.pk)
