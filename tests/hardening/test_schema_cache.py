"""The public schema costs its generation once per language and format, not once per request (issue 15)."""

from __future__ import annotations

from unittest import mock

import pytest
from drf_spectacular.generators import SchemaGenerator

from workspaces.api.schema_view import CachedSchemaView


@pytest.fixture(autouse=True)
def empty_cache():
    CachedSchemaView._rendered.clear()
    yield
    CachedSchemaView._rendered.clear()


def test_the_schema_is_generated_once_then_served_as_it_was(api_client):
    with mock.patch.object(
        SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema
    ) as spy:
        first = api_client.get("/api/schema/")
        again = [api_client.get("/api/schema/", {"version": str(n)}) for n in range(5)]
        garbage = api_client.get("/api/schema/", {"lang": "xx-not-a-language"})
    assert first.status_code == 200
    assert first["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    assert b"openapi: 3" in first.content and b"/v1/auth/token" in first.content
    assert all(r.content == first.content for r in [*again, garbage])
    assert spy.call_count == 1
    assert len(CachedSchemaView._rendered) == 1


def test_each_format_and_language_is_its_own_entry(api_client):
    as_json = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert as_json["Content-Type"] == "application/vnd.oai.openapi+json"
    assert as_json.json()["paths"]
    arabic = api_client.get("/api/schema/", {"lang": "ar"})
    english = api_client.get("/api/schema/", {"lang": "en"})
    assert arabic.status_code == english.status_code == 200
    assert set(CachedSchemaView._rendered) == {
        ("en", "application/vnd.oai.openapi+json"),
        ("ar", "application/vnd.oai.openapi"),
        ("en", "application/vnd.oai.openapi"),
    }
