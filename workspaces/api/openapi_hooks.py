"""What the OpenAPI schema says of the whole document at once (drf-spectacular's postprocessing hook).

The schema is read by programs (a client generator, Spectral, Schemathesis), so it says what the server does:

- `nullable` only beside a `type`: a nullable reference is `oneOf: [<ref>, NullEnum]`, which OpenAPI 3.0
  validators accept and generators read as "the object or null".
- Every page (a GET answering `nextCursor`) declares `limit` (1 to 1000, default 100) and `cursor`.
- Response headers: `Idempotent-Replayed` on the 2xx of an idempotent POST, `Retry-After` on its 409 (the same
  key still in flight), on 429 and on 503.
- The parser's limits (`workspaces.api.parsers`): a number in a body is at most 10^15 in magnitude.
- Currencies (ISO 4217, `workspaces.currencies`) and time zones (the IANA names the server knows) are enums.
- `CONSTRAINTS`: what a service enforces beyond a field's type (a quantity above zero, a non-empty line list),
  said here, once, for the request components that carry it.
- Operation ids stay unique once normalised as a client generator does (lowercase, `[^a-z0-9]` as `_`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from drf_spectacular.drainage import warn

from workspaces.api.openapi_values import one_blank, time_zones, zone_identifier
from workspaces.api.pagination import CURSOR_MAX_LENGTH, CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from workspaces.api.parsers import MAX_MAGNITUDE
from workspaces.currencies import CURRENCY_MINOR_UNITS, WITHDRAWN_MINOR_UNITS

NULL = {"$ref": "#/components/schemas/NullEnum"}
LIMIT = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
CURSOR = {"type": "string", "maxLength": CURSOR_MAX_LENGTH, "pattern": CURSOR_PATTERN}
BOUND = int(MAX_MAGNITUDE)
RETRY_AFTER = {
    "description": "Seconds to wait before retrying.",
    "schema": {"type": "integer", "minimum": 0},
}
REPLAYED = {
    "description": "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
    "schema": {"type": "string", "enum": ["true"]},
}

# Components every schema may name (built here, so that the enums of a long list are written once).
ENUMS = {
    "CurrencyCode": lambda: {
        "type": "string",
        "description": "An ISO 4217 code of a currency one can invoice in.",
        "enum": sorted(CURRENCY_MINOR_UNITS),
    },
    "StoredCurrencyCode": lambda: {
        "type": "string",
        "description": "An ISO 4217 code; also one withdrawn since the document or the workspace chose it.",
        "enum": sorted({*CURRENCY_MINOR_UNITS, *WITHDRAWN_MINOR_UNITS}),
    },
    "TimeZone": lambda: {
        "type": "string",
        "description": "An IANA time zone name.",
        "enum": time_zones(),
        # `Etc/GMT+0`, `GMT-0` and `GMT0` would all be `GMT0` to a generator that makes identifiers of values.
        "x-enum-varnames": [zone_identifier(zone) for zone in time_zones()],
    },
}
# A property of these names is that enum wherever it stands (requests accept only current codes).
NAMED_ENUMS = {
    "currency": ("CurrencyCode", "StoredCurrencyCode"),
    "currency_code": ("CurrencyCode", "StoredCurrencyCode"),
    "timezone": ("TimeZone", "TimeZone"),
}

# A day of a filter (and of a supplier's or an api2 invoice) lies between 0001-01-02 and 9999-12-30, so that no
# time zone can shift it off the calendar (`workspaces.dates`, PRODUCT.md section 2).
IN_CALENDAR = {"pattern": "^(?!0001-01-01|9999-12-31)"}
POSITIVE = {"minimum": 0, "exclusiveMinimum": True}
NOT_NEGATIVE = {"minimum": 0, "exclusiveMinimum": None}
PERCENT = {"minimum": 0, "exclusiveMinimum": None, "maximum": 100, "exclusiveMaximum": None}
NOT_ZERO = {"not": {"enum": [0]}}
NON_EMPTY = {"minItems": 1}
ANY_BUT_NULL = {"items": {"not": {"enum": [None]}}}  # a list of JSON values, none of them null
# A product's taxes: at most `invoicing.calculations.MAX_TAXES_PER_LINE` (a layer above: tests hold them equal).
TWO_TAXES = {"maxItems": 2, "uniqueItems": True}
# Django's validators (settings.AUTH_PASSWORD_VALIDATORS): at least 8 characters, not only digits, not only
# spaces. Whether it is too common or too like the e-mail, only the server can say.
PASSWORD = {"minLength": 8, "allOf": [{"pattern": r"\D"}, {"pattern": r"\S"}]}
# What services enforce beyond the field's type, by request component and property (None: the key goes). A name
# that is no longer in the schema is a warning (the schema test fails on warnings): the table cannot go stale.
CONSTRAINTS: dict[str, dict[str, dict[str, Any]]] = {
    "RegisterInputRequest": {"password": PASSWORD},
    "PasswordChangeInputRequest": {"newPassword": PASSWORD},
    "StaffCreateInputRequest": {"password": PASSWORD},
    "PatchedStaffUpdateInputRequest": {"password": PASSWORD},
    "PosInvoiceDiscountRequest": {"value": NOT_NEGATIVE},
    "TaxInputRequest": {"rate": PERCENT},
    "PatchedTaxInputRequest": {"rate": PERCENT},
    "ProductInputRequest": {"price": NOT_NEGATIVE, "taxIds": TWO_TAXES},
    "PatchedProductInputRequest": {"price": NOT_NEGATIVE, "taxIds": TWO_TAXES},
    "StockAdjustmentInputRequest": {"quantity": NOT_ZERO},
    "SessionOpenInputRequest": {"openingCash": NOT_NEGATIVE},
    "SessionCloseInputRequest": {"closingCash": NOT_NEGATIVE},
    "ItemAddInputRequest": {"quantity": POSITIVE, "unitPrice": NOT_NEGATIVE},
    "PatchedItemUpdateInputRequest": {"quantity": POSITIVE, "unitPrice": NOT_NEGATIVE},
    "DiscountInputRequest": {"value": NOT_NEGATIVE},
    "PaymentInputRequest": {"amount": POSITIVE},
    # Returns (section 8a): a named line at most once, a positive quantity; refunds positive.
    "ReturnCreateInputRequest": {"items": {**NON_EMPTY, "maxItems": 500}, "refunds": {"maxItems": 20}},
    "ReturnLineInputRequest": {"quantity": POSITIVE},
    "RefundInputRequest": {"amount": POSITIVE},
    "SupplierInvoiceCreateInputRequest": {
        "totalAmount": NOT_NEGATIVE,
        "issueDate": IN_CALENDAR,
        "dueDate": IN_CALENDAR,
    },
    "PatchedSupplierInvoiceUpdateInputRequest": {
        "totalAmount": NOT_NEGATIVE,
        "issueDate": IN_CALENDAR,
        "dueDate": IN_CALENDAR,
    },
    "SupplierPaymentInputRequest": {"amount": POSITIVE},
    "OrderCreateInputRequest": {"lineItems": NON_EMPTY, "metaFields": ANY_BUT_NULL},
    "OrderLineInputRequest": {"quantity": POSITIVE, "unitPrice": NOT_NEGATIVE},
    "OrderInvoiceCreateInputRequest": {"lineItems": NON_EMPTY, "metaFields": ANY_BUT_NULL},
    "OrderInvoiceLineInputRequest": {"quantity": POSITIVE},
    # api2 (seed 004, PRODUCT.md section 8): its serializers are invoicing/api2's, its rules these.
    "Api2InvoiceCreateRequestRequest": {"InvoiceItem": NON_EMPTY},
    "Api2InvoiceInputRequest": {
        "InvoiceItem": NON_EMPTY,
        "discount": PERCENT,
        "discount_amount": NOT_NEGATIVE,
        "date": IN_CALENDAR,
    },
    "Api2InvoiceItemInputRequest": {
        "quantity": POSITIVE,
        "unit_price": NOT_NEGATIVE,
        "discount": NOT_NEGATIVE,
    },
    "Api2PaymentInputRequest": {"amount": POSITIVE},
}
# Query parameters of these names, wherever they stand.
DATE_OR_DATE_TIME = {
    "anyOf": [
        {"type": "string", "format": "date", **IN_CALENDAR},
        {"type": "string", "format": "date-time", **IN_CALENDAR},
    ]
}
QUERY_PARAMETERS = {"startDate": DATE_OR_DATE_TIME, "endDate": DATE_OR_DATE_TIME}
# An id in a path or a query string is 1 to 18 digits (`workspaces.api.fields.parse_id`, `config.converters`).
MAX_ID = 10**18 - 1
# A v1 or `/orders` filter read from the query string by a serializer takes an empty value (`?storeId=`) as not
# given, as `limit` and `cursor` do; api2 refuses a blank filter (PRODUCT.md section 8), and so do these.
BLANK_REFUSED = {"/v1/workspace/{workspace_id}/products": {"sku", "barcode"}}


def postprocess(
    result: dict[str, Any], generator: Any = None, request: Any = None, public: bool = True
) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("NullEnum", {"enum": [None]})
    for name, build in ENUMS.items():
        schemas.setdefault(name, build())
    for name, schema in schemas.items():
        request_side = name.endswith("Request")
        _named_enums(schema, request_side)
        if request_side:
            _bound_numbers(schema)
    _constrain(schemas)
    one_blank(_document_schemas(result))
    _type_nullable_references(result)
    for path, method, operation in _operations(result):
        if method == "get" and _answers_a_page(operation, schemas):
            _page_parameters(operation)
        _query_parameters(operation)
        if not path.startswith("/api2/"):
            _blank_is_absent(path, operation)
        _response_headers(method, operation)
    _check_operation_ids(result)
    return result


def _operations(result: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "patch", "delete", "head", "options", "trace"}:
                yield path, method, operation


def _nodes(schema: Any) -> Iterator[dict[str, Any]]:
    """Every schema object of `schema`, depth first (the schema itself included)."""
    if not isinstance(schema, dict):
        return
    yield schema
    for prop in (schema.get("properties") or {}).values():
        yield from _nodes(prop)
    for key in ("items", "additionalProperties", "not"):
        yield from _nodes(schema.get(key))
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in schema.get(key) or []:
            yield from _nodes(branch)


def _document_schemas(result: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every schema object of the document: components, parameters, bodies, response headers."""
    for schema in result.get("components", {}).get("schemas", {}).values():
        yield from _nodes(schema)
    for _path, _method, operation in _operations(result):
        for parameter in operation.get("parameters", []):
            yield from _nodes(parameter.get("schema"))
        bodies = [operation.get("requestBody", {}), *operation.get("responses", {}).values()]
        for body in bodies:
            for media in body.get("content", {}).values():
                yield from _nodes(media.get("schema"))
            for header in body.get("headers", {}).values():
                yield from _nodes(header.get("schema"))


