"""Date-range filters, the same for every list of the product (PRODUCT.md section 5).

A date-only start is that day's start and a date-only end that day's end, in the workspace's time zone; a
datetime without an offset is UTC; both bounds are inclusive.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

_ONE_DAY = dt.timedelta(days=1)
# A bound one day inside the calendar's ends, so that a shift to any time zone or to a day's end cannot overflow.
FIRST_DAY = dt.date(1, 1, 2)
LAST_DAY = dt.date(9999, 12, 30)


def _parse(value: str) -> dt.date | dt.datetime:
    """ValueError for anything but an ISO date or date-time between FIRST_DAY and LAST_DAY."""
    text = value.strip()
    if len(text) == 10:
        parsed: dt.date | dt.datetime = dt.date.fromisoformat(text)
        day = parsed
    else:
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = dt.datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        day = parsed.date()
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError("date out of range")
    return parsed


def range_start(value: str, time_zone: str) -> dt.datetime:
    """`2025-03-19` -> 2025-03-19 00:00 in the workspace zone; a datetime as given. ValueError if neither."""
    parsed = _parse(value)
    if isinstance(parsed, dt.datetime):
        return parsed
    return dt.datetime.combine(parsed, dt.time.min, tzinfo=zoneinfo.ZoneInfo(time_zone))


def range_end(value: str, time_zone: str) -> dt.datetime:
    """`2025-03-19` -> the last instant of that day in the workspace zone; a datetime -> the end of its
    millisecond: the API writes times to the millisecond, so an `endDate` copied from a `createdAt` it showed
    includes that row, whatever microseconds were stored."""
    parsed = _parse(value)
    if isinstance(parsed, dt.datetime):
        return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000 + 999)
    next_day = dt.datetime.combine(parsed + _ONE_DAY, dt.time.min, tzinfo=zoneinfo.ZoneInfo(time_zone))
    return next_day - dt.timedelta(microseconds=1)


def workspace_today(workspace) -> dt.date:
    """Today in the workspace's time zone (`businessDate`, "overdue", aging)."""
    from django.utils import timezone

    return timezone.now().astimezone(zoneinfo.ZoneInfo(workspace.timezone)).date()
