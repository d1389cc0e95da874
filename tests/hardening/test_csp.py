"""A Content-Security-Policy on the HTML the product serves, under which the pages still work: every script
they run is a file of our own (no inline script, no inline event handler), images of the receipt are data: URIs."""

from __future__ import annotations

import re

import pytest

from workspaces.api.families import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def assert_runs_under_the_policy(response) -> None:
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group()
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group()


def test_the_policy_allows_only_our_own_scripts():
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


def test_api_docs(client):
    page = client.get("/api/docs/")
    assert_runs_under_the_policy(page)
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page.content.decode())
    own = [src for src in scripts if "script" in src and "swagger-ui" not in src]
    assert own, scripts  # the page's own configuration script is served as a file...
    assert client.get(own[0]).status_code == 200  # ...and answers


def test_admin_login_and_index(client, owner):
    assert_runs_under_the_policy(client.get("/admin/login/"))
    client.force_login(owner)
    assert_runs_under_the_policy(client.get("/admin/"))


def test_receipt(owner_client, workspace):
    from tests.pos.tenancy_rows import _invoice

    invoice = _invoice(workspace)
    response = owner_client.get(f"/v1/workspace/{workspace.pk}/pos/invoices/{invoice.pk}/receipt")
    assert_runs_under_the_policy(response)


def test_json_answers_carry_no_html_policy(owner_client, workspace):
    response = owner_client.get(f"/v1/workspace/{workspace.pk}")
    assert "Content-Security-Policy" not in response
