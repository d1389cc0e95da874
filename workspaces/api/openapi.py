"""The schema generator: one truthful description per endpoint (PRODUCT.md section 10).

- `/api/v1/` and `/api2/api2/` copies are left out (`exclude_copies`): each endpoint is documented once.
- Tags by area (auth, workspace, catalogue, POS, suppliers, orders, api2).
- A v1 answer is documented inside its envelope: an output serializer registered with `envelope_names`
  (`{"client": ...}` for one, `{"clients": [...], "nextCursor"}` for many), so the serializer that writes a
  resource is the one that declares it.
- Every operation lists the error answers it can give, with its family's error body: 400 (validation), 401 and 403
  (unless public), 404 (for ids in the path), 409 and 422 on every write of a signed-in caller (a conflict, a row
  in use, a business rule; an `Idempotency-Key` in flight or reused), 413 and 415 (bodies), 503 (database
  unreachable), plus what the view declares.
- Request bodies are JSON only, except views that declare an upload parser.
- The description is the method's own docstring (never a base class's).
- Operation ids stay unique once a code generator normalises them (lowercase, anything else than letters and
  digits as `_`): `.json` suffixes are dropped and a GET answering a list or a page is a `_list`.
- Every idempotent POST (`ApiView.idempotent`) declares its optional `Idempotency-Key` header.

What is said of the whole document at once (page parameters, response headers, nullable references, the
parser's number limits, enums the server holds) is `openapi_hooks.postprocess`.
"""

from __future__ import annotations

import inspect
from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from workspaces.api import docs
from workspaces.api.idempotency import MAX_KEY_LENGTH
from workspaces.api.parsers import MultiPartParser

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    # The server strips the key: one that is only whitespace is refused (400), like an empty one.
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"\S"},
    OpenApiParameter.HEADER,
    description=(
        "Makes a retry safe: the same key with the same body within 24 hours answers the stored response "
        "(with `Idempotent-Replayed: true`) and does nothing else; with another body it is a 422 "
        "`idempotency_key_reused`; while the first request still runs, a 409 with `Retry-After`. Up to 255 "
        "characters."
    ),
)

_ENVELOPES: dict[type[serializers.Serializer], tuple[str, str]] = {}


def envelope_names(singular: str, plural: str):
    """Class decorator for a v1 output serializer: the names it is wrapped under."""

    def register(cls: type[serializers.Serializer]) -> type[serializers.Serializer]:
        _ENVELOPES[cls] = (singular, plural)
        return cls

    return register


def exclude_copies(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list:
    """Each endpoint once: not its `/api/v1/` and `/api2/api2/` copies, nor an api2 path without `.json` beside
    the seed's `.json` one (both answer alike; seed 004 documents the suffix)."""
    paths = {endpoint[0] for endpoint in endpoints}
    return [
        endpoint
        for endpoint in endpoints
        if not endpoint[0].startswith(("/api/v1/", "/api2/api2/"))
        and not (endpoint[0].startswith("/api2/") and f"{endpoint[0]}.json" in paths)
    ]


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
        # `limit` and `cursor` of every page, with their ranges, are `openapi_hooks.postprocess`'s.
        parameters = list(super().get_override_parameters())
        if self.method == "POST" and getattr(self.view, "idempotent", False):
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def get_operation_id(self) -> str:
        tokens = [token.removesuffix(".json").replace("-", "_") for token in self._tokenize_path()]
        tokens = [token for token in tokens if token] or ["root"]
        action = (
            "list"
            if self.method == "GET" and self._answers_many()
            else self.method_mapping[self.method.lower()]
        )
        return "_".join([*tokens, action])

    def _answers_many(self) -> bool:
        """A list (`many=True`), or a page holding one: v1's `{"<plural>": [...], "nextCursor"}`, `/orders`'
        `{"data": [...], "nextCursor"}`, api2's `{"data": [...], "pagination"}`."""
        declared = self.get_response_serializers()
        if isinstance(declared, dict):
            declared = next((body for code, body in declared.items() if str(code).startswith("2")), None)
        if isinstance(declared, OpenApiResponse):
            declared = declared.response
        if isinstance(declared, serializers.ListSerializer):
            return True
        if isinstance(declared, type) and issubclass(declared, serializers.Serializer):
            declared = declared()
        if not isinstance(declared, serializers.Serializer):
            return False
        fields = declared.fields
        paged = "nextCursor" in fields or "pagination" in fields
        return paged and any(isinstance(field, serializers.ListSerializer) for field in fields.values())

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
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        wanted = self._error_statuses(public) - declared_codes
        errors = docs.errors(*wanted, family=self._family(), public=public)
        for status, response in errors.items():
            if status not in declared_codes:
                responses[status] = response
        return responses

    def _error_statuses(self, public: bool) -> set[int]:
        statuses = {400}
        if "{" in self.path:
            statuses.add(404)
        if self.method in {"POST", "PUT", "PATCH"}:
            statuses |= {413, 415}
        if self.method in {"POST", "PUT", "PATCH", "DELETE"} and not public:
            # A write may meet a duplicate, a row in use (`in_use` on a delete) or another write (409), and a
            # business rule (422: `invoice_not_draft`, `too_many_lines`, ...); an idempotent POST also meets its
            # `Idempotency-Key` in flight (409) or reused with another body (422).
            statuses |= {409, 422}
        return statuses
