"""For every v1 endpoint: no token 401, a member of another workspace 403, staff without the permission 403,
a workspace that does not exist 404, and another workspace's object id 404 (never its data)."""

import importlib
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.conftest import client_for, make_staff
from tests.tenancy.rows import ROWS, Row

pytestmark = pytest.mark.django_db


def _all_rows() -> list[Row]:
    """The rows of workspaces (tests/tenancy/rows.py) and of every app's tests/<app>/tenancy_rows.py."""
    rows = list(ROWS)
    for path in sorted(Path(__file__).resolve().parent.parent.glob("*/tenancy_rows.py")):
        rows.extend(importlib.import_module(f"tests.{path.parent.name}.tenancy_rows").ROWS)
    return rows


ALL_ROWS = _all_rows()


def _call(api: APIClient, row: Row, workspace, obj=None):
    path = row.path.format(ws=workspace.pk, obj=getattr(obj, "pk", obj))
    body = row.body(workspace) if callable(row.body) else row.body
    if row.method in {"GET", "DELETE"}:
        return getattr(api, row.method.lower())(path)
    return getattr(api, row.method.lower())(path, body, format="json")


def _obj(row: Row, workspace):
    return row.make(workspace) if row.make else None


@pytest.mark.parametrize("row", ALL_ROWS, ids=lambda r: r.id)
def test_no_token_is_401(row, workspace):
    response = _call(APIClient(), row, workspace, _obj(row, workspace))
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("row", ALL_ROWS, ids=lambda r: r.id)
def test_member_of_another_workspace_is_403(row, workspace, other_owner):
    response = _call(client_for(other_owner), row, workspace, _obj(row, workspace))
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("row", [r for r in ALL_ROWS if r.permission], ids=lambda r: r.id)
def test_staff_without_the_permission_is_403(row, workspace, store):
    # A member holding every code but the one needed (an owner-only endpoint: every code).
    from workspaces.codes import PERMISSION_CODES, SUPPLIERS_MANAGE

    others = [
        c
        for c in PERMISSION_CODES
        if c != row.permission and not (row.permission == "suppliers.view" and c == SUPPLIERS_MANAGE)
    ]
    user = make_staff(workspace, *others)
    response = _call(client_for(user), row, workspace, _obj(row, workspace))
    assert response.status_code == 403, response.content
    assert response.json()["details"] == {"permission": row.permission}


@pytest.mark.parametrize("row", ALL_ROWS, ids=lambda r: r.id)
def test_workspace_that_does_not_exist_is_404(row, owner, workspace):
    class Missing:
        pk = 999_999_999

    response = _call(client_for(owner), row, Missing, _obj(row, workspace))
    assert response.status_code == 404, response.content


@pytest.mark.parametrize("row", [r for r in ALL_ROWS if r.make], ids=lambda r: r.id)
def test_another_workspaces_object_is_404(row, owner, workspace, other_workspace, other_owner):
    foreign = row.make(other_workspace)
    response = _call(client_for(owner), row, workspace, foreign)
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
