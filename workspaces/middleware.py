"""The back office shows dates and times in the chosen workspace's time zone (a sale at 03:57 in Riyadh reads
03:57, not 00:57 UTC)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from workspaces.admin_site import admin_access


class AdminTimeZoneMiddleware:
    """Activates the workspace's time zone for the admin's requests, the page's rendering included (a
    TemplateResponse renders inside the middleware chain). After the authentication middleware."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/admin/") or not request.user.is_authenticated:
            return self.get_response(request)
        access = admin_access(request)
        if access is None:
            return self.get_response(request)
        with timezone.override(access.workspace.timezone):
            return self.get_response(request)
