"""The schema generator: one truthful description per endpoint (PRODUCT.md section 10).

- `/api/v1/` and `/api2/api2/` copies are left out (`exclude_copies`): each endpoint is documented once.
- Tags by area (auth, workspace, catalogue, POS, suppliers, orders, api2).
- A v1 answer is documented inside its envelope: an output serializer registered with `envelope_names`
  (`{"client": ...}` for one, `{"clients": [...], "nextCursor"}` for many), so the serializer that writes a
  resource is the one that declares it.
- Every operation lists the error answers it can give, with its family's error body: 400 (validation), 401 and 403
  (unless public), 404 (for ids in the path), 409 and 422 (an `Idempotency-Key` in flight or reused, on idempotent
  POSTs), 413 and 415 (bodies), 503 (database unreachable), plus what the view declares.
- Request bodies are JSON only, except views that declare an upload parser.
- The description is the method's own docstring (never a base class's).
"""

from __future__ import annotations

import inspect
from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from workspaces.api import docs
from workspaces.api.parsers import MultiPartParser

_ENVELOPES: dict[type[serializers.Serializer], tuple[str, str]] = {}


def envelope_names(singular: str, plural: str):
    """Class decorator for a v1 output serializer: the names it is wrapped under."""

    def register(cls: type[serializers.Serializer]) -> type[serializers.Serializer]:
        _ENVELOPES[cls] = (singular, plural)
        return cls

    return register


def exclude_copies(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list:
    return [endpoint for endpoint in endpoints if not endpoint[0].startswith(("/api/v1/", "/api2/api2/"))]


_TAGS = (
    ("/v1/auth/", "auth"),
    ("/v1/me", "auth"),
    ("/api2/", "api2"),
    ("/orders", "orders"),
    ("/invoices", "orders"),
)
_APP_TAGS = {"invoicing": "catalogue", "pos": "POS", "suppliers": "suppliers", "orders": "orders"}


class AutoSchema(SpectacularAutoSchema):
    def get_tags(self) -> list[str]:
        for prefix, tag in _TAGS:
            if self.path.startswith(prefix):
                return [tag]
        app = type(self.view).__module__.split(".")[0]
        return [_APP_TAGS.get(app, "workspace")]

    def _method_doc(self) -> str:
        handler = getattr(self.view, self.method.lower(), None)
        return inspect.cleandoc(handler.__doc__) if handler is not None and handler.__doc__ else ""

    def get_description(self) -> str:
        doc = self._method_doc()
        return doc.split("\n\n", 1)[1].strip() if "\n\n" in doc else ""

    def get_summary(self) -> str | None:
        doc = self._method_doc()
        return doc.split("\n\n", 1)[0].replace("\n", " ").strip() or None

    def map_parsers(self) -> list[Any]:
        if any(isinstance(parser, MultiPartParser) for parser in self.view.get_parsers()) and getattr(
            self.view, "upload", False
        ):
            return ["multipart/form-data"]
        return ["application/json"]

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method == "GET" and self._lists_a_page():
            parameters += [
                OpenApiParameter("limit", int, description="Rows per page: 1 to 1000 (default 100)."),
                OpenApiParameter("cursor", str, description="The `nextCursor` of the previous page."),
            ]
        return parameters

    def _lists_a_page(self) -> bool:
        declared = self.get_response_serializers()
        if isinstance(declared, dict):
            declared = declared.get(200)
        return isinstance(declared, serializers.ListSerializer) and self._family() == "v1"

    def _family(self) -> str:
        return getattr(self.view, "api_family", "v1")

    def _wrap(self, serializer: Any) -> Any:
        if self._family() != "v1":
            return serializer
        many = isinstance(serializer, serializers.ListSerializer)
        cls = (
            type(serializer.child)
            if many
            else (serializer if isinstance(serializer, type) else type(serializer))
        )
        names = _ENVELOPES.get(cls)
        if names is None:
            return serializer
        return docs.page(names[1], cls) if many else docs.envelope(names[0], cls)

    def _get_response_bodies(self, direction: str = "response") -> Any:
        # `@extend_schema` subclasses this schema and overrides `get_response_serializers`: complete its answer
        # here, where both the declared and the default responses are known.
        completed = self._completed_responses(self.get_response_serializers())
        self.get_response_serializers = lambda: completed  # type: ignore[method-assign]
        try:
            return super()._get_response_bodies(direction)
        finally:
            del self.get_response_serializers

    def _completed_responses(self, declared: Any) -> Any:
        if not isinstance(declared, dict):
            if self.method == "DELETE":
                declared = {204: None}
            else:
                declared = {201 if self._is_create_operation() else 200: declared}
        responses: dict[Any, Any] = {}
        for code, serializer in declared.items():
            status = code[0] if isinstance(code, tuple) else code
            responses[code] = self._wrap(serializer) if 200 <= int(status) < 300 else serializer
        declared_codes = {int(code[0] if isinstance(code, tuple) else code) for code in responses}
        wanted = self._error_statuses() - declared_codes
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        errors = docs.errors(*wanted, family=self._family(), public=public)
        for status, response in errors.items():
            if status not in declared_codes:
                responses[status] = response
        return responses

    def _error_statuses(self) -> set[int]:
        statuses = {400}
        if "{" in self.path:
            statuses.add(404)
        if self.method in {"POST", "PUT", "PATCH"}:
            statuses |= {413, 415}
            if self.method == "POST" and getattr(self.view, "idempotent", False):
                statuses |= {409, 422}
        return statuses
