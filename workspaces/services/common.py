"""What every workspaces service shares: password validation (the permission check is `Access.require`)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError

from workspaces.errors import ValidationFailed
from workspaces.models import User


def password_validate(password: str, user: User | None = None, *, field: str = "password") -> None:
    """Django's validators (settings.AUTH_PASSWORD_VALIDATORS, "not only whitespace" among them): a 400 naming
    `field`."""
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed({field: list(exc.messages)}) from exc
