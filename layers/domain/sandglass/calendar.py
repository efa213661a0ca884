"""Calendar days and ISO weeks as clients send them: the one parser of each.

A calendar day is ``yyyy-mm-dd`` exactly (no time, no offset, no week or ordinal form), within
the API's years (timefmt.MIN_YEAR..MAX_YEAR); an ISO week is a (year, week) pair that exists.
Bad input raises ValidationFailed naming the field, so every route answers 422 the same way.
"""

from __future__ import annotations

import re
from datetime import date

from sandglass.errors import ValidationFailed
from sandglass.timefmt import MAX_YEAR, MIN_YEAR

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # not the ISO week form 2026-W05-1 that date.fromisoformat also takes


def parse_day(raw: str | None, field: str, where: str = "query") -> date | None:
    """The calendar day `raw` names (None when it is absent); 422 on anything else."""
    if raw is None:
        return None
    try:
        if not isinstance(raw, str) or not _DAY.fullmatch(raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed.field(field, "Expected a date as yyyy-mm-dd", where) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationFailed.field(field, f"The date must fall between the years {MIN_YEAR} and {MAX_YEAR}", where)
    return day


def check_iso_week(year: int, week: int, where: str = "path") -> date:
    """The Monday of ISO week (year, week); 422 naming the field when the year is out of range or
    has no such week."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed.field("year", f"The year must fall between {MIN_YEAR} and {MAX_YEAR}", where)
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValidationFailed.field("week", f"{year} has no ISO week {week}", where) from None
