"""Serializer fields for the v1 conventions: ids as strings, datetimes in UTC with milliseconds and `Z`, choice
errors that name the choices."""

from __future__ import annotations

import re
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workspaces.api.renderers import format_datetime

MAX_ID = 10**18
_ID_RE = re.compile(r"^[0-9]{1,18}$")


def parse_id(value: Any) -> int | None:
    """An id from a body or a query string: an integer or a string of digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < MAX_ID else None
    if isinstance(value, str) and _ID_RE.match(value.strip()):
        number = int(value.strip())
        return number if number > 0 else None
    return None


# What the schema says of an id: its canonical form, 1 to 18 digits and not zero (`parse_id` also reads leading
# zeros and spaces around it).
ID_SCHEMA = {"type": "string", "pattern": "^[1-9][0-9]{0,17}$", "example": "15"}


@extend_schema_field(ID_SCHEMA)
class IdField(serializers.Field):
    """Written as a JSON string (`"15"`); read from a string or an integer. An ObjectId-style id is a 400."""

    default_error_messages = {"invalid": _("A valid id is required.")}

    def to_representation(self, value: Any) -> str:
        return str(value.pk if hasattr(value, "pk") else value)

    def to_internal_value(self, data: Any) -> int:
        number = parse_id(data)
        if number is None:
            self.fail("invalid")
        return number


class DateTimeField(serializers.DateTimeField):
    def to_representation(self, value: Any) -> str | None:
        return format_datetime(value) if value else None


class MoneyField(serializers.DecimalField):
    """Input: at most `decimal_places` decimals (more is a 400). Output: the Decimal itself, written exactly."""

    def __init__(self, *, decimal_places: int = 2, max_digits: int = 18, **kwargs: Any) -> None:
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)


class ChoiceField(serializers.ChoiceField):
    """A choice whose refusal names the valid ones: `"wire" is not a valid choice: cash, card, transfer, cheque,
    other.` Every serializer of the v1 and `/orders` APIs uses it, so a client learns the words from the 400.

    The input is echoed as text, cut to `MAX_ECHO` characters; a lone surrogate in it is written as its escape by
    the renderer, and a `%` or a brace is plain text (the message is formatted once, by `str.format`)."""

    MAX_ECHO = 100
    default_error_messages = {"invalid_choice": _('"{input}" is not a valid choice: {choices}.')}

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        text = str(data)
        try:
            return self.choice_strings_to_values[text]
        except KeyError:
            shown = text if len(text) <= self.MAX_ECHO else f"{text[: self.MAX_ECHO]}…"
            self.fail("invalid_choice", input=shown, choices=", ".join(self.choice_strings_to_values))


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text."""

    default_error_messages = {"invalid": _("A text value is required.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true/false only (and 0/1 where a seed writes them); "yes" or "abc" is a 400."""

    def to_internal_value(self, data: Any) -> bool:
        if data is True or data is False:
            return data
        if isinstance(data, int) and data in (0, 1):
            return bool(data)
        self.fail("invalid", input=data)


class OptionalCharField(serializers.CharField):
    """An optional text field on output: stored blank, written `null` (PRODUCT.md section 2, "Optional fields")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        return value or None


class _PatternField(StrictCharField):
    """Text matching `PATTERN`, or "" where blank is allowed (the schema's hook adds the blank branch to a field
    that allows it: `openapi_hooks`)."""

    PATTERN = ""
    MESSAGE = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(RegexValidator(self.PATTERN, message=self.MESSAGE))


@extend_schema_field({"type": "string", "pattern": "^[0-9]{10}$", "maxLength": 10})
class CrNumberField(_PatternField):
    """A commercial registration number: 10 digits."""

    PATTERN, MESSAGE = r"^[0-9]{10}\Z", _("10 digits.")


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}$", "maxLength": 4})
class BuildingNumberField(_PatternField):
    """A Saudi national address's building number: 4 digits."""

    PATTERN, MESSAGE = r"^[0-9]{4}\Z", _("4 digits.")


@extend_schema_field({"type": "string", "pattern": "^[0-9]{5}$", "maxLength": 5})
class PostalCodeField(_PatternField):
    """A Saudi postal code: 5 digits."""

    PATTERN, MESSAGE = r"^[0-9]{5}\Z", _("5 digits.")


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z]{2}$", "minLength": 2, "maxLength": 2})
class CountryCodeField(_PatternField):
    """An ISO 3166 alpha-2 country code (`SA`)."""

    PATTERN, MESSAGE = r"^[A-Za-z]{2}\Z", _("A two-letter country code (ISO 3166), such as SA.")
