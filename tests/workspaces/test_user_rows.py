"""The per-user endpoints (`/v1/me/*`, tests/tenancy/rows.py `USER_ROWS`): no token 401, an API key 403 where a
person is needed, another user's row 404 and never listed."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import UserFactory, owner_access
from tests.tenancy.rows import USER_ROWS, UserRow
from workspaces.models import Membership
from workspaces.services import api_key_create

pytestmark = pytest.mark.django_db


def _call(api: APIClient, row: UserRow, obj=None):
    path = row.path.format(obj=getattr(obj, "pk", obj))
    return getattr(api, row.method.lower())(path, {}, format="json")


@pytest.mark.parametrize("row", USER_ROWS, ids=lambda r: r.id)
def test_no_token_is_401(row):
    obj = row.make(UserFactory()) if row.make else None
    response = _call(APIClient(), row, obj)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("row", [r for r in USER_ROWS if r.person_only], ids=lambda r: r.id)
def test_an_api_key_is_403(row, workspace, owner):
    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="k")
    obj = row.make(owner) if row.make else None
    response = _call(client_for(api_key=raw), row, obj)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("row", [r for r in USER_ROWS if r.make], ids=lambda r: r.id)
def test_another_users_row_is_404_and_unchanged(row):
    owner_of_row = UserFactory()
    foreign = row.make(owner_of_row)
    caller = UserFactory(email_verified_at=timezone.now())
    response = _call(client_for(caller), row, foreign)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Membership.objects.filter(pk=foreign.pk, user=owner_of_row, status="invited").exists()


def test_another_users_invitations_are_never_listed():
    for row in USER_ROWS:
        if row.make:
            row.make(UserFactory())
    caller = UserFactory()
    assert client_for(caller).get("/v1/me/invitations").json() == {"invitations": [], "nextCursor": None}
