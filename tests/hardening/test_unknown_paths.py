"""Every method on every unknown path under an API prefix answers JSON in its family's envelope, CSRF or not
(issue 16: a POST to an unrouted path got Django's HTML "CSRF verification failed" page, and clients crashed
parsing it)."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory

from config.urls import csrf_failure

FAMILIES = [
    ("/v1/nothing", {"message": "Not found.", "code": "not_found"}),
    ("/api/v1/workspace/1/nothing", {"message": "Not found.", "code": "not_found"}),
    ("/v1/workspace/1/clients/%C2%84", {"message": "Not found.", "code": "not_found"}),
    ("/orders/1/nothing", {"success": False, "message": "Not found"}),
    ("/invoices/x/y", {"success": False, "message": "Not found"}),
    ("/api2/nothing.json", {"code": 404, "result": "failed", "message": "Not found"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "get"])
@pytest.mark.parametrize(("path", "body"), FAMILIES)
def test_any_method_on_an_unknown_path_is_a_json_404_even_with_csrf_checks(
    settings, debug, method, path, body
):
    settings.DEBUG = debug
    browser_like = Client(enforce_csrf_checks=True)
    if method == "get":
        response = browser_like.get(path)
    else:
        response = getattr(browser_like, method)(path, data="{}", content_type="application/json")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == body


@pytest.mark.django_db
def test_a_refused_csrf_check_on_an_api_path_answers_json():
    """Defence in depth: should a session-authenticated request reach an API view without its token."""
    for path, expected in [
        ("/v1/me", {"message": "CSRF verification failed.", "code": "permission_denied"}),
        ("/orders", {"success": False, "message": "CSRF verification failed."}),
    ]:
        response = csrf_failure(RequestFactory().post(path), reason="no token")
        assert response.status_code == 403
        assert response.headers["Content-Type"].startswith("application/json")
        assert json.loads(response.content) == expected
    admin = csrf_failure(RequestFactory().post("/admin/login/"), reason="no token")
    assert admin.status_code == 403 and admin.headers["Content-Type"].startswith("text/html")
