"""Domain errors: a refusal a user can act on, raised by services, selectors and models.

They carry an HTTP-like status and a machine code; `workspaces/api/errors.py` turns them into each API family's
envelope, and the admin shows their message. Nothing here knows about DRF.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class ApplicationError(Exception):
    """A refusal a user can act on. `details` names things (ids, products); `errors` is per-field validation."""

    status_code = 422
    code = "unprocessable"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        if status is not None:
            self.status_code = status
        self.details = details
        self.errors = errors
        self.headers = headers or {}


class NotFoundError(ApplicationError):
    status_code = 404
    code = "not_found"


class ConflictError(ApplicationError):
    status_code = 409
    code = "conflict"


class ValidationFailed(ApplicationError):
    """A 400 for one or more fields: `ValidationFailed({"field": ["message"]})`."""

    status_code = 400
    code = "validation_error"

    def __init__(self, errors: dict[str, list[str] | str], message: str | None = None) -> None:
        normalised = {
            field: [msgs] if isinstance(msgs, str) else list(msgs) for field, msgs in errors.items()
        }
        super().__init__(message or _("Invalid input."), errors=normalised)
