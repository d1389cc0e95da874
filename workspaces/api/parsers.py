"""Request bodies in, within the limits of PRODUCT.md section 2 ("Limits"), refused before any work.

- A JSON or text body over 1 MB is a 413 `payload_too_large`; a multipart upload over 12 MB too.
- JSON nested deeper than 32 levels is a 400, checked before `json.loads` recurses, in time linear in the body's
  size whatever it holds (strings are skipped by a regular expression that never backtracks, brackets are
  counted in C), so a hostile body costs what its length costs.
- A number with more than 20 significant digits, or whose magnitude is above 10^15 (or, non-zero, below
  10^-20), is a 400 `validation_error` on its field. The parser never turns such a literal into an int or
  expands it, so `1e300000000` costs what its nine characters cost.
- Every non-integer number is read as an exact Decimal.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import APIException, ParseError

from workspaces.errors import ValidationFailed

MAX_JSON_BYTES = 1024 * 1024
MAX_MULTIPART_BYTES = 12 * 1024 * 1024
MAX_DEPTH = 32
MAX_SIGNIFICANT_DIGITS = 20
MAX_MAGNITUDE = Decimal(10) ** 15
MIN_MAGNITUDE = Decimal(10) ** -MAX_SIGNIFICANT_DIGITS

_NUMBER = re.compile(r"-?(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?\Z")
# A string literal, skipped whole: unrolled (no alternation to retry), and an unterminated one runs to the end of
# the text instead of failing, so the scan never restarts inside it. Every match succeeds where it starts.
_STRING = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*(?:"|\\?\Z)')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
# Only a body that spells a surrogate escape can hold a lone one: the walk for it runs only then.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# A literal this short has at most 15 digits and no exponent: within every limit, read without the checks.
_SHORT = 15


class PayloadTooLarge(APIException):
    status_code = 413
    default_code = "payload_too_large"
    default_detail = "The body is too large."


class _BadNumber:
    """Stands in the parsed tree for a number the product refuses; the walk below names its field."""

    __slots__ = ()


_BAD = _BadNumber()


def _number(text: str, *, integer: bool) -> Any:
    match = _NUMBER.match(text)
    if match is None:
        return _BAD
    whole, fraction, exponent = match.group(1), match.group(2) or "", match.group(3)
    if len((whole + fraction).lstrip("0")) > MAX_SIGNIFICANT_DIGITS:
        return _BAD
    if exponent is not None and len(exponent.lstrip("+-").lstrip("0")) > 17:
        return _BAD
    value = Decimal(text)
    if value.is_zero():
        return 0 if integer else Decimal(0)
    magnitude = value.copy_abs()  # abs() would round in the context and overflow
    if magnitude > MAX_MAGNITUDE or magnitude < MIN_MAGNITUDE:
        return _BAD
    return int(value) if integer else value


def _float(text: str) -> Any:
    if len(text) <= _SHORT and "e" not in text and "E" not in text:
        value = Decimal(text)
        return value if value else Decimal(0)
    return _number(text, integer=False)


def _int(text: str) -> Any:
    return int(text) if len(text) <= _SHORT else _number(text, integer=True)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets outside string literals, in one linear pass (no backtracking)."""
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def _check_depth(text: str) -> None:
    if nesting_depth(text) > MAX_DEPTH:
        raise ParseError(_("JSON nested deeper than %(max)d levels.") % {"max": MAX_DEPTH})


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable(path: str) -> str:
    return path.encode("utf-8", "backslashreplace").decode("utf-8")


def _refused_paths(value: Any, path: str, found: dict[str, str]) -> None:
    """Each refused number, and each text holding a lone surrogate (`"\\ud800"`: no character, which no
    database stores and no answer can echo), by its field's path."""
    if value is _BAD:
        found[path or "non_field_errors"] = "number"
    elif isinstance(value, str):
        if _lone_surrogate(value):
            found[path or "non_field_errors"] = "text"
    elif isinstance(value, dict):
        for key, item in value.items():
            name = _printable(f"{path}.{key}" if path else str(key))
            if _lone_surrogate(key):
                found[name] = "text"
            _refused_paths(item, name, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refused_paths(item, f"{path}.{index}" if path else str(index), found)


def loads(raw: bytes) -> Any:
    """JSON text to Python, within the limits above (ParseError: 400 `malformed_json`)."""
    if len(raw) > MAX_JSON_BYTES:
        raise PayloadTooLarge(_("A JSON body is at most 1 MB."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(_("the body is not UTF-8")) from exc
    if not text.strip():
        return {}
    _check_depth(text)
    refused: list[bool] = []

    def number(parse):
        def hook(literal: str) -> Any:
            result = parse(literal)
            if result is _BAD:
                refused.append(True)
            return result

        return hook

    try:
        data = json.loads(
            text, parse_float=number(_float), parse_int=number(_int), parse_constant=_reject_constant
        )
    except (ValueError, RecursionError) as exc:
        raise ParseError(str(exc)) from exc
    if refused or _SURROGATE_ESCAPE.search(text):
        found: dict[str, str] = {}
        _refused_paths(data, "", found)
        if found:
            messages = {
                "number": _(
                    "A number of at most %(digits)d significant digits and at most 10^15 in magnitude."
                )
                % {"digits": MAX_SIGNIFICANT_DIGITS},
                "text": _("Not valid text: it holds a lone surrogate code point."),
            }
            raise ValidationFailed({path: [messages[kind]] for path, kind in found.items()})
    return data


def _read_limited(stream, limit: int) -> bytes:
    if stream is None:
        return b""
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(_("A JSON body is at most 1 MB."))
    return raw


class JSONParser(parsers.BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        return loads(_read_limited(stream, MAX_JSON_BYTES))


class PlainTextJSONParser(JSONParser):
    """JSON sent as `text/plain`: api2 clients copy a curl that does so (seed 004), and Django's development
    server hands a body sent without a Content-Type over as `text/plain`."""

    media_type = "text/plain"


class MultiPartParser(parsers.MultiPartParser):
    """Uploads up to 12 MB (the declared length is checked before anything is read)."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        meta = request.META if request is not None else {}
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_MULTIPART_BYTES:
            raise PayloadTooLarge(_("An upload is at most 12 MB."))
        return super().parse(stream, media_type, parser_context)
