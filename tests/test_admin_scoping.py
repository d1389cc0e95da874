"""The back office shows the chosen workspace's rows only: every list filter, form choice, autocomplete and inline of
every registered model admin, including the admins of apps registered later (the test walks `admin.site._registry`
and fills workspace B with every app's demo data, `settings.DEMO_SEEDERS`)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.test import Client as Browser
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from tests.factories import (
    ClientFactory,
    MembershipFactory,
    StoreFactory,
    UserFactory,
    WorkspaceFactory,
    owner_access,
)
from workspaces import services
from workspaces.admin_base import WorkspaceScopedAdmin
from workspaces.models import Membership, User, Workspace

pytestmark = pytest.mark.django_db

LOOKUP_SUFFIXES = {"exact", "in", "id", "pk", "isnull"}


def seeded_workspace(name: str) -> tuple[Workspace, User]:
    """A workspace with rows of every kind: members, an API key, clients, and every app's demo data."""
    workspace = WorkspaceFactory(name=name)
    store = StoreFactory(workspace=workspace, name=f"{name} store", code=f"{name[:3].upper()}-1")
    owner = UserFactory(name=f"{name} owner")
    MembershipFactory(workspace=workspace, user=owner, role=Membership.Role.OWNER, admin_access=True)
    MembershipFactory(workspace=workspace, user=UserFactory(name=f"{name} cashier"), store=store)
    ClientFactory(workspace=workspace, name=f"{name} client")
    services.api_key_create(workspace=workspace, access=owner_access(workspace), name=f"{name} key")
    for seeder in settings.DEMO_SEEDERS:
        import_string(seeder)(workspace=workspace, store=store)
    return workspace, owner


def rows_of(workspace: Workspace) -> dict[type[models.Model], set[str]]:
    """The primary keys of every row belonging to `workspace`, per model."""
    found: dict[type[models.Model], set[str]] = {Workspace: {str(workspace.pk)}}
    found[User] = {
        str(pk) for pk in User.objects.filter(memberships__workspace=workspace).values_list("pk", flat=True)
    }
    for model in apps.get_models():
        if any(f.name == "workspace" and f.many_to_one for f in model._meta.get_fields()):
            found[model] = {
                str(pk)
                for pk in model._default_manager.filter(workspace=workspace).values_list("pk", flat=True)
            }
    return found


