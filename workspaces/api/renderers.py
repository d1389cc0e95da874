"""JSON out, with amounts as exact number literals (`100`, `0`, `3684.78`), never through float."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.utils.functional import Promise
from rest_framework.renderers import BaseRenderer

_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]


def decimal_literal(value: Decimal) -> str:
    """`Decimal("100.00")` -> `100`, `Decimal("3684.780")` -> `3684.78`, `Decimal("-0")` -> `0`."""
    if not value.is_finite():
        raise ValueError("only finite amounts can be written")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text


def format_datetime(value: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds and `Z`: `2024-01-15T10:00:00.000Z`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _iter(value: Any) -> Iterator[str]:
    if value is None:
        yield "null"
    elif value is True:
        yield "true"
    elif value is False:
        yield "false"
    elif isinstance(value, str):
        yield _encode_str(value)
    elif isinstance(value, int):
        yield str(int(value))
    elif isinstance(value, Decimal):
        yield decimal_literal(value)
    elif isinstance(value, dict):
        yield "{"
        first = True
        for key, item in value.items():
            if not first:
                yield ","
            first = False
            yield _encode_str(str(key))
            yield ":"
            yield from _iter(item)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _iter(item)
        yield "]"
    elif isinstance(value, dt.datetime):
        yield _encode_str(format_datetime(value))
    elif isinstance(value, dt.date):
        yield _encode_str(value.isoformat())
    elif isinstance(value, float):
        yield decimal_literal(Decimal(repr(value)))
    elif isinstance(value, (Promise, UUID)):
        yield _encode_str(str(value))
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    return "".join(_iter(value))


class JSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        return dumps(data).encode()