def _type_nullable_references(result: dict[str, Any]) -> None:
    for node in list(_document_schemas(result)):
        if not node.get("nullable") or "type" in node:
            continue
        del node["nullable"]
        if "oneOf" in node:
            if NULL not in node["oneOf"]:
                node["oneOf"].append(NULL)
        elif "allOf" in node and len(node["allOf"]) == 1:
            node["oneOf"] = [node.pop("allOf")[0], NULL]
        elif "$ref" in node:
            node["oneOf"] = [{"$ref": node.pop("$ref")}, NULL]
        else:
            node["nullable"] = True  # nothing to type it with: left for the schema tests to name
            warn(f"nullable without a type or a reference: {node}")


def _named_enums(schema: dict[str, Any], request_side: bool) -> None:
    for node in _nodes(schema):
        for name, prop in (node.get("properties") or {}).items():
            if name not in NAMED_ENUMS or prop.get("type") != "string":
                continue
            ref = {"$ref": f"#/components/schemas/{NAMED_ENUMS[name][0 if request_side else 1]}"}
            kept = {
                key: prop[key] for key in ("description", "readOnly", "writeOnly", "default") if key in prop
            }
            if prop.get("nullable"):
                node["properties"][name] = {"oneOf": [ref, NULL], **kept}
            else:  # beside a `$ref`, 3.0 ignores every other key: they go beside an `allOf`
                node["properties"][name] = {"allOf": [ref], **kept} if kept else ref


