from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.converters import IdConverter

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
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)


def _family(request: HttpRequest) -> str:
    if request.path.startswith("/api2/"):
        return "api2"
    if request.path.startswith(("/orders", "/invoices")):
        return "orders"
    return "v1"


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    family = _family(request)
    if family == "orders":
        return JsonResponse({"success": False, "message": "Not found"}, status=404)
    if family == "api2":
        return JsonResponse({"code": 404, "result": "failed", "message": "Not found"}, status=404)
    return JsonResponse({"message": "Not found.", "code": "not_found"}, status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    family = _family(request)
    if family == "orders":
        return JsonResponse({"success": False, "message": "An error occurred"}, status=500)
    if family == "api2":
        return JsonResponse({"code": 500, "result": "failed", "message": "Server error"}, status=500)
    return JsonResponse({"message": "Server error.", "code": "server_error"}, status=500)


handler404 = "config.urls.not_found"
handler500 = "config.urls.server_error"
