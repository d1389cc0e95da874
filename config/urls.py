from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path, register_converter
from django.views.csrf import csrf_failure as default_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error
from drf_spectacular.views import SpectacularSwaggerSplitView

from config.converters import IdConverter
from workspaces.api import families
from workspaces.api.schema_view import CachedSchemaView

register_converter(IdConverter, "id")

v1 = [
    path("", include("workspaces.api.urls")),
    path("", include("invoicing.api.urls")),
    path("", include("pos.api.urls")),
    path("", include("suppliers.api.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("api/v1/", include(v1)),
    path("api2/api2/", include("invoicing.api2.urls")),  # seed 004's curl doubles the prefix
    path("api2/", include("invoicing.api2.urls")),
    path("", include("orders.api.urls")),  # /orders and /invoices (seed 003)
    path("api/schema/", CachedSchemaView.as_view(), name="schema"),
    # The split view serves its script as a file, so the docs run under the Content-Security-Policy.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("accounts/", include("workspaces.urls")),  # the e-mailed verification link's page
    path("i18n/", include("django.conf.urls.i18n")),  # the back office's language switch (set_language)
    path("admin/", admin.site.urls),
]

# Stored files (MEDIA_ROOT) are served by no URL of their own, DEBUG or not: only to the workspace's members,
# by `suppliers.api.views.files.SupplierFileView`.


@csrf_exempt  # an API client sends no CSRF token: any method on an unknown path is this JSON 404, never HTML
def _not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    message = "Not found." if families.family_of(request.path) == "v1" else "Not found"
    return families.error_response(request, 404, "not_found", message)


def not_found(request: HttpRequest, exception: Exception | None = None):
    if families.is_api_path(request.path):
        return _not_found(request)
    return page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = ""):
    """A refused CSRF check on an API path answers in its family's envelope (the admin keeps Django's page)."""
    if families.is_api_path(request.path):
        return families.error_response(request, 403, "permission_denied", "CSRF verification failed.")
    return default_csrf_failure(request, reason)


def server_error(request: HttpRequest):
    if families.is_api_path(request.path):
        return families.error_response(request, 500, "server_error", "An error occurred")
    return default_server_error(request)


# Unknown paths under an API prefix answer JSON in their family's envelope, with DEBUG on or off.
urlpatterns += [
    re_path(r"^(?:api/)?v1(?:/.*)?$", _not_found),
    re_path(r"^(?:orders|invoices|api2)(?:/.*)?$", _not_found),
]

handler404 = "config.urls.not_found"
handler500 = "config.urls.server_error"
