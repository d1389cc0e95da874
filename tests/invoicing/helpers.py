"""Reading v1 responses exactly: every JSON number as a Decimal, never through float."""

import json
from decimal import Decimal
from typing import Any

from workspaces.api.renderers import format_datetime


def body(response) -> Any:
    return json.loads(response.content, parse_float=Decimal, parse_int=Decimal)


def stamp(value) -> str:
    return format_datetime(value)
