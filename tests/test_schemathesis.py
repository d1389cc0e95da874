"""Schemathesis over the whole OpenAPI schema, against the product served by a live server (PRODUCT.md section 10).

Every operation of `/api/schema/`, authenticated as a workspace owner whose workspace has rows of every kind, with
**all** of Schemathesis's default checks (`Case.validate_response` without `checks`: no 5xx, every status, content
type, header and body as documented, schema-valid requests accepted, schema-violating ones refused, credentials
enforced, ...), on positive and on negative data. A fixed number of examples per operation and mode, and a fixed
seed (derandomized), so runs repeat.

The few refusals no schema can express are named in `EXCUSES`, each with the reason it is inherent.
"""

from __future__ import annotations

import collections
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation

from tests.factories import ClientFactory
from tests.invoicing.factories import ProductFactory, TaxFactory
from workspaces.services import tokens_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


PARSER_NUMBER = "A number of at most 20 significant digits and at most 10^15 in magnitude."


@dataclass(frozen=True)
class Excuse:
    """A refusal that is the product's and that no schema can state, named: a check's failure is excused only when
    every error of the answer is covered by an excuse of that check and status."""

    name: str
    check: str
    statuses: frozenset[int]
    covers: Callable[[str, str, str], bool]  # (operation, field, message)


def _message_in(*texts: str) -> Callable[[str, str, str], bool]:
    return lambda _operation, _field, message: message in texts


def _pattern(regex: str) -> Callable[[str, str, str], bool]:
    return lambda _operation, _field, message: re.fullmatch(regex, message) is not None


POSITIVE = "positive_data_acceptance"
EXCUSES = [
    # `cursor` is the opaque token the server wrote as `nextCursor`: the schema gives its alphabet and length, not
    # which strings name a position (any other is 400 `Invalid cursor.`).
    Excuse("opaque cursor", POSITIVE, frozenset({400}), lambda _op, field, _m: field == "cursor"),
    # The parser refuses a number over 20 significant digits or 10^15 in magnitude anywhere in a body (PRODUCT.md
    # section 2, "Limits"), also where the schema allows any value (unknown properties, `metaFields`). Every
    # declared number carries the bound (`openapi_hooks`).
    Excuse("parser number limits", POSITIVE, frozenset({400}), _message_in(PARSER_NUMBER)),
    # api2 names another workspace's (or no) client, store, product or tax with a 400 and a `validation_errors`
    # entry (PRODUCT.md section 8), not a 404: which ids exist is the database's to say.
    Excuse(
        "api2 foreign ids",
        POSITIVE,
        frozenset({400}),
        lambda op, _f, message: (
            op.startswith("POST /api2/")
            and re.fullmatch(r"No such (client|store|product|tax) in this workspace\.", message) is not None
        ),
    ),
    # Amounts are declared with the finest minor unit of any currency (3 places); the workspace's or the api2
    # invoice's currency may allow fewer (SAR 2, JPY 0).
    Excuse(
        "currency minor unit",
        POSITIVE,
        frozenset({400}),
        _pattern(
            r"(The amount can have at most|At most) [0-2] decimal places\.|The discount must be zero or "
            r"more, with at most [0-2] decimal places\."
        ),
    ),
    # 422 is a business refusal of a well-formed request (PRODUCT.md section 2): no open day, a closed day, short
    # stock, an overpayment, an `Idempotency-Key` the generator drew again for another body. It depends on the
    # stored rows, which no schema can state.
    Excuse("business refusal", POSITIVE, frozenset({422}), lambda _op, _f, _m: True),
    # Refusals of a well-formed body that depend on stored rows: a password or a link that does not match, stock
    # and payments of an api2 invoice (a 400 there, seed 004), what remains to invoice of an order, a workspace
    # with several stores.
    Excuse(
        "stored state",
        POSITIVE,
        frozenset({400}),
        _pattern(
            r"The current password is not correct\.|This link is invalid, already used or expired\."
            r"|insufficient stock|Payments cannot be recorded on a draft invoice\."
            r"|The payments \(.*\) exceed the total \(.*\)\.|This is not a line item of this order\."
            r"|At most .* remain to invoice on this line\."
            r"|This workspace has several stores: say which one \(storeId\)\."
            r"|At most .* of “.*” can be returned\.|This invoice has no such item\.|Each item can be named once\."
        ),
    ),
    # A rule across two fields: a percent discount is at most 100, a fixed one any amount (`type` decides).
    Excuse(
        "percent discount",
        POSITIVE,
        frozenset({400}),
        lambda _op, field, message: field.endswith("value") and message == "A percent is at most 100.",
    ),
    # An upload is known by its bytes (JPEG, PNG, WebP, GIF or PDF headers), which a schema's `binary` cannot say.
    Excuse(
        "file content",
        POSITIVE,
        frozenset({400}),
        lambda _op, field, message: (
            field == "file" and message.startswith("Upload a JPEG, PNG, WebP or GIF image")
        ),
    ),
    # Adding staff: an e-mail without an account needs a `password` (the account is made), one with an account
    # does not (it is an invitation).
    Excuse(
        "new account's password",
        POSITIVE,
        frozenset({400}),
        lambda op, field, message: (
            op == "POST /v1/workspace/{workspace_id}/staff"
            and field == "password"
            and message == "This field is required."
        ),
    ),
]


