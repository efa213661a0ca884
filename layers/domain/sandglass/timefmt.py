"""The API's one timestamp format: UTC, milliseconds, `Z`."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

# The one accepted range for every instant a client sends (activities, rates, locks, reports...).
MIN_YEAR, MAX_YEAR = 1970, 9998
_MAX_TEXT = 64
_EXAMPLE = "an ISO-8601 instant with an offset, such as 2026-07-03T09:00:00+02:00"


def iso(instant: datetime) -> str:
    utc = instant if instant.tzinfo is timezone.utc else instant.astimezone(timezone.utc)
    # isoformat pads the year to four digits (strftime's %Y gives "999" on glibc) and is 3x faster
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"


def parse(value: str) -> datetime:
    """Parse an ISO-8601 instant with an offset (naive values are refused)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    if parsed.tzinfo is None:
        raise ValueError("An instant needs an offset or 'Z' (e.g. 2026-07-03T09:00:00+02:00)")
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("The instant is outside the supported range (years 0001-9999 in UTC)") from None


def hhmm(wall: time) -> str:
    """A wall-clock time as `HH:MM`, as settings store and send it (core hours, reminders)."""
    return wall.strftime("%H:%M")


def parse_stored(value: str | None) -> datetime | None:
    """A stored instant (its text as `iso` wrote it), or None where none is stored."""
    return parse(value) if value else None


def parse_bound(value: Any) -> datetime:
    """A range bound: like parse_instant, but a bound finer than a millisecond is rounded UP.
    Stored instants are whole milliseconds, so rounding up keeps `from` inclusive and `to`
    exclusive (truncating would take in, or leave out, one millisecond)."""
    instant = parse_instant(value)
    if isinstance(value, str):
        exact = parse(value.strip())
        if exact.microsecond % 1000:
            return instant + timedelta(milliseconds=1)
    return instant


def parse_instant(value: Any) -> datetime:
    """A client's instant -> aware UTC datetime truncated to milliseconds, within MIN_YEAR..MAX_YEAR.
    Raises ValueError with a message fit for the client (pydantic validators and services alike)."""
    if isinstance(value, datetime):
        parsed = value
        if parsed.tzinfo is None:
            raise ValueError("An instant needs an offset or 'Z' (e.g. 2026-07-03T09:00:00+02:00)")
    else:
        if not isinstance(value, str) or len(value) > _MAX_TEXT:
            raise ValueError(f"Expected {_EXAMPLE}")
        try:
            parsed = parse(value.strip())
        except (ValueError, OverflowError, TypeError) as error:
            if "range" in str(error):
                raise ValueError(f"The instant must fall between the years {MIN_YEAR} and {MAX_YEAR}") from None
            raise ValueError(str(error) if "offset" in str(error) else f"Expected {_EXAMPLE}") from None
    try:
        parsed = parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValueError(f"The instant must fall between the years {MIN_YEAR} and {MAX_YEAR}") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"The instant must fall between the years {MIN_YEAR} and {MAX_YEAR}")
    return utc_ms(parsed)


def utc_ms(instant: datetime) -> datetime:
    """`instant` in UTC, to the millisecond (what is stored and shown)."""
    instant = instant.astimezone(timezone.utc)
    return instant.replace(microsecond=instant.microsecond // 1000 * 1000)
