"""No endpoint answers 500 to bad input: every body field of every row, replaced by junk, as the owner."""

import pytest
from django.urls import resolve

from tests.conftest import client_for
from tests.tenancy.test_tenancy import ALL_ROWS, _call, _obj

pytestmark = pytest.mark.django_db

JUNK = [
    None,
    True,
    -1,
    0,
    1.5,
    "",
    "x" * 3000,
    "1e999",
    "NaN",
    "٣",
    [],
    {},
    [{"a": 1}],
    {"a": [1]},
    "507f1f77bcf86cd799439011",
]
WRITE_ROWS = [row for row in ALL_ROWS if row.method in {"POST", "PATCH"}]


@pytest.mark.parametrize("row", WRITE_ROWS, ids=lambda r: r.id)
def test_junk_in_any_field_is_never_a_500(row, owner, workspace, store):
    api = client_for(owner)
    api.raise_request_exception = False
    obj = _obj(row, workspace)
    body = row.body(workspace) if callable(row.body) else row.body
    fields = list(body) or ["name"]
    for field in fields:
        for junk in JUNK:
            bad = type(row)(
                row.method, row.path, row.permission, lambda ws, obj=obj: obj, {**body, field: junk}
            )
            response = _call(api, bad, workspace, obj)
            assert response.status_code < 500, (row.id, field, junk, response.content[:300])


@pytest.mark.parametrize("row", WRITE_ROWS, ids=lambda r: r.id)
def test_raw_garbage_bodies_are_400(row, owner, workspace, store):
    api = client_for(owner)
    api.raise_request_exception = False
    path = row.path.format(ws=workspace.pk, obj=getattr(_obj(row, workspace), "pk", None))
    # An upload endpoint parses multipart only: any JSON body there is 415, whatever it holds.
    parsers = resolve(path).func.view_class.parser_classes
    expected = (415,) if all(p.media_type.startswith("multipart/") for p in parsers) else (400, 404, 409, 422)
    for raw in (b"{", b"\xff\xfe", b"[]", b'"s"', b"1", b'{"a":' * 5000):
        response = getattr(api, row.method.lower())(path, data=raw, content_type="application/json")
        assert response.status_code in expected, (
            row.id,
            raw[:20],
            response.status_code,
            response.content[:200],
        )
