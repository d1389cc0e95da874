"""A service's refusal on an admin form keeps what was typed: the form comes back bound to the same POST, the
refusal beside the field it names or at the top, and nothing is written (`WorkspaceScopedAdmin.changeform_view`)."""

import datetime as dt
from decimal import Decimal

import pytest

from pos.models import BusinessSession
from pos.services import session_open
from tests.pos.conftest import owner_access

pytestmark = pytest.mark.django_db


def test_a_day_already_open_comes_back_with_what_was_typed(client, owner, workspace, store):
    session_open(
        workspace=workspace,
        access=owner_access(workspace, owner),
        store=store,
        opening_cash=Decimal(100),
        business_date=None,
    )
    client.force_login(owner)
    response = client.post(
        "/admin/pos/businesssession/add/",
        {"store": store.pk, "business_date": "2026-11-30", "opening_cash": "123.45"},
    )
    assert response.status_code == 200  # the form again, not a redirect that forgets it
    page = response.content.decode()
    assert 'value="123.45"' in page and 'value="2026-11-30"' in page
    assert "errornote" in page and "This store already has an open business session." in page
    assert BusinessSession.objects.filter(workspace=workspace).count() == 1


def test_a_refusal_naming_a_field_is_shown_beside_it(client, owner, workspace, store):
    client.force_login(owner)
    response = client.post(
        "/admin/pos/businesssession/add/",
        {"store": store.pk, "business_date": dt.date.today().isoformat(), "opening_cash": "-5"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="-5"' in page
    assert page.index("errorlist") < page.index('name="opening_cash"')  # the field's own error row
    assert not BusinessSession.objects.filter(workspace=workspace).exists()