def _bound_numbers(schema: dict[str, Any]) -> None:
    """A number in a body is at most 10^15 in magnitude (`workspaces.api.parsers`): say so where nothing tighter
    is said."""
    for node in _nodes(schema):
        if node.get("type") not in {"integer", "number"}:
            continue
        if "maximum" not in node:
            node["maximum"] = BOUND
        if "minimum" not in node:
            node["minimum"] = -BOUND


# A PATCH whose view validates the whole body (not a partial update): drf-spectacular's `Patched...` component
# makes every field optional, which would tell a client that `{}` is accepted.
REQUIRED_IN_PATCH: dict[str, tuple[str, ...]] = {"PatchedInvoiceUpdateInputRequest": ("orderStatusId",)}
# Keys only some answers carry: api2's `zatca` where the store signs (8c); else seed 004's shape, byte for byte.
OPTIONAL_IN_ANSWER: dict[str, tuple[str, ...]] = {"Api2InvoiceOutput": ("zatca",)}


def _constrain(schemas: dict[str, Any]) -> None:
    for component, required in REQUIRED_IN_PATCH.items():
        schema = schemas.get(component)
        if schema is None or not set(required) <= set(schema.get("properties", {})):
            warn(
                f"openapi_hooks.REQUIRED_IN_PATCH names {component}{required}, which the schema does not have"
            )
            continue
        schema["required"] = sorted({*schema.get("required", ()), *required})
    for component, optional in OPTIONAL_IN_ANSWER.items():
        schema = schemas.get(component)
        if schema is None or not set(optional) <= set(schema.get("properties", {})):
            warn(
                f"openapi_hooks.OPTIONAL_IN_ANSWER names {component}{optional}, which the schema does not have"
            )
            continue
        schema["required"] = [name for name in schema.get("required", ()) if name not in optional]
    for component, properties in CONSTRAINTS.items():
        schema = schemas.get(component)
        if schema is None:
            warn(f"openapi_hooks.CONSTRAINTS names {component}, which is no component of the schema")
            continue
        for name, constraint in properties.items():
            prop = schema.get("properties", {}).get(name)
            if prop is None:
                warn(f"openapi_hooks.CONSTRAINTS names {component}.{name}, which is no property of it")
                continue
            for key, value in constraint.items():
                if value is None:
                    prop.pop(key, None)
                else:
                    prop[key] = copy.deepcopy(value)  # the schema is cached and served: nothing shared


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def _answers_a_page(operation: dict[str, Any], schemas: dict[str, Any]) -> bool:
    body = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
    return "nextCursor" in _resolve(body.get("schema", {}), schemas).get("properties", {})


