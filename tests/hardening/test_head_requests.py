"""HEAD runs the GET handler, so it needs exactly what GET needs (found while building the file view: a staff member
without a permission got 200 on HEAD where GET answered 403, and the handler, an export included, still ran)."""

from __future__ import annotations

import pytest

from tests.conftest import client_for, make_staff


@pytest.mark.parametrize(
    "path",
    [
        "/v1/workspace/{ws}/suppliers",
        "/v1/workspace/{ws}/supplier-invoices",
        "/v1/workspace/{ws}/supplier-invoices/export?format=csv",
        "/v1/workspace/{ws}/staff",
        "/v1/workspace/{ws}/api-keys",
        "/v1/workspace/{ws}/pos/invoices",
    ],
)
def test_head_needs_what_get_needs(workspace, store, path):
    member = client_for(make_staff(workspace, store=store))
    url = path.format(ws=workspace.pk)
    get = member.get(url)
    head = member.head(url)
    assert get.status_code == 403
    assert head.status_code == 403
    assert head.content == b""


def test_head_is_answered_where_get_is(owner_client, workspace):
    response = owner_client.head(f"/v1/workspace/{workspace.pk}/suppliers")
    assert response.status_code == 200
    assert response.content == b""
