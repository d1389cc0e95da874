"""The rows of a back-office list, written as Django's `items_for_result` writes them, for a fraction of its time.

Django's admin works out each cell from scratch: which field the column names, its caption's empty value (a
translated string, per cell), the change link (a `reverse` and a parse of the preserved filters, per row), each
piece through `format_html`, then the template renders the cells one by one. At 100 rows of 7 cells that is most of
a list page (issue 18: the orders list was 3x a change page). Here what depends on the column alone is worked out
once per page (`_Column`), the change link once with a stand-in key, and each row is one text of cells.

The markup is Django's own, byte for byte (tests/workspaces/test_admin_rows.py renders every list both ways, in
both languages). A list with `list_editable` (its formset) keeps Django's rows.
"""

from __future__ import annotations

import datetime as dt
import html
import inspect
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    results,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
    quote,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString

_STAND_IN = "0stand0in0key0"  # a key no change link holds: replaced by each row's own


def _html(text: Any) -> str:
    """`conditional_escape` without its lazy wrappers: safe text as it is, anything else escaped."""
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


class _Column:
    """One column of `list_display` as `items_for_result` reads it, what depends on the column alone worked out
    once: its field (or its callable), its cell's class, whether it holds the change link, its empty value."""

    def __init__(
        self, cl: ChangeList, index: int, name: Any, *, linked: bool, first: bool, empty: Any
    ) -> None:
        self.name, self.linked, self.tag = name, linked, "th" if first else "td"
        self.model_admin, self.base_empty = cl.model_admin, empty
        self.css = f"field-{_coerce_field_name(name, index)}"
        self.field = self.attr = None
        self.read: Callable[[Any], Any] | None = None  # the value of a row, where it is one plain read
        opts = cl.lookup_opts
        try:
            self.field = _get_non_gfk_field(opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):  # a method, property, callable or `<fk>_id`
            model_admin = cl.model_admin
            if callable(name):
                self.attr, self.read = name, name
            elif hasattr(model_admin, name) and name != "__str__":
                self.attr = getattr(model_admin, name)
                self.read = self.attr
            elif inspect.isfunction(getattr(cl.model, name, None)):  # a model's method (`__str__`)
                self.attr = getattr(cl.model, name)
                self.read = self.attr
            # else: a property or a relation's path (`client__name`): Django's `lookup_field` per row.
        else:
            field_name = name
            self.read = lambda obj: getattr(obj, field_name)
        self.empty = getattr(self.attr, "empty_value_display", empty) if self.read else empty
        self.boolean = _boolean_of(self.attr)

    def cell(self, obj: Any, link: Callable[[Any, Any], str] | None) -> str:
        """The cell of `obj`, as `items_for_result` writes it."""
        css, empty, f, attr = self.css, self.empty, self.field, self.attr
        try:
            if self.read is None:
                f, attr, value = lookup_field(self.name, obj, self.model_admin)
                empty = getattr(attr, "empty_value_display", empty)
            else:
                value = self.read(obj)
        except ObjectDoesNotExist:
            result_repr = self.base_empty
        else:
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if f is None or f.auto_created:
                if self.name == "action_checkbox":
                    css = "action-checkbox"
                boolean = self.boolean if self.read is not None else _boolean_of(attr)
                result_repr = display_for_value(value, empty, boolean)
                if isinstance(value, (dt.date, dt.time)):
                    css += " nowrap"
            else:
                if isinstance(f.remote_field, models.ManyToOneRel):
                    field_val = getattr(obj, f.name)
                    result_repr = empty if field_val is None else field_val
                else:
                    result_repr = display_for_field(value, f, empty, avoid_link=self.linked)
                if isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
                    css += " nowrap"
        if self.linked:
            inner = _html(result_repr) if link is None else link(obj, result_repr)
            return f'<{self.tag} class="{css}">{inner}</{self.tag}>'
        return f'<td class="{css}">{_html(result_repr)}</td>'


def _boolean_of(attr: Any) -> bool:
    """Whether a column shows a yes/no icon (`@admin.display(boolean=True)`, on a property's getter too)."""
    if isinstance(attr, property) and hasattr(attr, "fget"):
        return getattr(attr.fget, "boolean", False)
    return getattr(attr, "boolean", False)


def _change_link(cl: ChangeList) -> Callable[[Any, Any], str] | None:
    """`<a href="...">text</a>` to a row's change page with the list's filters preserved, as `items_for_result`
    writes it: the link worked out once for a stand-in key, each row's key put in its place. None where the
    model has no change page."""
    try:
        url = reverse(
            f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
            args=(_STAND_IN,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return None
    preserved = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
    url = add_preserved_filters(preserved, url)
    path, mark, query = url.partition("?")
    head, stand_in, tail = path.partition(_STAND_IN)
    tail = html.escape(tail + mark + query)
    head = html.escape(head)
    pk_name, popup_name = cl.pk_attname, str(cl.to_field) if cl.to_field else cl.lookup_opts.pk.attname

    def href_of(obj: Any) -> str:
        if not stand_in:  # a URL that does not hold the key as given: Django's per row
            return html.escape(add_preserved_filters(preserved, cl.url_for_result(obj)))
        return head + html.escape(str(quote(getattr(obj, pk_name)))) + tail

    def link(obj: Any, text: Any) -> str:
        href = href_of(obj)
        opener = ""
        if cl.is_popup:
            opener = f' data-popup-opener="{html.escape(str(obj.serializable_value(popup_name)))}"'
        return f'<a href="{href}"{opener}>{_html(text)}</a>'

    return link


def _columns(cl: ChangeList) -> list[_Column]:
    empty = cl.model_admin.get_empty_value_display()
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        linked = cl.list_display_links is not None and (
            (first and not cl.list_display_links) or name in cl.list_display_links
        )
        columns.append(_Column(cl, index, name, linked=linked, first=first and linked, empty=empty))
        if linked:
            first = False
    return columns


def result_rows(cl: ChangeList) -> Iterator[ResultList]:
    """The rows of the list's page, each one text of its cells (a list with a formset: Django's own)."""
    if cl.formset:
        yield from results(cl)
        return
    columns = _columns(cl)
    link = _change_link(cl) if any(column.linked for column in columns) else None
    for obj in cl.result_list:
        yield ResultList(None, [SafeString("".join(column.cell(obj, link) for column in columns))])


def result_list(cl: ChangeList) -> dict[str, Any]:
    """The context of `admin/change_list_results.html`, as Django's `result_list` tag gives it."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(result_rows(cl)),
    }
