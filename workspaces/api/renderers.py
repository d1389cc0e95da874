"""JSON out, with amounts as exact number literals (`100`, `0`, `3684.78`), never through float."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import BaseRenderer

from workspaces.numbers import decimal_literal

_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]


def format_datetime(value: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds (truncated) and `Z`: `2024-01-15T10:00:00.000Z`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    elif value.utcoffset():
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


# The C encoder writes everything it knows; `_default` turns each Decimal into a marker string carrying its
# exact literal between an opening and a closing mark, and the marks (with the string's quotes) are then removed by
# two plain replacements, leaving the bare literal. Each mark starts with a NUL (always escaped by the encoder as
# \u0000) and a random nonce of this process, so no string a user sends can forge one.
_NONCE = secrets.token_hex(16)
_OPEN, _CLOSE = "\x00" + _NONCE + "<", "\x00" + _NONCE + ">"
_OPEN_WRITTEN, _CLOSE_WRITTEN = '"\\u0000' + _NONCE + "<", "\\u0000" + _NONCE + '>"'


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _OPEN + decimal_literal(value) + _CLOSE
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (Promise, UUID)):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default, allow_nan=False)


def _fast_default(value: Any) -> Any:
    if isinstance(value, Decimal):  # written as is: no mark to remove afterwards
        return orjson.Fragment(decimal_literal(value))
    return _default(value)


_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


def _standard(value: Any) -> str:
    text = _encoder.encode(value)
    if _NONCE not in text:
        return text
    return text.replace(_OPEN_WRITTEN, "").replace(_CLOSE_WRITTEN, "")


def dumps(value: Any) -> str:
    """JSON with every Decimal as an exact number literal (`100`, `3684.78`), never through float.

    Written by orjson (a 100-invoice page in half the time; an amount is a `Fragment`, its literal as is), else by
    the standard library's encoder, which writes the same text (tests/workspaces/test_renderer_marks.py) and also
    what orjson refuses: a lone surrogate, an integer past 64 bits, a key that is not text."""
    try:
        return orjson.dumps(value, default=_fast_default, option=_OPTIONS).decode()
    except TypeError:  # orjson.JSONEncodeError
        return _standard(value)


def dumps_bytes(value: Any) -> bytes:
    """`dumps` as UTF-8, a lone surrogate written as its escape (`\\ud800`) rather than refused."""
    try:
        return orjson.dumps(value, default=_fast_default, option=_OPTIONS)
    except TypeError:
        return _standard(value).encode("utf-8", "backslashreplace")


class JSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        # A lone surrogate can only stand inside a JSON string: written as its escape (`\ud800`), never a 500.
        return dumps_bytes(data)
