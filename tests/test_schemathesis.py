"""Schemathesis over the whole OpenAPI schema, against the product served by a live server (PRODUCT.md section 10).

Every operation of `/api/schema/`, authenticated as a workspace owner whose workspace has rows of every kind, with
Schemathesis's default response checks: no 5xx, every status documented, the documented content type, the body
matching its schema. A fixed number of examples per operation and a fixed seed (derandomized), so runs repeat.
"""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import ClientFactory
from tests.invoicing.factories import ProductFactory, TaxFactory
from workspaces.services import tokens_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


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
    token = tokens_for(user=owner)["access"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50
    failures: list[str] = []
    examples = 0

    def check_operation(operation) -> None:
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:
            nonlocal examples
            examples += 1
            if "workspace_id" in (case.path_parameters or {}):
                case.path_parameters["workspace_id"] = workspace.pk
            case.call_and_validate(base_url=live_server.url, session=session, checks=CHECKS, timeout=30)

        run()

    for operation in operations:
        try:
            check_operation(operation)
        except Exception as error:
            failures.append(
                f"{operation.method.upper()} {operation.path}: {type(error).__name__}: {error}"[:800]
            )

    print(f"schemathesis: {len(operations)} operations, {examples} examples, {len(failures)} failures")
    assert not failures, "\n\n".join(failures[:20])
