"""The three API families and their error envelopes for answers that no DRF view writes: an unknown path or
method, and a database that cannot be reached (PRODUCT.md section 2, "Limits")."""

from __future__ import annotations

import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIXES = ("/v1/", "/api/v1/", "/orders", "/invoices", "/api2/")
# A shared engine that cannot be reached (section 11): the database, or Redis where the cache and the login
# throttles live. Each is a 503 with `Retry-After`, never a 500.
UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def family_of(path: str) -> str:
    if path.startswith("/api2/"):
        return "api2"
    if path.startswith(("/orders", "/invoices")):
        return "orders"
    return "v1"


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path in {"/v1", "/api/v1", "/api2"}


def error_response(request: HttpRequest, status: int, code: str, message: str) -> JsonResponse:
    family = family_of(request.path)
    if family == "orders":
        body: dict = {"success": False, "message": message}
    elif family == "api2":
        body = {"code": status, "result": "failed", "message": message}
    else:
        body = {"message": message, "code": code}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def service_unavailable(request: HttpRequest) -> JsonResponse:
    response = error_response(
        request, 503, "service_unavailable", "The service is briefly unavailable: retry in a moment."
    )
    response["Retry-After"] = "1"
    return response


class DatabaseUnavailableMiddleware:
    """A lost or refused database (or Redis) connection is a 503 with `Retry-After: 1` (tills retry on 503), never
    a 500.

    DRF views answer it through the exception handler; this catches what happens around them (the idempotency
    transaction, the admin, the session middleware)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except UNAVAILABLE:
            return self._answer(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UNAVAILABLE):
            return self._answer(request)
        return None

    @staticmethod
    def _answer(request: HttpRequest) -> HttpResponse:
        if is_api_path(request.path):
            return service_unavailable(request)
        response = HttpResponse(
            "The service is briefly unavailable: retry in a moment.", status=503, content_type="text/plain"
        )
        response["Retry-After"] = "1"
        return response


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # the admin's and the receipt's style attributes
        "img-src 'self' data:",  # the receipt's QR code and Swagger UI's icons are data: URIs
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """The HTML the product serves (receipts, the admin, the API docs) loads only its own scripts: no inline or
    third-party script can run in it, whatever text a workspace stores."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