class Choices(HTMLParser):
    """The option values of every <select> (by its name) and the query of every filter link (`href="?..."`)."""

    def __init__(self) -> None:
        super().__init__()
        self.selects: dict[str, list[str]] = {}
        self.filter_links: list[list[tuple[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "select":
            self._select = attributes.get("name") or ""
            self.selects.setdefault(self._select, [])
        elif tag == "option" and self._select is not None and attributes.get("value"):
            self.selects[self._select].append(attributes["value"])
        elif tag == "a" and (attributes.get("href") or "").startswith("?"):
            self.filter_links.append(parse_qsl(attributes["href"][1:]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def related_model(model: type[models.Model], path: str) -> type[models.Model] | None:
    """The model a form field or a filter parameter (`store__id__exact`) points to, or None for a plain field."""
    parts = path.split("__")
    while parts and parts[-1] in LOOKUP_SUFFIXES:
        parts.pop()
    try:
        field = get_fields_from_path(model, "__".join(parts))[-1] if parts else None
    except (
        FieldDoesNotExist,
        NotRelationField,
    ):  # a filter of another kind (a date range, a SimpleListFilter)
        return None
    return field.related_model if field is not None and field.is_relation else None


def foreign_choices(page, model_admin, foreign: dict) -> list[str]:
    """Every choice on `page` (form selects, inline selects, filter links) that is one of workspace B's rows."""
    html = Choices()
    html.feed(page.content.decode())
    leaks = []
    context = page.context or {}
    forms = []
    if "adminform" in context:
        forms.append((model_admin.model, context["adminform"].form))
    for inline in context.get("inline_admin_formsets", []):
        forms.extend(
            (inline.formset.model, form) for form in [*inline.formset.forms, inline.formset.empty_form]
        )
    for model, form in forms:
        for name, field in form.fields.items():
            target = getattr(getattr(field, "queryset", None), "model", None)
            for value in html.selects.get(form.add_prefix(name), []):
                if target is not None and value in foreign.get(target, set()):
                    leaks.append(f"{model.__name__}.{name} offers {target.__name__} #{value}")
    for query in html.filter_links:
        for name, value in query:
            target = related_model(model_admin.model, name)
            for one in value.split(","):
                if target is not None and one in foreign.get(target, set()):
                    leaks.append(f"filter {name} offers {target.__name__} #{one}")
    return leaks


def admin_url(model: type[models.Model], view: str, *args) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def test_every_admin_offers_only_the_chosen_workspaces_rows():
    # Given: workspace A (whose owner signs in) and workspace B, both with rows of every kind
    mine, owner = seeded_workspace("Alpha")
    theirs, _ = seeded_workspace("Beta")
    foreign = rows_of(theirs)
    own = rows_of(mine)
    browser = Browser()
    browser.force_login(owner)
    assert foreign[Workspace] and all(own.get(model) or not pks for model, pks in foreign.items())

    checked = []
    for model, model_admin in admin.site._registry.items():
        changelist = browser.get(admin_url(model, "changelist"))
        if not isinstance(model_admin, WorkspaceScopedAdmin):
            # An admin that is not workspace-scoped is closed to a workspace's owner (superusers only).
            assert changelist.status_code in (302, 403), model
            continue
        # When: the owner opens the list, the add form and the change form of one of A's rows
        assert changelist.status_code == 200, model
        pages = {"changelist": changelist}
        add = browser.get(admin_url(model, "add"))
        if add.status_code != 403:
            assert add.status_code == 200, model
            pages["add"] = add
        row = model_admin.get_queryset(_request_of(browser, changelist)).order_by("pk").first()
        if row is not None:
            assert str(row.pk) in own.get(model, {str(row.pk)}), model
            change = browser.get(admin_url(model, "change", row.pk))
            assert change.status_code == 200, model
            pages["change"] = change
        for field in model_admin.autocomplete_fields:
            pages[f"autocomplete {field}"] = browser.get(
                "/admin/autocomplete/",
                {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field,
                },
            )
        # Then: no page offers a row of B
        for name, page in pages.items():
            if name.startswith("autocomplete"):
                target = model._meta.get_field(name.split()[1]).related_model
                leaks = [r["id"] for r in page.json()["results"] if r["id"] in foreign.get(target, set())]
            else:
                leaks = foreign_choices(page, model_admin, foreign)
            assert leaks == [], (model._meta.label, name, leaks)
        checked.append((model._meta.label, sorted(pages)))

    # The walk did meet the forms and filters it is about (a vacuous walk would pass too).
    labels = dict(checked)
    assert {"workspaces.Store", "workspaces.Client", "invoicing.Product", "pos.PosInvoice"} <= set(labels)
    assert "change" in labels["pos.PosInvoice"] and "add" in labels["invoicing.Product"]


def _request_of(browser: Browser, response):
    """The request the last page was served for (its user and session), to ask an admin for its queryset."""
    return response.wsgi_request


@pytest.mark.parametrize(
    ("page", "select"),
    [("/admin/invoicing/product/add/", "taxes"), ("/admin/pos/businesssession/add/", "store")],
)
def test_a_form_choice_lists_exactly_the_workspaces_rows(page, select):
    """A check that the walk's parser reads choices at all: the form offers A's rows (and only them)."""
    mine, owner = seeded_workspace("Alpha")
    seeded_workspace("Beta")
    browser = Browser()
    browser.force_login(owner)

    html = Choices()
    html.feed(browser.get(page).content.decode())

    model = {"taxes": "invoicing.Tax", "store": "workspaces.Store"}[select]
    rows = apps.get_model(model)._default_manager.filter(workspace=mine)
    assert sorted(html.selects[select]) == sorted(str(pk) for pk in rows.values_list("pk", flat=True))
    assert rows.exists()
