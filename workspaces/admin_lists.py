"""The back office's change lists at any size (issue 18): constant queries per page and no scan of the whole
table. Related filters offer the workspace's rows of the related table (never a DISTINCT over the list); one capped
COUNT per page; deep pages read their keys first; the date hierarchy's links from the list's first and last dates
and the calendar, never a DISTINCT over the table. `WorkspaceScopedAdmin` (`workspaces.admin_base`) uses them all."""

from __future__ import annotations

import calendar
import datetime

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst, smart_split, unescape_string_literal
from django.utils.translation import gettext as _

from workspaces.admin_site import admin_access
from workspaces.models import Membership, User, Workspace


def scope_to_admin_workspace(request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
    """`queryset` cut to the admin's current workspace: the workspace itself, rows with a `workspace` foreign
    key, users who are members. A model it cannot place in a workspace offers no row (safe by default: give the
    model a `workspace` foreign key, as every tenant-owned model has). Superusers see every row."""
    access = admin_access(request)
    model = queryset.model
    if request.user.is_superuser:
        return queryset
    if access is None:
        return queryset.none()
    if model is Workspace:
        return queryset.filter(pk=access.workspace.pk)
    if any(f.name == "workspace" and f.many_to_one for f in model._meta.get_fields()):
        return queryset.filter(workspace=access.workspace)
    if model is User:
        # Members only: an invited account is not the workspace's until it accepts (its name stays private).
        return queryset.filter(
            memberships__workspace=access.workspace, memberships__status=Membership.Status.ACTIVE
        ).distinct()
    return queryset.none()


class WorkspaceRelatedFilter(admin.RelatedFieldListFilter):
    """A list filter on a relation offering the admin's workspace's rows of the related table (stores, order
    statuses, suppliers: small tables), read in one query, never a DISTINCT over the list (Django's
    `RelatedOnlyFieldListFilter` reads the whole list to find them). `select_related` names what the labels read
    (a business session's store); `ordering` and `limit` keep a growing table's options to its latest rows, the
    chosen one always among them. `related_filter` makes one with a title."""

    title_text = None
    select_related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    limit: int | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.title_text is not None:
            self.title = self.title_text

    def field_choices(self, field, request, model_admin):
        queryset = scope_to_admin_workspace(request, field.related_model._default_manager.all())
        ordering = self.ordering or self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.limit is None:
            return [(row.pk, str(row)) for row in queryset]
        rows = list(queryset[: self.limit])
        chosen = [value for value in (self.lookup_val or []) if str(value).isdigit()]
        if chosen and not any(str(row.pk) in chosen for row in rows):
            rows.extend(queryset.filter(pk__in=chosen))
        return [(row.pk, str(row)) for row in rows]


def related_filter(
    title, *, select_related: tuple[str, ...] = (), ordering: tuple[str, ...] = (), limit: int | None = None
) -> type[WorkspaceRelatedFilter]:
    """A `WorkspaceRelatedFilter` under a translatable title: `list_filter = [("store", related_filter(_("store")))]`."""
    return type(
        "TitledWorkspaceRelatedFilter",
        (WorkspaceRelatedFilter,),
        {"title_text": title, "select_related": select_related, "ordering": ordering, "limit": limit},
    )


def scoped_list_filter(model: type[models.Model], spec):
    """A list filter on a relation (`"store"`, `("store", RelatedFieldListFilter)`,
    `("store", RelatedOnlyFieldListFilter)`) would offer every workspace's rows, or read the whole list for its
    options: it becomes `WorkspaceRelatedFilter`. Other filters (a field's values, a `SimpleListFilter`) are left
    as they are."""
    if isinstance(spec, str):
        name = spec
    elif isinstance(spec, tuple) and spec[1] in (
        admin.RelatedFieldListFilter,
        admin.RelatedOnlyFieldListFilter,
    ):
        name = spec[0]
    else:
        return spec
    field = get_fields_from_path(model, name)[-1]
    return (name, WorkspaceRelatedFilter) if field.is_relation else spec


SEARCH_PREFIXES = {"^": "istartswith", "=": "iexact", "@": "search"}
# Related rows a search reads as a list of keys at most (clients, suppliers of one name), else as a subquery.
SEARCH_KEYS = 1_000


def longer_than_column(field: models.Field, text: str) -> bool:
    """Whether `text` is longer than any value of a `CharField`, so that no row contains it: a search then reads
    nothing (a 3,000-letter word made a trigram index hand over rows for seconds)."""
    return (
        isinstance(field, models.CharField) and field.max_length is not None and len(text) > field.max_length
    )


def _search_condition(model: type[models.Model], spec: str, word: str, own: dict) -> models.Q:
    """One search field's condition for one word, reading the list's table alone: a related field becomes
    `fk IN (its keys)` (read first, one small query; `fk IN (SELECT ...)` past `SEARCH_KEYS`), or `pk IN (their
    keys)` across a reverse relation (the same, read first), never a join that PostgreSQL can only answer by reading
    every row of the list (and Django by a DISTINCT). `=field` on a text column with a word without letters, or on
    a number, is `=`, the same rows, along the column's index (`UPPER(col::text)` reads none). `own` maps a field
    to the condition that replaces it (a normalised column with a trigram index)."""
    if spec in own:
        return own[spec](word)
    prefix = spec[:1] if spec[:1] in SEARCH_PREFIXES else ""
    name = spec.removeprefix(prefix)
    lookup = SEARCH_PREFIXES.get(prefix, "icontains")
    head, _, rest = name.partition("__")
    field = model._meta.get_field(model._meta.pk.name if head == "pk" else head)
    if rest:
        if not field.is_relation or field.many_to_many:
            raise FieldDoesNotExist(spec)  # a lookup or a many-to-many: Django's own search
        related = field.related_model._default_manager.filter(
            _search_condition(field.related_model, prefix + rest, word, {})
        ).order_by()  # any keys up to the bound: no sort of every match
        # A few keys are a list (an index condition PostgreSQL can OR with the others); many stay a subquery.
        if field.one_to_many:
            fk = field.field.attname
            keys = list(related.values_list(fk, flat=True)[: SEARCH_KEYS + 1])
            return models.Q(
                pk__in=list(dict.fromkeys(keys)) if len(keys) <= SEARCH_KEYS else related.values(fk)
            )
        keys = list(related.values_list("pk", flat=True)[: SEARCH_KEYS + 1])
        return models.Q(**{f"{head}__in": keys if len(keys) <= SEARCH_KEYS else related.values("pk")})
    if (
        lookup == "iexact"
        and isinstance(field, models.CharField | models.TextField)
        and word.upper() == word.lower()
    ):
        lookup = "exact"
    if lookup == "iexact" and isinstance(field, models.IntegerField):
        # `UPPER(number::text) = word`: true only where the word is the number as PostgreSQL writes it.
        try:
            value = int(word)
        except ValueError:
            return models.Q(pk__in=[])
        return models.Q(**{name: value}) if str(value) == word else models.Q(pk__in=[])
    if lookup in ("icontains", "iexact") and longer_than_column(field, word):
        return models.Q(pk__in=[])
    return models.Q(**{f"{name}__{lookup}": word})


def search_without_joins(
    model: type[models.Model], search_fields, search_term: str, own: dict | None = None
) -> models.Q | None:
    """Django's admin search (every word in one of the fields; `^`, `=`, `@` as Django reads them) written as
    conditions on the list's own table (`_search_condition`): the same rows, no duplicates to remove. None where a
    field is a lookup or a many-to-many (the caller falls back to Django's search)."""
    words = [
        unescape_string_literal(bit) if bit.startswith(('"', "'")) and bit[0] == bit[-1] else bit
        for bit in smart_split(search_term)
    ]
    try:
        conditions = [
            models.Q.create(
                [_search_condition(model, str(spec), word, own or {}) for spec in search_fields],
                connector=models.Q.OR,
            )
            for word in words
        ]
    except FieldDoesNotExist:
        return None
    return models.Q.create(conditions)


# Rows a list counts at most: past it the list says "10000+" and offers its first pages only (narrow it with the
# date hierarchy, a filter or a search to reach older rows).
LIST_COUNT_LIMIT = 10_000


class BoundedPaginator(Paginator):
    """Counts the list up to `LIST_COUNT_LIMIT` rows (`SELECT COUNT(*) FROM (... LIMIT n)`, unsorted), never
    the whole table: the pages past the limit are not offered, so no page is an OFFSET deeper than the limit.
    `capped` says the list holds more. Pages read their keys first (`page`)."""

    limit = LIST_COUNT_LIMIT
    capped = False
    # The keys of a list that fits on one page (a narrow search or filter), else None: read with the count.
    keys: list | None = None

    @cached_property
    def count(self) -> int:
        """A page's worth of keys first (`LIMIT per_page + 1`, unsorted: a few index entries for a long list);
        a list that fits is counted by them, and its page reads those rows by key (`BoundedChangeList`), so a
        search that only a scan answers scans once, not twice. A longer list is counted up to the limit."""
        rows = self.object_list
        if isinstance(rows, models.QuerySet):
            rows = rows.order_by().values("pk")  # any rows up to the limit: no sort, no annotation
            keys = [row["pk"] for row in rows[: self.per_page + 1]]
            if len(keys) <= self.per_page:
                self.keys = keys
                return len(keys)
        counted = rows[: self.limit + 1].count()
        self.capped = counted > self.limit
        return min(counted, self.limit)

    def page(self, number):
        """A page past the first reads its rows' keys first (the OFFSET walks the index alone, without the list's
        joins and annotations), then those rows, in the list's order."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if bottom and isinstance(rows, models.QuerySet):
            rows = rows.filter(pk__in=list(rows.values_list("pk", flat=True)[bottom:top]))
        else:
            rows = rows[bottom:top]
        return self._get_page(rows, number, self)


def date_bounds(queryset: models.QuerySet, name: str, field: models.Field) -> tuple:
    """The first and last dates of a list: MIN and MAX (two lookups along a `(workspace, date)` index); for a
    date written when the row is (`auto_now_add`: rows come in its order) the dates of the first and last rows
    by key, two lookups along the `(workspace, -id)` index that every list has."""
    if getattr(field, "auto_now_add", False) and name == field.name:
        rows = queryset.values_list(name, flat=True)
        return rows.order_by("pk").first(), rows.order_by("-pk").first()
    bounds = queryset.aggregate(first=models.Min(name), last=models.Max(name))
    return bounds["first"], bounds["last"]


class BoundedChangeList(ChangeList):
    """The change list of every workspace admin: `list_select_related` kept beside the admin's own
    `select_related` (Django drops it when `get_queryset` already selects), and a date hierarchy whose links come
    from the calendar, not from a DISTINCT over the list (`date_drilldown`)."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        related = self.list_select_related
        if queryset.query.select_related and related and related is not True:
            queryset = queryset.select_related(*related)
        return queryset

    def get_results(self, request) -> None:
        """A list that fits on one page reads its rows by the keys its count read (`BoundedPaginator.keys`)."""
        super().get_results(request)
        keys = getattr(self.paginator, "keys", None)
        if keys is not None and not self.multi_page:
            self.result_list = self.queryset.filter(pk__in=keys)

    def _bounds(self, name: str, field: models.Field) -> tuple:
        """The list's first and last dates: from its rows when they are all on the page (no query), else
        `date_bounds`."""
        if "__" not in name and not self.multi_page and self.result_count == len(self.result_list):
            dates = [getattr(row, name) for row in self.result_list if getattr(row, name) is not None]
            return (min(dates), max(dates)) if dates else (None, None)
        return date_bounds(self.queryset, name, field)

    def _date_link(self, filters: dict) -> str:
        return self.get_query_string(filters, [f"{self.date_hierarchy}__"])

    @cached_property
    def date_drilldown(self) -> dict:
        """What Django's `date_hierarchy` tag shows (`templates/admin/change_list.html`), read cheaply: with no
        date chosen, the first and last dates of the list (`date_bounds`) pick the level and give the years (or
        the months or days between them); a year chosen offers its twelve months and a month its days, from the
        calendar, never from a DISTINCT over the list. A month or day without rows shows an empty list."""
        name = self.date_hierarchy
        field = get_fields_from_path(self.model, name)[-1]
        year_field, month_field, day_field = f"{name}__year", f"{name}__month", f"{name}__day"
        try:
            year = int(self.params.get(year_field) or 0)
            month = int(self.params.get(month_field) or 0)
            day = int(self.params.get(day_field) or 0)
        except ValueError:
            return {"show": False}
        years: list[int] = []
        # The range of months / days offered: the whole calendar, or the list's own when its first and last dates
        # chose the level.
        months, days = range(1, 13), range(1, 32)
        if not year:
            first, last = self._bounds(name, field)
            if first is None or last is None:
                return {"show": True, "back": None, "choices": []}
            if isinstance(field, models.DateTimeField):
                first, last = (timezone.localtime(v) if timezone.is_aware(v) else v for v in (first, last))
            if first.year != last.year:
                years = list(range(first.year, last.year + 1))
            else:
                year = first.year
                month = first.month if first.month == last.month else 0
                months = range(first.month, last.month + 1)
                days = range(first.day, last.day + 1)
        if year and month and day:
            chosen = datetime.date(year, month, day)
            return {
                "show": True,
                "back": {
                    "link": self._date_link({year_field: year, month_field: month}),
                    "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
            }
        if year and month:
            length = calendar.monthrange(year, month)[1]
            dates = (datetime.date(year, month, d) for d in days if d <= length)
            return {
                "show": True,
                "back": {"link": self._date_link({year_field: year}), "title": str(year)},
                "choices": [
                    {
                        "link": self._date_link({year_field: year, month_field: month, day_field: d.day}),
                        "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                    }
                    for d in dates
                ],
            }
        if year:
            return {
                "show": True,
                "back": {"link": self._date_link({}), "title": _("All dates")},
                "choices": [
                    {
                        "link": self._date_link({year_field: year, month_field: m}),
                        "title": capfirst(
                            formats.date_format(datetime.date(year, m, 1), "YEAR_MONTH_FORMAT")
                        ),
                    }
                    for m in months
                ],
            }
        return {
            "show": True,
            "back": None,
            "choices": [{"link": self._date_link({year_field: str(y)}), "title": str(y)} for y in years],
        }
