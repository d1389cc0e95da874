"""What a value may be, as the OpenAPI schema says it (`workspaces.api.openapi_hooks`): a blank-allowing string in one
schema, the time zones the server knows."""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterable
from typing import Any

BLANK = {"type": "string", "maxLength": 0}


def _accepts_blank(branch: dict[str, Any]) -> bool:
    """Whether a schema of a string takes "" already (no `minLength`, format or enum, a pattern matching it)."""
    return (
        branch.get("type") == "string"
        and not branch.get("minLength")
        and not {"format", "enum"} & branch.keys()
        and re.search(branch.get("pattern", ""), "") is not None
    )


def one_blank(nodes: Iterable[dict[str, Any]]) -> None:
    """drf-spectacular (0.30) writes a blank-allowing string with a pattern as `oneOf: [<string>, BLANK]`; where the
    string takes "" already, "" matches both branches and so violates the `oneOf` (a client or Schemathesis then
    holds "" invalid, though the server takes it). The blank branch goes; a lone branch left is the schema again."""
    for node in list(nodes):
        branches = node.get("oneOf")
        if not branches or BLANK not in branches:
            continue
        if not any(_accepts_blank(branch) for branch in branches if branch != BLANK):
            continue
        branches.remove(BLANK)
        if len(branches) == 1 and "$ref" not in branches[0]:
            node.update(node.pop("oneOf")[0])


@functools.cache
def time_zones() -> list[str]:
    # The names `workspaces.models.validate_time_zone` accepts: the same source.
    return sorted(zoneinfo.available_timezones())


def zone_identifier(zone: str) -> str:
    """`America/Port-au-Prince` -> `AMERICA_PORT_AU_PRINCE`, `Etc/GMT+3` -> `ETC_GMT_PLUS_3`: one per name."""
    spelled = zone.replace("+", "_PLUS_").replace("-", "_MINUS_") if "GMT" in zone else zone
    return re.sub(r"[^A-Z0-9]+", "_", spelled.upper()).strip("_")
