"""JSON in, with every non-integer number read as an exact Decimal."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def loads(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(_("the body is not UTF-8")) from exc
    if not text.strip():
        return {}
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ParseError(str(exc)) from exc


class JSONParser(parsers.BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        return loads(stream.read())


class PlainTextJSONParser(JSONParser):
    """api2 clients copy a curl that sends JSON as `text/plain` (seed 004)."""

    media_type = "text/plain"
