"""What the OpenAPI schema says about every endpoint: envelopes, error bodies, tags (PRODUCT.md section 10).

A view declares its answers with these helpers, so the schema shows the real bodies:

    @extend_schema(
        summary="Create a supplier invoice",
        request=SupplierInvoiceInputSerializer,
        responses={201: envelope("invoice", SupplierInvoiceOutputSerializer), **errors(400, 404, 409)},
    )

`errors()` always adds 401 and 403 (every endpoint needs credentials and a permission) and 503 (database
unreachable); `family` picks the v1, `/orders` or `api2` error body.
"""

from __future__ import annotations

import functools
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from workspaces.api.fields import ID_SCHEMA, ChoiceField, IdField
from workspaces.models import ActorType


class ActorSerializer(serializers.Serializer):
    """Who opened, closed or created something, as they were then (`workspaces.models.ActorType`): a member
    (`owner`, `staff`) or an API key (`apiKey`, whose `email` is null). Declared for the schema of the v1 answers
    that carry one (`createdBy`, `openedBy`, `closedBy`); null once the user or the key no longer exists."""

    type = ChoiceField(choices=ActorType.choices)
    id = IdField()
    name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    """The v1 error body (PRODUCT.md section 2)."""

    message = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    details = serializers.DictField(required=False)


class OrdersErrorSerializer(serializers.Serializer):
    """The `/orders` and `/invoices` error body (seed 003)."""

    success = serializers.BooleanField()
    message = serializers.CharField()


class Api2ErrorSerializer(serializers.Serializer):
    """The api2 error body (seed 004)."""

    code = serializers.IntegerField()
    result = serializers.CharField()
    message = serializers.CharField()
    validation_errors = serializers.DictField(child=serializers.CharField(), required=False)


_ERROR_SERIALIZERS = {"v1": ErrorSerializer, "orders": OrdersErrorSerializer, "api2": Api2ErrorSerializer}

_DESCRIPTIONS = {
    400: "Invalid input: the body or a parameter failed validation (each bad field is named).",
    401: "No credentials, or credentials that are not valid.",
    403: "Not a member of this workspace, or a permission is missing (named in `details.permission`).",
    404: "The workspace, or a row named in the path or the body, does not exist in this workspace.",
    405: "The method is not allowed on this path.",
    409: "Conflicts with the current state (a duplicate, a row in use, or the same `Idempotency-Key` in flight).",
    413: "The body is larger than the limit.",
    415: "The Content-Type is not supported.",
    422: "A business rule refuses the request (the `code` says which).",
    429: "Too many failed sign-in attempts for this account or from this address: retry after `Retry-After` "
    "seconds (`too_many_attempts`).",
    503: "The database cannot be reached: retry after `Retry-After` seconds.",
}

ALWAYS = (401, 403, 503)


def errors(*statuses: int, family: str = "v1", public: bool = False) -> dict[int, OpenApiResponse]:
    """Documented error answers; `public` endpoints (register, token) do not add 401 and 403."""
    wanted = sorted(set(statuses) | ({503} if public else set(ALWAYS)))
    body = _ERROR_SERIALIZERS[family]
    return {status: OpenApiResponse(response=body, description=_DESCRIPTIONS[status]) for status in wanted}


@functools.cache
def _envelope(name: str, serializer: type[serializers.Serializer], many: bool, paged: bool) -> Any:
    fields: dict[str, serializers.Field] = {name: serializer(many=many)}
    if paged:
        fields["nextCursor"] = serializers.CharField(
            allow_null=True, help_text="Pass as `cursor` for the next page; null on the last page."
        )
    component = serializer.__name__.removesuffix("Serializer").removesuffix("Output")
    suffix = "Page" if paged else ("List" if many else "")
    return inline_serializer(name=f"{component}{suffix}Envelope", fields=fields)


def envelope(name: str, serializer: type[serializers.Serializer], *, many: bool = False) -> Any:
    """`{"<name>": <serializer>}`, as v1 wraps a single object (`{"client": {...}}`)."""
    return _envelope(name, serializer, many, False)


def page(name: str, serializer: type[serializers.Serializer]) -> Any:
    """`{"<name>": [<serializer>...], "nextCursor": ...}`, as v1 writes a list."""
    return _envelope(name, serializer, True, True)


def id_parameter(name: str, description: str = "") -> OpenApiParameter:
    """A query parameter naming a row by its id (`"15"`)."""
    return OpenApiParameter(name, dict(ID_SCHEMA), description=description)
