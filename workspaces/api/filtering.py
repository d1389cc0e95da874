"""List query parameters, declared once with django-filter (issue 18).

Each list declares its query string as a `QueryFilterSet`: one `QueryFilter` per parameter names the parameter,
the API field that checks and converts its value, the key the selector reads it under (`field_name`) and its
description. From that one declaration:

- `QueryFilterSet.parse(request.query_params)` is the selector's filters (`{"issue_date_from": date(...)}`), or a
  400 `validation_error` naming each bad parameter, with the messages the API field has always given;
- `query_serializer(FilterSetClass)` is what `@extend_schema(parameters=[...])` documents: every parameter with its
  type, format, enum and description.

The selector applies the filters, as before: several are shaped together for an index (a date range bounds a walk of
the primary key, `overdue` reads the workspace's today, a search reads two unique indexes), and a read is a selector
(STYLE.md), so no SQL moves into the API layer and each list's SQL and query count stay what they are.

A parameter's value is checked by a DRF field (`IdField`, `DayField`, `ChoiceField`, ...), the one validator of its
rule shared with the bodies: what `?supplierId=abc` answers is what `{"supplierId": "abc"}` answers.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, ClassVar

import django_filters
from django import forms
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from workspaces.api.errors import flatten_errors
from workspaces.errors import ValidationFailed


class QueryFormField(forms.Field):
    """The form field of a `QueryFilter`: runs its API field on the parameter's text.

    Absent is "not given" (the field's default, else None); a blank value is "not given" too where the FilterSet
    says so (`blank_is_absent`, v1's rule: `?storeId=` is no filter) unless the field takes a blank (a cleared
    search box), else it is checked like any value (a blank `?sku=` is a 400: it would list the whole catalogue)."""

    def __init__(self, *, api_field: serializers.Field, blank_is_absent: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_field = api_field
        self.blank_is_absent = blank_is_absent
        self.context: dict[str, Any] = {}  # the request's (`QueryFilterSet.parse(..., context=...)`)

    def __deepcopy__(self, memo: dict[int, Any]) -> QueryFormField:
        # Each request's form copies its fields: a query string's form is never rendered, so its widget and API
        # field are shared (`clean` copies the API field for a value it checks), which halves the cost of a parse.
        result = copy.copy(self)
        memo[id(self)] = result
        return result

    def clean(self, value: Any) -> Any:
        if value is None or (
            value == "" and self.blank_is_absent and not getattr(self.api_field, "allow_blank", False)
        ):
            value = empty
        # A fresh field for a value: DRF words a validator's message once and keeps it (`lazy_format`), so a field
        # shared by requests would answer every later one in the language of the first.
        field = self.api_field if value is empty else copy.deepcopy(self.api_field)
        if value is not empty:
            field._context = self.context  # a field without a parent reads its own `_context` (DRF)
        try:
            return field.run_validation(value)
        except SkipField:
            return None
        except serializers.ValidationError as exc:
            raise forms.ValidationError(
                [
                    forms.ValidationError(message, code=code)
                    for messages in flatten_errors(exc.detail).values()
                    for message, code in messages
                ]
            ) from exc


class QueryFilter(django_filters.Filter):
    """One query parameter: `QueryFilter(IdField(), field_name="supplier_id", description="...")`.

    `field_name` is the key the selector reads (by default the parameter's name); the selector, not this filter,
    applies it."""

    field_class = QueryFormField

    def __init__(
        self,
        api_field: serializers.Field,
        *,
        field_name: str | None = None,
        description: str = "",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label", description)
        super().__init__(field_name=field_name, api_field=api_field, help_text=description, **kwargs)
        self.api_field = api_field
        self.description = description

    def __deepcopy__(self, memo: dict[int, Any]) -> QueryFilter:
        # A FilterSet copies its filters for each request: the copy shares the API field (never bound; the form
        # field copies it for each value it checks): eight parameters cost ~0.2 ms a request rather than ~0.8.
        clone = copy.copy(self)
        clone.extra = dict(self.extra)
        clone.__dict__.pop("_field", None)
        return clone

    def schema_field(self) -> serializers.Field:
        """The API field with the parameter's description, for the schema (built again from its own arguments,
        as DRF copies a declared field)."""
        field = self.api_field
        return type(field)(*field._args, **{**field._kwargs, "help_text": self.description or None})


class QueryFilterSet(django_filters.FilterSet):
    """A list's query string. `blank_is_absent` (v1's lists): `?status=` is no filter; False (the product list,
    api2): a blank value is checked like any other. A parameter given twice counts once, by its last value, as in
    DRF; an unknown one is ignored (api2 refuses both itself: `invoicing.api2.filters`).

    `Meta.model` names the rows the list reads (django-filter wants one). The filters go to the list's selector
    (`parse`), not through `.qs`: their `field_name` is the selector's key, not a lookup."""

    blank_is_absent: ClassVar[bool] = True
    _form_class: ClassVar[type[forms.Form] | None] = None
    _defaults: ClassVar[dict[str, Any] | None] = None

    def __init__(self, data: Any = None, queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(data, queryset, **kwargs)
        for filter_ in self.filters.values():
            filter_.extra["blank_is_absent"] = self.blank_is_absent

    def get_form_class(self) -> type[forms.Form]:
        # The same form for every request of this FilterSet (django-filter builds a class per instance).
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class

    def field_errors(self) -> dict[str, list[tuple[str, str]]]:
        """{"parameter": [(message, code), ...]} of each bad parameter, in the order they are declared."""
        return {
            name: [(str(error.message), error.code or "invalid") for error in errors]
            for name, errors in self.errors.as_data().items()
        }

    def cleaned(self) -> dict[str, Any]:
        """The selector's filters: {field_name: value} of each parameter given (or with a default). Call after
        `is_valid()`."""
        return {
            self.filters[name].field_name: value
            for name, value in self.form.cleaned_data.items()
            if value is not None
        }

    @classmethod
    def parse(cls, data: Any, *, context: dict[str, Any] | None = None) -> dict[str, Any]:
        """The selector's filters of a query string, or a 400 `validation_error` naming each bad parameter.
        `context` is the API fields' (`{"time_zone": ...}` for a date range in the workspace's zone).

        A query string naming none of the parameters (a list's first page) has the same filters every time: the
        API fields' defaults, parsed once per FilterSet. Any other is parsed once per process for each distinct
        value of its parameters and context (`_parse_given`, the last 1,024): a till refreshing its filtered list
        sends the same query string each time. So a parameter's value may depend on the parameter and the context
        only, never on the clock (a selector reads the day: `overdue`)."""
        if not any(name in data for name in cls.base_filters):
            defaults = cls.__dict__.get("_defaults")
            if defaults is None:
                defaults = cls._defaults = cls._parse({}, context)
            return dict(defaults)
        getlist = getattr(data, "getlist", None)
        given = tuple(
            (name, tuple(getlist(name)) if getlist else (data[name],))
            for name in cls.base_filters
            if name in data
        )
        try:
            return dict(_parse_given(cls, given, tuple(sorted((context or {}).items()))))
        except TypeError:  # a value that is not hashable: parsed as it is
            return cls._parse(data, context)

    @classmethod
    def _parse(cls, data: Any, context: dict[str, Any] | None) -> dict[str, Any]:
        filterset = cls(data)
        for field in filterset.form.fields.values():
            field.context = context or {}
        if not filterset.is_valid():
            raise validation_failed(filterset.field_errors())
        return filterset.cleaned()


@lru_cache(maxsize=1024)
def _parse_given(
    filterset_class: type[QueryFilterSet], given: tuple[tuple[str, tuple[Any, ...]], ...], context: tuple
) -> dict[str, Any]:
    """`QueryFilterSet._parse` of the parameters `given` ((name, values) in declared order), memoised: a 400 is
    raised again each time (an exception is not cached)."""
    data = QueryDict(mutable=True)
    for name, values in given:
        data.setlist(name, list(values))
    return filterset_class._parse(data, dict(context))


def validation_failed(errors: dict[str, list[tuple[str, str]]]) -> ValidationFailed:
    """The 400 of bad parameters, with each message's code (the `/orders` envelope words a missing one so)."""
    error = ValidationFailed({name: [message for message, _code in items] for name, items in errors.items()})
    error.field_codes = {name: [code for _message, code in items] for name, items in errors.items()}
    return error


def query_serializer(filterset_class: type[QueryFilterSet]) -> type[serializers.Serializer]:
    """The parameters of `filterset_class` as a serializer for `@extend_schema(parameters=[...])`, which documents
    each field of it as a query parameter: its type, format, enum and description come from the FilterSet's own
    API fields, so the schema cannot say what the list does not do."""
    name = filterset_class.__name__.removesuffix("FilterSet") + "QuerySerializer"
    fields = {key: filter_.schema_field() for key, filter_ in filterset_class.base_filters.items()}
    return type(
        name,
        (serializers.Serializer,),
        {
            **fields,
            "__module__": filterset_class.__module__,
            "__doc__": f"The query parameters of `{filterset_class.__name__}` (generated for the schema).",
        },
    )
