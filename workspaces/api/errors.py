"""The one exception handler that writes every API family's error envelope.

A service raises `ApplicationError(message, code=..., status=...)`; DRF and Django errors are mapped to the same
shape here. `view.api_family` picks the envelope: "v1" (PRODUCT.md section 2), "orders" (`/orders`, `/invoices`,
seed 003) or "api2" (seed 004).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from workspaces.api.families import UNAVAILABLE
from workspaces.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailed


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[tuple[str, str]]]:
    """DRF's nested error detail as {"items.0.quantity": [(message, code), ...]}."""
    flat: dict[str, list[tuple[str, str]]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key == "non_field_errors" and not prefix else str(key)
            flat.update(flatten_errors(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list):
        if all(isinstance(item, (str, exceptions.ErrorDetail)) for item in detail):
            flat[prefix or "non_field_errors"] = [(str(m), getattr(m, "code", "invalid")) for m in detail]
        else:
            for index, value in enumerate(detail):
                if value:
                    flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "non_field_errors"] = [(str(detail), getattr(detail, "code", "invalid"))]
    return flat


def _classify(exc: Exception) -> ApplicationError | None:
    if isinstance(exc, ApplicationError):
        return exc
    if isinstance(exc, exceptions.ValidationError):
        flat = flatten_errors(exc.detail)
        error = ValidationFailed({field: [m for m, _c in msgs] for field, msgs in flat.items()})
        error.field_codes = {field: [c for _m, c in msgs] for field, msgs in flat.items()}
        return error
    if isinstance(exc, exceptions.ParseError):
        return ApplicationError(
            _("Malformed JSON: %(detail)s") % {"detail": exc.detail}, code="malformed_json", status=400
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return ApplicationError(str(exc.detail), code="unsupported_media_type", status=415)
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        message = exc.detail.get("detail", exc.detail) if isinstance(exc.detail, dict) else exc.detail
        if isinstance(exc, exceptions.NotAuthenticated):
            message = _("Authentication credentials were not provided.")
        error = ApplicationError(str(message), code="not_authenticated", status=exc.status_code)
        if exc.status_code == 403:  # a view whose first authenticator offers no challenge
            error.code = "permission_denied"
        return error
    if isinstance(exc, exceptions.PermissionDenied):
        return ApplicationError(str(exc.detail), code="permission_denied", status=403)
    if isinstance(exc, DjangoPermissionDenied):
        return ApplicationError(
            _("You do not have permission to perform this action."), code="permission_denied", status=403
        )
    if isinstance(exc, (exceptions.NotFound, Http404)):
        return NotFoundError(_("Not found."))
    if isinstance(exc, exceptions.MethodNotAllowed):
        return ApplicationError(str(exc.detail), code="method_not_allowed", status=405)
    if isinstance(exc, exceptions.NotAcceptable):
        return ApplicationError(str(exc.detail), code="not_acceptable", status=406)
    if isinstance(exc, exceptions.Throttled):
        return ApplicationError(str(exc.detail), code="throttled", status=429)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return ConflictError(
            _("This record is used by other documents and cannot be deleted."), code="in_use"
        )
    if isinstance(exc, UNAVAILABLE):
        # The database or Redis cannot be reached (restart, failover, lost connection): tills retry on 503.
        return ApplicationError(
            _("The service is briefly unavailable: retry in a moment."),
            code="service_unavailable",
            status=503,
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, IntegrityError):
        # A database constraint caught what a service did not: a conflict with another write, never a 500.
        return ConflictError(_("The request conflicts with the current state of the data."), code="conflict")
    if isinstance(exc, exceptions.APIException):
        return ApplicationError(str(exc.detail), code=str(exc.default_code), status=exc.status_code)
    return None


def _orders_message(error: ApplicationError) -> str:
    if error.status_code == 401:  # seed 003 answers every missing or bad credential with this one sentence
        return "Invalid or missing access token"
    if not isinstance(error, ValidationFailed) or not error.errors:
        return error.message
    codes = getattr(error, "field_codes", {})
    parts = []
    for field, messages in camel_keys(error.errors).items():
        if "required" in codes.get(field, ()):
            parts.append(f"{field} is required")
        else:
            parts.append(f"{field}: {messages[0]}")
    return "Validation error: " + "; ".join(parts)


def camel(name: str) -> str:
    """`pos_invoice_discount.value` -> `posInvoiceDiscount.value`: services name fields in snake_case, v1 and
    `/orders` write camelCase. DRF's `non_field_errors` and already camelCase names stay as they are."""
    if name == "non_field_errors" or "_" not in name:
        return name
    return ".".join(
        part if part == "non_field_errors" else re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), part)
        for part in name.split(".")
    )


def camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel(str(key)): camel_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel_keys(item) for item in value]
    return value


def error_body(error: ApplicationError, family: str) -> dict[str, Any]:
    if family == "orders":
        return {"success": False, "message": _orders_message(error)}
    if family == "api2":
        body: dict[str, Any] = {"code": error.status_code, "result": "failed", "message": error.message}
        if error.errors:
            body["validation_errors"] = {field: messages[0] for field, messages in error.errors.items()}
        return body
    body = {"message": error.message, "code": error.code}
    if error.errors:
        body["errors"] = camel_keys(error.errors)
    if error.details:
        body["details"] = camel_keys(error.details)
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    error = _classify(exc)
    if error is None:
        return None
    view = context.get("view")
    family = getattr(view, "api_family", "v1")
    headers = dict(error.headers)
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    set_rollback()
    return Response(error_body(error, family), status=error.status_code, headers=headers)
