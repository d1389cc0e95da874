"""Bounded lists: `limit` (default 100, at most 1000) and an opaque `cursor`; newest first by id."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework.request import Request

from workspaces.errors import ValidationFailed

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# What the schema says of a cursor (an opaque token, written by `encode_cursor`): base64url without padding.
CURSOR_PATTERN = "^[A-Za-z0-9_-]*$"
CURSOR_MAX_LENGTH = 80  # a moment cursor (`encode_moment_cursor`): ~70

M = TypeVar("M", bound=Model)
R = TypeVar("R")


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"pk:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _sep, value = raw.partition(":")
        if prefix != "pk" or not value.isdigit() or len(value) > 18:
            raise ValueError(raw)
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed({"cursor": [_("Invalid cursor.")]}) from exc


def encode_moment_cursor(moment: dt.datetime, pk: int) -> str:
    """A cursor of a list ordered by a moment, then the id (`(created_at, id)` keyset pages)."""
    raw = f"at:{moment.astimezone(dt.UTC).isoformat()}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_moment_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _sep, value = raw.partition(":")
        moment, _bar, pk = value.partition("|")
        if prefix != "at" or not pk.isdigit() or len(pk) > 18:
            raise ValueError(raw)
        parsed = dt.datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError(raw)
        return parsed.astimezone(dt.UTC), int(pk)  # a moment past the calendar's ends in UTC is no cursor
    except (ValueError, OverflowError, UnicodeDecodeError) as exc:
        raise ValidationFailed({"cursor": [_("Invalid cursor.")]}) from exc


def parse_limit(raw: str | None, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise ValidationFailed({"limit": [_("Must be a whole number from 1 to %(max)d.") % {"max": maximum}]})
    return int(raw)


def paginate(queryset: QuerySet[M], request: Request) -> tuple[list[M], str | None]:
    """One query: the page plus one row to know whether another page follows."""
    limit = parse_limit(request.query_params.get("limit"))
    cursor = request.query_params.get("cursor")
    queryset = queryset.order_by("-pk")
    if cursor:
        queryset = queryset.filter(pk__lt=decode_cursor(cursor))
    return cut_page(list(queryset[: limit + 1]), limit, lambda last: encode_cursor(last.pk))


def cut_page(rows: list[R], limit: int, cursor_of: Callable[[R], str]) -> tuple[list[R], str | None]:
    """A page read with one row more than `limit`: the page, and the cursor of its last row when that row was
    there (another page follows), else None."""
    if len(rows) > limit:
        return rows[:limit], cursor_of(rows[limit - 1])
    return rows, None
