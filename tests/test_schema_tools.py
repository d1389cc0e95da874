"""The schema, checked by the tools that consume it (PRODUCT.md section 10; STYLE.md: the schema is read by programs).

- openapi-spec-validator: a valid OpenAPI 3.0 document.
- Spectral's `oas` ruleset (`.spectral.yaml`): no error. It runs through `npx` (Node.js), installed on first use into
  `var/npm-cache`; without Node.js the test skips, saying so.
- What a client generator needs: operation ids unique once normalised, `nullable` only beside a `type`, every page's
  `limit` and `cursor` with their ranges, the `Idempotency-Key` header and the response headers, typed objects and
  enums where the server writes one of a few words, the constraints the server enforces.

Schemathesis with all its checks is tests/test_schemathesis.py; a generated client, tests/test_generated_client.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from invoicing.calculations import MAX_TAXES_PER_LINE
from workspaces.api.openapi_hooks import normalised
from workspaces.currencies import CURRENCY_MINOR_UNITS

ROOT = Path(__file__).resolve().parent.parent
SPECTRAL = "@stoplight/spectral-cli@6"
NODE_MAJOR = 18  # Spectral 6 needs Node.js 18 or later
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    # As served: Decimals written by the schema renderer.
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def _operations(schema: dict[str, Any]):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _walk(node: Any, where: str = ""):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}.{index}")


def test_openapi_spec_validator_finds_it_valid(schema):
    from openapi_spec_validator import validate

    validate(schema)


def _node_version() -> tuple[str | None, str]:
    npx, node = shutil.which("npx"), shutil.which("node")
    if npx is None or node is None:
        return None, "Node.js (node and npx) is not installed: Spectral cannot run"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    match = re.match(r"v(\d+)\.", version)
    if match is None or int(match.group(1)) < NODE_MAJOR:
        return None, f"Spectral needs Node.js {NODE_MAJOR} or later; this machine has {version or 'none'}"
    return npx, version


def test_spectral_oas_ruleset_finds_no_error(schema, tmp_path):
    npx, reason = _node_version()
    if npx is None:
        pytest.skip(reason)
    document = tmp_path / "schema.json"
    document.write_text(json.dumps(schema))
    env = {
        **os.environ,
        "npm_config_cache": str(ROOT / "var" / "npm-cache"),
        "npm_config_update_notifier": "false",
    }
    command = [npx, "--yes", SPECTRAL, "lint", str(document), "--ruleset", str(ROOT / ".spectral.yaml")]
    run = subprocess.run(
        [*command, "--format", "json", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    try:
        results = json.loads(run.stdout or "[]")
    except json.JSONDecodeError:
        pytest.fail(
            f"Spectral did not run (exit {run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
        )
    errors = [r for r in results if r["severity"] == 0]
    warnings = sorted({r["code"] for r in results if r["severity"] == 1})
    print(f"spectral: {len(errors)} errors, warnings: {warnings}")
    assert not errors, "\n".join(
        f"{r['code']}: {r['message']} at {'.'.join(map(str, r['path']))}" for r in errors
    )


def test_operation_ids_stay_unique_once_normalised(schema):
    seen: dict[str, str] = {}
    for path, method, operation in _operations(schema):
        key = normalised(operation["operationId"])
        assert key not in seen, f"{method.upper()} {path} and {seen[key]} are both {key}"
        seen[key] = f"{method.upper()} {path}"
    assert {"api2_invoices_list", "api2_invoices_retrieve", "api2_invoices_create"} <= set(seen)


def test_nullable_stands_only_beside_a_type(schema):
    untyped = [where for where, node in _walk(schema) if node.get("nullable") is True and "type" not in node]
    assert not untyped


def test_every_page_declares_limit_and_cursor_with_their_ranges(schema):
    pages = 0
    for path, method, operation in _operations(schema):
        body = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if method != "get" or "nextCursor" not in _resolve(schema, body.get("schema", {})).get(
            "properties", {}
        ):
            continue
        pages += 1
        query = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        assert {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}.items() <= query["limit"][
            "schema"
        ].items(), path
        assert query["cursor"]["schema"]["type"] == "string", path
    assert pages >= 15  # every v1 list and the /orders ones, the suppliers' included
    for path in ("/v1/workspace/{workspace_id}/suppliers", "/v1/workspace/{workspace_id}/supplier-invoices"):
        assert {"limit", "cursor"} <= {p["name"] for p in schema["paths"][path]["get"]["parameters"]}


def test_every_post_but_the_secret_ones_declares_its_idempotency_key(schema):
    without = []
    for path, method, operation in _operations(schema):
        if method != "post":
            continue
        keys = [
            p
            for p in operation.get("parameters", [])
            if p["in"] == "header" and p["name"] == "Idempotency-Key"
        ]
        if not keys:
            without.append(path)
            continue
        assert keys[0]["schema"]["maxLength"] == 255 and not keys[0].get("required")
        responses = operation["responses"]
        success = [status for status in responses if status.startswith("2")]
        assert all("Idempotent-Replayed" in responses[status]["headers"] for status in success), path
        assert "Retry-After" in responses["409"]["headers"], path
    # PRODUCT.md section 2: their answers carry secrets (passwords, tokens, the API key itself).
    assert sorted(without) == [
        "/v1/auth/register",
        "/v1/auth/token",
        "/v1/auth/token/refresh",
        "/v1/auth/verify-email",
        "/v1/me/password",
        "/v1/workspace/{workspace_id}/api-keys",
    ]


def test_retry_after_is_documented_where_it_is_sent(schema):
    for path, _method, operation in _operations(schema):
        responses = operation["responses"]
        assert responses["503"]["headers"]["Retry-After"]["required"] is True, path
        if "429" in responses:
            assert "Retry-After" in responses["429"]["headers"], path
    assert "429" in schema["paths"]["/v1/auth/token"]["post"]["responses"]


def test_writes_document_their_conflicts_and_business_refusals(schema):
    for path, method, operation in _operations(schema):
        if method == "get" or path.startswith("/v1/auth/"):
            continue
        assert {"409", "422"} <= set(operation["responses"]), f"{method.upper()} {path}"
        if method in {"post", "patch", "put"}:
            assert {"413", "415"} <= set(operation["responses"]), f"{method.upper()} {path}"


# Response properties that are one of a few words: each an enum (directly or through a reference).
WORDS = {"status", "method", "type", "role", "source", "currency", "timezone", "receiptLanguage"}


def test_the_words_the_server_writes_are_enums_and_its_objects_are_typed(schema):
    free = []
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request") or name.startswith("Api2"):
            continue
        for prop, node in (component.get("properties") or {}).items():
            branches = [_resolve(schema, b) for b in node.get("oneOf", node.get("allOf", [node]))]
            if prop in WORDS and not any(
                "enum" in branch and None not in branch["enum"] for branch in branches
            ):
                free.append(f"{name}.{prop}")
            if any(b.get("type") == "object" and not b.get("properties") for b in branches) and prop not in {
                "details",  # the error body's `details`: what a refusal names (PRODUCT.md section 2)
                "errors",
            }:
                free.append(f"{name}.{prop} (free-form object)")
    assert not free
    actor = schema["components"]["schemas"]["Actor"]
    assert set(actor["properties"]) == {"type", "id", "name", "email"}


def test_the_constraints_the_server_enforces_are_declared(schema):
    components = schema["components"]["schemas"]
    assert components["CurrencyCode"]["enum"] == sorted(CURRENCY_MINOR_UNITS)
    assert "Asia/Riyadh" in components["TimeZone"]["enum"]
    register = components["RegisterInputRequest"]["properties"]
    assert register["password"]["minLength"] == 8
    assert register["currency"]["allOf"] == [{"$ref": "#/components/schemas/CurrencyCode"}]
    assert register["timezone"]["allOf"] == [{"$ref": "#/components/schemas/TimeZone"}]
    for component, prop in [
        ("OrderCreateInputRequest", "lineItems"),
        ("Api2InvoiceInputRequest", "InvoiceItem"),
        ("Api2InvoiceCreateRequestRequest", "InvoiceItem"),
    ]:
        assert components[component]["properties"][prop]["minItems"] == 1
    quantity = components["ItemAddInputRequest"]["properties"]["quantity"]
    assert (quantity["minimum"], quantity["exclusiveMinimum"], quantity["multipleOf"]) == (0, True, 0.001)
    assert components["ProductInputRequest"]["properties"]["taxIds"]["maxItems"] == MAX_TAXES_PER_LINE


def test_one_of_branches_never_overlap_on_a_blank_or_a_null(schema):
    """`oneOf` means exactly one: a value two branches take is invalid to a client, though the server takes it (a
    blank-allowing string whose pattern takes "" beside drf-spectacular's `maxLength: 0` branch did so)."""
    import jsonschema

    overlapping = []
    for where, node in _walk(schema):
        branches = node.get("oneOf")
        if not isinstance(branches, list):
            continue
        resolved = [_resolve(schema, branch) for branch in branches]
        for value in ("", None, "x"):
            taking = [
                branch
                for branch in resolved
                if ("type" in branch or "enum" in branch)
                and jsonschema.Draft7Validator({k: v for k, v in branch.items() if k != "nullable"}).is_valid(
                    value
                )
            ]
            if len(taking) > 1:
                overlapping.append((where, value, taking))
    assert not overlapping
