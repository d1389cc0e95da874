"""Columns and read-only fields of the back office that print amounts and people as the owner reads them: the
currency's minor digits with `.` and `,` in both languages (`workspaces.templatetags.backoffice`), a person by name
rather than e-mail, free JSON as lines of text, number inputs without a stored value's trailing zeros."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from workspaces.numbers import decimal_literal
from workspaces.templatetags.backoffice import format_money, format_quantity


def person_name(user) -> str:
    """A person as the back office shows them: their name, else their e-mail (a user without a name)."""
    if user is None:
        return "—"
    return user.name or user.email


def money_column(
    field: str, description, currency: Callable[[Any, Any], str], *, exact: bool = False
) -> Callable[[Any, Any], str]:
    """A `list_display` / `readonly_fields` entry printing `obj.<field>` with the currency that
    `currency(modeladmin, obj)` gives, sortable on the field. `exact` keeps places beyond the currency's (a unit
    price of 0.1234). Use as a class attribute: `total_display = money_column("total", _("total"), ...)`."""

    @admin.display(description=description, ordering=field)
    def column(modeladmin, obj) -> str:
        return format_money(getattr(obj, field), currency(modeladmin, obj), exact=exact)

    return column


def quantity_column(field: str, description) -> Callable[[Any, Any], str]:
    @admin.display(description=description, ordering=field)
    def column(modeladmin, obj) -> str:
        return format_quantity(getattr(obj, field))

    return column


def person_column(field: str, description) -> Callable[[Any, Any], str]:
    """`created_by`, `opened_by` ... by name (select the relation in `list_select_related`)."""

    @admin.display(description=description, ordering=f"{field}__name")
    def column(modeladmin, obj) -> str:
        return person_name(getattr(obj, field))

    return column


def related_column(field: str, description) -> Callable[[Any, Any], str]:
    """A related row by its name, under a translatable caption: a foreign key without its own `verbose_name`
    would be captioned with its bare English field name (and giving it one is a migration)."""

    @admin.display(description=description, ordering=field)
    def column(modeladmin, obj) -> str:
        related = getattr(obj, field)
        return "—" if related is None else str(related)

    return column


def actor_name(user, api_key) -> str:
    """Who did it: a person by name, else the API key by its name (a document made through the API)."""
    if user is not None:
        return person_name(user)
    return "—" if api_key is None else api_key.name


def actor_column(description, user: str = "created_by", api_key: str = "created_by_api_key"):
    """`created_by` or, for a document made with an API key, that key's name, in one column (select both
    relations in `list_select_related`)."""

    @admin.display(description=description, ordering=f"{user}__name")
    def column(modeladmin, obj) -> str:
        return actor_name(getattr(obj, user), getattr(obj, api_key))

    return column


def readable_list(items: list[str]) -> str:
    """A list of texts as the page shows it: one per line, escaped; an empty list is a dash."""
    if not items:
        return "—"
    return format_html(
        '<ul class="readable-list">{}</ul>', format_html_join("", "<li>{}</li>", ((i,) for i in items))
    )


def _json_text(value) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    return json.dumps(value, ensure_ascii=False)


def key_value_lines(entries) -> list[str]:
    """Free JSON sent by an integration (an order's `metaFields`) as lines a person reads: `{"key": "event",
    "value": "عرس"}` -> `event: عرس`; another object -> `name: value` per member; anything else as written."""
    if entries in (None, "", [], {}):
        return []
    if not isinstance(entries, list):
        entries = [entries]
    lines = []
    for entry in entries:
        if isinstance(entry, dict) and set(entry) == {"key", "value"}:
            lines.append(f"{_json_text(entry['key'])}: {_json_text(entry['value'])}")
        elif isinstance(entry, dict):
            lines.extend(f"{name}: {_json_text(value)}" for name, value in entry.items())
        else:
            lines.append(_json_text(entry))
    return lines


class PlainDecimalsForm(forms.ModelForm):
    """Number inputs as a person types them: a stored `13.0000` (prices keep 4 places, quantities 3) is offered
    as `13`, `22.5000` as `22.5`. Only the initial values change; what is typed is parsed as before."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, value in self.initial.items():
            if isinstance(value, Decimal) and value.is_finite():
                self.initial[name] = decimal_literal(value)


def compact_field(formfield, width: str):
    """A form field of a document's row narrowed to `width` (a CSS length), a select without the add / change
    icons beside it: a row of ten inputs then fits a 1400 px page (the admin gives a text input 20em)."""
    if formfield is None:
        return None
    if isinstance(formfield.widget, RelatedFieldWidgetWrapper):
        formfield.widget = formfield.widget.widget
    formfield.widget.attrs["style"] = f"width: {width}; min-width: 0"
    return formfield
