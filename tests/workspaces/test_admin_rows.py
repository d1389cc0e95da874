"""Every list of the back office writes its rows as Django's admin writes them (`workspaces.admin_rows`): each list
of every registered admin, with every app's demo data and texts that need escaping, in English and Arabic, plain,
with its filters preserved in the change links, and as a popup, rendered by `admin_rows` and by Django's own
`items_for_result`, gives the same table body byte for byte."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.test import Client as Browser
from django.urls import resolve

from tests.factories import ClientFactory
from tests.test_admin_scoping import admin_url, seeded_workspace
from workspaces import admin_rows
from workspaces.admin_base import WorkspaceScopedAdmin
from workspaces.models import Client

pytestmark = pytest.mark.django_db

BODY = re.compile(r"<tbody>.*?</tbody>", re.S)
QUERIES = ("", "?p=1&o=-1", "?_popup=1")


def table_body(browser: Browser, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, url
    found = BODY.search(response.content.decode())
    return found.group(0) if found else ""


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_list_writes_its_rows_as_djangos_admin(language, monkeypatch):
    # Given: a workspace with rows of every kind, a client whose name needs escaping, its owner signed in
    workspace, owner = seeded_workspace("Alpha")
    ClientFactory(workspace=workspace, name="<b>Ali & \"Sons\"</b> 'x'", email="")
    browser = Browser()
    browser.force_login(owner)
    browser.cookies["django_language"] = language

    compared = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, WorkspaceScopedAdmin):
            continue
        for query in QUERIES:
            url = admin_url(model, "changelist") + query
            # When: the list is written by admin_rows, then by Django's items_for_result
            written_by_us = []
            with monkeypatch.context() as counted:
                counted.setattr(
                    admin_rows,
                    "_columns",
                    lambda cl, seen=written_by_us, build=admin_rows._columns: seen.append(cl) or build(cl),
                )
                ours = table_body(browser, url)
            with monkeypatch.context() as patched:
                patched.setattr(admin_rows, "result_rows", results)
                django_s = table_body(browser, url)
            # Then: the same bytes
            assert ours == django_s, (model._meta.label, query)
            if ours.count("<tr>"):
                # The page's rows were admin_rows' (not Django's twice), except a list_editable one's.
                assert written_by_us or model_admin.list_editable, (model._meta.label, query)
                compared.append((model._meta.label, query))

    # The walk met lists with rows, links with preserved filters and popups (a walk of empty lists passes too).
    labels = {label for label, _query in compared}
    assert {"workspaces.Client", "pos.PosInvoice", "orders.Order", "suppliers.SupplierInvoice"} <= labels
    assert {query for _label, query in compared} == set(QUERIES)
    assert len(labels) >= 15


def _upper_name(obj):
    return obj.name.upper()


class EveryKindOfColumn(admin.ModelAdmin):
    """Columns of every kind Django's `items_for_result` tells apart (none of the registered admins needs all)."""

    list_display = (
        "name",
        "workspace",
        "workspace_id",
        "workspace__name",
        "has_active_pos_discount",
        _upper_name,
        "discount_yes_no",
        "nothing_here",
        "pos_discount_value",
        "pos_discount_active",
        "address",
        "email",
        "created_at",
        "__str__",
    )

    @admin.display(boolean=True, description="yes / no")
    def discount_yes_no(self, obj):
        return obj.pos_discount_active

    @admin.display(empty_value="(none)")
    def nothing_here(self, obj):
        return None


@pytest.mark.parametrize(
    ("links", "query"),
    [(None, ""), (("email", "workspace"), "?q=a&o=2"), ((), "?_popup=1"), (None, "?_popup=1&_to_field=id")],
)
def test_every_kind_of_column_is_written_as_djangos_admin(links, query, rf):
    # Given: clients with values of each kind (a blank e-mail, a discount, a name that needs escaping)
    workspace, owner = seeded_workspace("Alpha")
    ClientFactory(workspace=workspace, name="<i>Zed & co</i>", email="   ", pos_discount_active=True)
    owner.is_superuser = True
    request = rf.get(f"/admin/workspaces/client/{query}")
    request.user = owner
    model_admin = EveryKindOfColumn(Client, admin.site)
    if links is not None:
        model_admin.list_display_links = links
    cl = model_admin.get_changelist_instance(request)
    cl.formset = None  # as `changelist_view` sets it for a list without `list_editable`
    assert len(cl.result_list) >= 2

    # When: its rows are written by admin_rows and by Django
    ours = ["".join(row) for row in admin_rows.result_rows(cl)]
    django_s = ["".join(row) for row in results(cl)]

    # Then: the same markup
    assert ours == django_s
    written = "".join(ours)
    assert "&lt;i&gt;Zed &amp; co&lt;/i&gt;" in written and "(none)" in written and "icon-yes.svg" in written
    assert ("data-popup-opener" in written) == ("_popup" in query)
    assert written.count("<a href=") == (2 if links else 1) * len(ours)  # () and None: the first column


def test_a_change_link_without_the_stand_in_key_is_written_per_row_as_django_writes_it(rf, monkeypatch):
    _workspace, owner = seeded_workspace("Alpha")
    owner.is_superuser = True
    request = rf.get("/admin/workspaces/client/?o=1")
    request.user, request.resolver_match = owner, resolve("/admin/workspaces/client/")
    cl = EveryKindOfColumn(Client, admin.site).get_changelist_instance(request)
    cl.formset = None
    monkeypatch.setattr(admin_rows, "reverse", lambda *args, **kwargs: "/admin/elsewhere/")

    ours = ["".join(row) for row in admin_rows.result_rows(cl)]

    assert ours == ["".join(row) for row in results(cl)]
    assert "/admin/elsewhere/" not in "".join(ours) and "/change/?_changelist_filters=o%3D1" in "".join(ours)
