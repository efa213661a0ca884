"""The API's one timestamp format: UTC, milliseconds, `Z`."""

from __future__ import annotations

from datetime import datetime, timezone


def iso(instant: datetime) -> str:
    utc = instant.astimezone(timezone.utc)
    # the year padded by hand: strftime's %Y gives "999", not "0999", on glibc
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def parse(value: str) -> datetime:
    """Parse an ISO-8601 instant with an offset (naive values are refused)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    if parsed.tzinfo is None:
        raise ValueError("An instant needs an offset or 'Z' (e.g. 2026-07-03T09:00:00+02:00)")
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("The instant is outside the supported range (years 0001-9999 in UTC)") from None
