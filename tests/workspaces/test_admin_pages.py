"""The workspaces app's back-office pages as the owner reads them (issue 17): people by name, permissions as
words, discounts as `10%` or an amount in the currency's digits, labels through gettext, times in the workspace's
zone. `texts` and `page` are shared with the other apps' page tests."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext
from django.utils import formats, translation

from tests.conftest import make_staff
from tests.factories import ClientFactory, MembershipFactory, UserFactory
from workspaces import codes
from workspaces.models import ApiKey, Membership
from workspaces.services import api_key_create
from workspaces.tenancy import Access

pytestmark = pytest.mark.django_db


def page(client: WebClient, url: str, language: str = "en") -> str:
    """The page as a person with that language gets it (the language switch sets this cookie)."""
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def texts(html: str, name: str) -> list[str]:
    """What a person reads in the column, inline cell or read-only field `name` of an admin page, in page order."""
    cells = [
        _text(m.group(2))
        for m in re.finditer(rf'<(td|th) class="field-{name}(?: [^"]*)?"[^>]*>(.*?)</\1>', html, flags=re.S)
    ]
    fields = [
        _text(m.group(1))
        for m in re.finditer(
            rf'<div class="form-row[^"]*\bfield-{name}\b[^"]*">.*?<div class="readonly">(.*?)</div>',
            html,
            flags=re.S,
        )
    ]
    return cells + fields


def input_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert match, name
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return unescape(value.group(1)) if value else ""


def headers(html: str) -> list[str]:
    """The column headers of a list or a tabular inline."""
    return [_text(m) for m in re.findall(r"<th[^>]*scope=\"col\"[^>]*>(.*?)</th>", html, flags=re.S)] + [
        _text(m) for m in re.findall(r'<th class="column-[^"]*"[^>]*>(.*?)</th>', html, flags=re.S)
    ]


def local(moment: dt.datetime, time_zone: str, language: str = "en") -> str:
    """`moment` as the admin writes a date-time in `time_zone`, whatever that format is."""
    with translation.override(language):
        return formats.date_format(moment.astimezone(zoneinfo.ZoneInfo(time_zone)), "DATETIME_FORMAT")


def query_count(client: WebClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def owner_web(owner) -> WebClient:
    web = WebClient()
    web.force_login(owner)
    return web


def owner_access_of(workspace, owner) -> Access:
    return Access(
        workspace=workspace, user=owner, membership=owner.memberships.get(workspace=workspace), api_key=None
    )


@pytest.mark.parametrize(("currency", "fixed"), [("SAR", "5.00"), ("KWD", "5.000")])
def test_a_clients_discount_reads_as_a_percent_or_an_amount(owner_web, workspace, currency, fixed):
    workspace.currency = currency
    workspace.save()
    percent = ClientFactory(
        workspace=workspace, name="Nora", pos_discount_type="percent", pos_discount_value=Decimal("10")
    )
    ClientFactory(
        workspace=workspace, name="Fahad", pos_discount_type="fixed", pos_discount_value=Decimal("5")
    )
    ClientFactory(workspace=workspace, name="Plain")

    listing = page(owner_web, "/admin/workspaces/client/")
    change = page(owner_web, f"/admin/workspaces/client/{percent.pk}/change/")

    assert texts(listing, "name") == ["Plain", "Fahad", "Nora"]
    assert texts(listing, "pos_discount_display") == ["—", fixed, "10%"]
    assert "10.0000" not in listing and "5.0000" not in listing
    assert input_value(change, "pos_discount_value") == "10"  # not the stored 10.0000


def test_members_by_name_their_permissions_in_words(owner_web, owner, workspace, store):
    staff = UserFactory(name="Omar Staff", email="omar@example.com")
    MembershipFactory(
        workspace=workspace,
        user=staff,
        store=store,
        permissions=[codes.CLIENTS_MANAGE, codes.CATALOG_MANAGE],
        admin_access=True,
    )
    invited = UserFactory(name="Private Name", email="invited@example.com")
    MembershipFactory(
        workspace=workspace, user=invited, status=Membership.Status.INVITED, permissions=[codes.ORDERS_MANAGE]
    )

    listing = page(owner_web, "/admin/workspaces/membership/")

    # Given: the owner, a staff member and an invitation. Then: names, the invitation by its address only.
    assert texts(listing, "member") == ["invited@example.com", "Omar Staff", "Sara Owner"]
    assert "omar@example.com" not in listing and owner.email not in listing
    assert "Private Name" not in listing
    assert texts(listing, "permission_list") == [
        "Orders and order invoices",
        "Manage clients Manage products, taxes and stock",
        "Everything (the owner)",
    ]
    assert "<li>Manage clients</li><li>Manage products, taxes and stock</li>" in listing  # one a line
    assert "clients.manage" not in listing and '["' not in listing
    assert texts(listing, "store") == ["-", store.name, "-"]


def test_the_owners_membership_reads_its_permissions_in_words(owner_web, owner, workspace):
    membership = owner.memberships.get(workspace=workspace)

    html = page(owner_web, f"/admin/workspaces/membership/{membership.pk}/change/")

    assert texts(html, "member") == ["Sara Owner"]
    assert texts(html, "permission_list") == ["Everything (the owner)"]
    assert texts(html, "role") == ["Owner"]
    assert '"_save"' not in html  # read-only: the owner's membership never changes here


def test_a_staff_members_page_edits_permissions_with_their_labels(owner_web, workspace):
    user = make_staff(workspace, codes.CLIENTS_MANAGE)
    membership = user.memberships.get()

    html = page(owner_web, f"/admin/workspaces/membership/{membership.pk}/change/")

    assert texts(html, "member") == [user.name] and user.email not in html
    assert re.search(r'<input[^>]*name="permissions"[^>]*value="clients\.manage"[^>]*checked', html)
    assert "Manage clients" in html


def test_membership_captions_are_arabic(owner_web, workspace, store):
    make_staff(workspace, codes.CLIENTS_MANAGE, store=store)

    html = page(owner_web, "/admin/workspaces/membership/", "ar")

    columns = headers(html)
    assert "متجر" in columns and "مستخدم" in columns and "الصلاحيات" in columns
    assert not {"Store", "User", "Permissions"} & set(columns)
    assert "إدارة العملاء" in texts(html, "permission_list")


def test_api_keys_by_name_of_their_creator_in_the_workspaces_time(owner_web, owner, workspace):
    key, _raw = api_key_create(workspace=workspace, access=owner_access_of(workspace, owner), name="Web shop")
    moment = dt.datetime(2026, 1, 5, 22, 30, tzinfo=dt.UTC)  # 6 January 01:30 in Riyadh
    ApiKey.objects.filter(pk=key.pk).update(created_at=moment)

    listing = page(owner_web, "/admin/workspaces/apikey/")
    view = page(owner_web, f"/admin/workspaces/apikey/{key.pk}/change/")

    assert texts(listing, "created_by_name") == ["Sara Owner"] and owner.email not in listing
    assert texts(listing, "created_at") == [local(moment, "Asia/Riyadh")]
    assert texts(view, "created_by_name") == ["Sara Owner"] and owner.email not in view
    assert texts(view, "prefix") == [key.prefix]
    assert local(moment, "Asia/Riyadh") in view and local(moment, "UTC") not in view
    arabic = page(owner_web, f"/admin/workspaces/apikey/{key.pk}/change/", "ar")
    assert "أنشأها" in arabic and "Created by" not in arabic


def test_workspace_and_store_pages_are_arabic(owner_web, workspace, store):
    for url in (
        "/admin/workspaces/workspace/",
        f"/admin/workspaces/workspace/{workspace.pk}/change/",
        "/admin/workspaces/store/",
        f"/admin/workspaces/store/{store.pk}/change/",
    ):
        html = page(owner_web, url, "ar")
        assert 'dir="rtl"' in html
        for english in ("Time zone", "Currency", "Created", "Name"):
            assert f">{english}<" not in html and f">{english}:<" not in html, (url, english)


def test_the_user_accounts_show_no_flag_that_opens_nothing(workspace):
    root = UserFactory(is_superuser=True, is_staff=True)
    web = WebClient()
    web.force_login(root)

    listing = page(web, "/admin/workspaces/user/")
    change = page(web, f"/admin/workspaces/user/{root.pk}/change/")

    assert "column-is_staff" not in listing and "is_staff__exact" not in listing
    assert 'name="is_staff"' not in change


def test_the_lists_cost_the_same_with_more_rows(owner_web, owner, workspace, store):
    """A list's queries do not grow with its rows: names, stores and the currency come with the rows."""
    urls = ("/admin/workspaces/membership/", "/admin/workspaces/client/", "/admin/workspaces/apikey/")
    access = owner_access_of(workspace, owner)

    def add_rows() -> None:
        MembershipFactory(workspace=workspace, store=store, permissions=[codes.CLIENTS_MANAGE])
        ClientFactory(workspace=workspace, pos_discount_type="fixed", pos_discount_value=Decimal("5"))
        api_key_create(workspace=workspace, access=access, name="key")

    add_rows()
    before = [query_count(owner_web, url) for url in urls]
    for _ in range(3):
        add_rows()

    assert [query_count(owner_web, url) for url in urls] == before
