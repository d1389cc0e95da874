"""Password rules beyond Django's validators (settings.AUTH_PASSWORD_VALIDATORS lists them all)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class NotOnlyWhitespaceValidator:
    """Eight spaces pass the minimum length; they are not a password. Any Unicode space counts (tabs, no-break
    spaces, the ideographic space)."""

    def validate(self, password: str, user=None) -> None:
        if not password.strip():
            raise ValidationError(_("The password cannot be only spaces."), code="password_only_whitespace")

    def get_help_text(self) -> str:
        return _("The password cannot be only spaces.")