def _page_parameters(operation: dict[str, Any]) -> None:
    parameters = [
        p
        for p in operation.get("parameters", [])
        if not (p.get("in") == "query" and p["name"] in {"limit", "cursor"})
    ]
    parameters += [
        {
            "in": "query",
            "name": "limit",
            "schema": dict(LIMIT),
            "description": f"Rows per page: 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
        },
        {
            "in": "query",
            "name": "cursor",
            "schema": dict(CURSOR),
            "description": "The `nextCursor` of the previous page, as it was written (an opaque token).",
        },
    ]
    operation["parameters"] = sorted(parameters, key=lambda p: (p["in"], p["name"]))


def _query_parameters(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") == "query" and parameter["name"] in QUERY_PARAMETERS:
            parameter["schema"] = dict(QUERY_PARAMETERS[parameter["name"]])
        elif parameter.get("in") == "query" and schema.get("format") in {"date", "date-time"}:
            schema.update(IN_CALENDAR)
        elif schema.get("type") == "integer" and _names_an_id(parameter["name"]) and "maximum" not in schema:
            schema["maximum"] = MAX_ID


def _blank_is_absent(path: str, operation: dict[str, Any]) -> None:
    refused = BLANK_REFUSED.get(path, set())
    for parameter in operation.get("parameters", []):
        if (
            parameter.get("in") == "query"
            and not parameter.get("required")
            and parameter["name"] not in refused
        ):
            parameter["allowEmptyValue"] = True


def _names_an_id(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "Id"))


def _response_headers(method: str, operation: dict[str, Any]) -> None:
    idempotent = any(
        p.get("in") == "header" and p.get("name") == "Idempotency-Key"
        for p in operation.get("parameters", [])
    )
    for status, response in operation.get("responses", {}).items():
        headers = response.setdefault("headers", {})
        if idempotent and status.startswith("2"):
            headers["Idempotent-Replayed"] = dict(REPLAYED)
        if status in {"429", "503"} or (idempotent and status == "409"):
            headers["Retry-After"] = {**RETRY_AFTER, "required": status == "503"}
        if not headers:
            del response["headers"]


def normalised(operation_id: str) -> str:
    """As openapi-python-client names a function: lowercase, every run of other characters one `_`."""
    return re.sub(r"[^a-z0-9]+", "_", operation_id.lower()).strip("_")


def _check_operation_ids(result: dict[str, Any]) -> None:
    seen: dict[str, str] = {}
    for path, method, operation in _operations(result):
        key = normalised(operation.get("operationId", ""))
        label = f"{method.upper()} {path}"
        if key in seen:
            warn(f"operation ids of {seen[key]} and {label} are the same once normalised ({key})")
        seen[key] = label
