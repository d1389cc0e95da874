"""Columns and read-only fields of the back office that print amounts and people as the owner reads them: the
currency's minor digits with `.` and `,` in both languages (`workspaces.templatetags.backoffice`), a person by name
rather than e-mail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin

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


def related_filter(title) -> type[admin.RelatedOnlyFieldListFilter]:
    """A list filter on a relation offering only the rows the (scoped) list holds, under a translatable title:
    `list_filter = [("store", related_filter(_("store")))]`."""

    class TitledRelatedOnlyFilter(admin.RelatedOnlyFieldListFilter):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledRelatedOnlyFilter
