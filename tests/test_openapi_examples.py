"""Every example in the OpenAPI schema has exactly the shape its schema declares: the hand-written examples and the
serializers that write the answers cannot drift apart (STYLE.md: one output shape per resource)."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator


def _strict(schema: Any) -> Any:
    """OpenAPI 3.0 to JSON Schema: `nullable` as a null type, and no key beyond the declared ones."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: _strict(value) for key, value in schema.items()}
    if schema.pop("nullable", False):
        if "type" in schema:
            schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        if "$ref" in schema or "allOf" in schema or "oneOf" in schema:
            schema = {"anyOf": [{"type": "null"}, {k: v for k, v in schema.items()}]}
    for bound in ("Maximum", "Minimum"):  # 3.0's boolean exclusive bounds are numbers in JSON Schema
        if schema.get(f"exclusive{bound}") is True:
            schema[f"exclusive{bound}"] = schema.pop(bound.lower())
        elif schema.get(f"exclusive{bound}") is False:
            del schema[f"exclusive{bound}"]
    if schema.get("type") == "object" and "properties" in schema and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    return schema


def _cases() -> list[tuple[str, Any, dict]]:
    api = SchemaGenerator().get_schema(request=None, public=True)
    components = _strict(copy.deepcopy(api["components"]))
    cases = []
    for path, operations in api["paths"].items():
        for method, operation in operations.items():
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += [(status, response) for status, response in operation.get("responses", {}).items()]
            for where, body in bodies:
                media = body.get("content", {}).get("application/json", {})
                for name, example in (media.get("examples") or {}).items():
                    schema = {**_strict(media["schema"]), "components": components}
                    cases.append((f"{method.upper()} {path} {where} {name}", example["value"], schema))
    return cases


CASES = _cases()


def test_the_schema_carries_examples():
    assert len(CASES) >= 30


@pytest.mark.parametrize(("where", "value", "schema"), CASES, ids=[case[0] for case in CASES])
def test_example_matches_its_schema(where, value, schema):
    jsonschema.validate(value, schema)