def _errors(response: requests.Response) -> list[tuple[str, str]]:
    """(field, message) of a refusal in its family's envelope; ("", message) when it names no field."""
    try:
        body = response.json()
    except ValueError:
        return [("", response.text)]
    if not isinstance(body, dict):
        return [("", str(body))]
    if isinstance(body.get("errors"), dict):  # v1
        return [(field, message) for field, messages in body["errors"].items() for message in messages]
    if isinstance(body.get("validation_errors"), dict):  # api2
        return list(body["validation_errors"].items())
    message = str(body.get("message", ""))
    if body.get("success") is False and message.startswith("Validation error: "):  # /orders, /invoices
        return [
            tuple(part.partition(": ")[::2])
            for part in message.removeprefix("Validation error: ").split("; ")
        ]
    return [("", message)]


def _excused(check: str, operation: str, response: requests.Response) -> list[tuple[str, str]] | None:
    """(excuse, message) for every error of the answer when excuses cover them all, else None."""
    excuses = [e for e in EXCUSES if e.check == check and response.status_code in e.statuses]
    covered: list[tuple[str, str]] = []
    for field, message in _errors(response):
        excuse = next((e for e in excuses if e.covers(operation, field, message)), None)
        if excuse is None:
            return None
        covered.append((excuse.name, message if excuse.name != "parser number limits" else ""))
    return covered or None


def _check_of(failure: Failure) -> str:
    return type(failure).checks[0] if type(failure).checks else type(failure).__name__


@pytest.fixture
def populated(owner, workspace, store):
    """Real rows, so that generated ids sometimes name them (ids are small integers)."""
    tax = TaxFactory(workspace=workspace)
    ProductFactory(workspace=workspace, taxes=[tax])
    ClientFactory(workspace=workspace, pos_discount_type="percent", pos_discount_value=5)
    return workspace


def test_every_operation_answers_as_documented(live_server, owner, populated):
    workspace = populated
    schema_url = f"{live_server.url}/api/schema/?format=json"
    raw = requests.get(schema_url, timeout=30).json()
    schema = schemathesis.openapi.from_dict(raw)
    headers = {"Authorization": f"Bearer {tokens_for(user=owner)['access']}"}
    transport = {"base_url": live_server.url, "timeout": 30}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50
    failures: dict[tuple[str, str, str], str] = {}
    excused: collections.Counter[str] = collections.Counter()
    messages: collections.defaultdict[str, set[str]] = collections.defaultdict(set)
    errors: list[str] = []
    examples = 0

    def check_operation(operation, mode: GenerationMode) -> None:
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case) -> None:
            nonlocal examples
            examples += 1
            # The owner's workspace and credentials, unless they are what this negative case puts wrong (then the
            # answer is the 404 or 401 it asks for). They go in the case itself, so that the case is judged on
            # what was sent.
            negative = (
                case.meta.is_negative_at if mode == GenerationMode.NEGATIVE else lambda _location: False
            )
            if "workspace_id" in (case.path_parameters or {}) and not negative(ParameterLocation.PATH):
                case.path_parameters["workspace_id"] = str(workspace.pk)
            sent = {} if negative(ParameterLocation.HEADER) else headers
            case.headers = {**(case.headers or {}), **sent}
            response = case.call(base_url=live_server.url, headers=sent, timeout=30)
            try:
                case.validate_response(
                    response, headers=sent, transport_kwargs={**transport, "headers": sent}
                )
            except FailureGroup as group:
                for failure in group.exceptions:
                    check = _check_of(failure)
                    covered = _excused(check, operation.label, response)
                    if covered is not None:
                        excused.update({name for name, _message in covered})
                        for name, message in covered:
                            messages[name].add(f"{response.status_code} {message}"[:90])
                        continue
                    key = (operation.label, check, failure.title)
                    failures.setdefault(
                        key,
                        f"{failure.message}\n[{response.status_code}] {response.text[:300]}\n"
                        f"{case.as_curl_command(headers=headers)}",
                    )

        run()

    for operation in operations:
        for mode in MODES:
            try:
                check_operation(operation, mode)
            except Exception as error:
                errors.append(f"{operation.label} ({mode.value}): {type(error).__name__}: {error}"[:800])

    per_check = collections.Counter(check for _label, check, _title in failures)
    print(
        f"\nschemathesis: {len(operations)} operations, {examples} examples, {len(failures)} failures "
        f"{dict(sorted(per_check.items()))}, excused {dict(sorted(excused.items()))}, {len(errors)} errors"
    )
    for name, seen in sorted(messages.items()):
        print(f"excused as {name}: {sorted(seen)[:12]}")
    for (label, check, title), detail in sorted(failures.items()):
        print(f"--- {label} [{check}] {title}\n{detail[:600]}")
    assert not errors, "\n\n".join(errors[:20])
    assert not failures, f"{len(failures)} failures: " + ", ".join(
        f"{label} [{check}]" for label, check, _title in sorted(failures)
    )
