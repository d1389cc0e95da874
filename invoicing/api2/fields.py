"""api2's field types (seed 004, PRODUCT.md section 8): ids as JSON integers, 0/1 flags, days and date-times as the
public clients of this API send them."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workspaces.api.fields import parse_id
from workspaces.dates import FIRST_DAY, LAST_DAY

# `2026-12-02`, `2026-12-02 10:15`, `2026-12-02T10:15:00.5`, with an optional `Z` or `±hh:mm`: nothing looser
# (no week dates, no `20261202`, no hour alone), and bounded before any parsing.
_DAY = r"\d{4}-\d{2}-\d{2}"
_DATE_TIME = re.compile(
    rf"{_DAY}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d{{1,6}})?)?(?:Z|[+-]\d{{2}}:\d{{2}})?)?"
)
_DAY_ONLY = re.compile(_DAY)
_MAX_LENGTH = 32


@extend_schema_field({"type": "integer", "minimum": 1, "example": 15})
class Api2IdField(serializers.Field):
    """An id: a JSON integer or a string of digits on input, a JSON integer on output."""

    default_error_messages = {"invalid": gettext_lazy("A valid id is required.")}

    def to_representation(self, value: Any) -> int:
        return int(value.pk if hasattr(value, "pk") else value)

    def to_internal_value(self, data: Any) -> int:
        number = parse_id(data)
        if number is None:
            self.fail("invalid")
        return number


@extend_schema_field({"type": "integer", "minimum": 0, "example": 3})
class Api2TaxIdField(Api2IdField):
    """`tax1`/`tax2`: an id, or 0 (or null) for none. The vendor's WooCommerce plugin sends `(int)` of a missing tax,
    0, on an order without tax."""

    def to_internal_value(self, data: Any) -> int | None:
        if data in (0, "0") and not isinstance(data, bool):
            return None
        return super().to_internal_value(data)


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 1, "example": 0})
class ZeroOneField(serializers.Field):
    """A flag written 0/1; read from 0/1, "0"/"1" or true/false. Anything else (2, "yes") is a 400."""

    default_error_messages = {"invalid": gettext_lazy("Must be 0 or 1.")}
    _VALUES = {0: False, 1: True, "0": False, "1": True}

    def to_representation(self, value: Any) -> int:
        return 1 if value else 0

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        if isinstance(data, int | str) and data in self._VALUES:
            return self._VALUES[data]
        self.fail("invalid")


def _in_calendar(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


@extend_schema_field({"type": "string", "format": "date", "example": "2026-01-31"})
class Api2DayField(serializers.Field):
    """A day, `YYYY-MM-DD`, between 0001-01-02 and 9999-12-30 (PRODUCT.md section 2)."""

    default_error_messages = {
        "invalid": gettext_lazy("A date (YYYY-MM-DD) is required."),
        "range": gettext_lazy("The date must be between 0001-01-02 and 9999-12-30."),
    }

    def to_representation(self, value: dt.date) -> str:
        return value.isoformat()

    def to_internal_value(self, data: Any) -> dt.date:
        if not isinstance(data, str) or not _DAY_ONLY.fullmatch(data):
            self.fail("invalid")
        try:
            day = dt.date.fromisoformat(data)
        except ValueError:
            self.fail("invalid")
        if not _in_calendar(day):
            self.fail("range")
        return day


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$",
        "example": "2026-12-02 10:15:00",
        "description": "A date, or a date-time whose day in the workspace's time zone is kept (without an offset "
        "it is already the workspace's local time).",
    }
)
class Api2DayOrDateTimeField(Api2DayField):
    """A day (`2026-12-02`) or a date-time (`2026-12-02 10:15:00`, `2026-12-02T10:15:00`, with or without `Z` or
    `±hh:mm`), read as the day it is in the workspace's time zone (the serializer's `time_zone` context): a
    date-time without an offset is already the workspace's local time. The public clients of api2 send a payment's
    date so; the model keeps a date."""

    default_error_messages = {
        "invalid": gettext_lazy("A date (YYYY-MM-DD) or a date-time (YYYY-MM-DD HH:MM:SS) is required."),
    }

    def to_internal_value(self, data: Any) -> dt.date:
        if not isinstance(data, str) or len(data) > _MAX_LENGTH or not _DATE_TIME.fullmatch(data):
            self.fail("invalid")
        if len(data) == len("2026-12-02"):
            return super().to_internal_value(data)
        try:
            moment = dt.datetime.fromisoformat(data[:-1] + "+00:00" if data.endswith("Z") else data)
            if moment.tzinfo is not None:
                moment = moment.astimezone(zoneinfo.ZoneInfo(self.context["time_zone"]))
        except ValueError:
            self.fail("invalid")
        except OverflowError:  # an offset can carry the calendar's first or last day outside it
            self.fail("range")
        if not _in_calendar(moment.date()):
            self.fail("range")
        return moment.date()
