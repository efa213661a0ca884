"""Calendar months of instants: the one helper behind the organization's month partitions.

Activities are partitioned by the UTC month of their start (``yyyy-mm``; GSI_MONTH), so every
month computed here is a UTC month, whatever offset an instant was given in: an instant at
``2026-03-31T23:30:00-05:00`` lies in ``2026-04``. Instants may be aware ``datetime``s or the
stored UTC text (``2026-07-03T08:30:00.000Z``).
"""

from __future__ import annotations

from datetime import datetime, timezone

from sandglass.timefmt import parse


def _utc(instant: datetime | str) -> datetime:
    if isinstance(instant, str):
        return parse(instant)
    if instant.tzinfo is None:
        raise ValueError("A month of an instant needs an aware datetime")
    return instant.astimezone(timezone.utc)


def month_of(instant: datetime | str) -> str:
    """The ``yyyy-mm`` UTC month `instant` lies in."""
    utc = _utc(instant)
    return f"{utc.year:04d}-{utc.month:02d}"


def month_start(instant: datetime | str) -> datetime:
    """The first instant (UTC) of the month `instant` lies in."""
    return _utc(instant).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(instant: datetime | str) -> datetime:
    """The first instant (UTC) of the month after the one `instant` lies in."""
    start = month_start(instant)
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)


def months_between(lower: datetime | str, upper: datetime | str) -> list[str]:
    """The ``yyyy-mm`` UTC months that the range ``[lower, upper)`` touches, oldest first (none
    when the range is empty): an `upper` at a month's first instant leaves that month out."""
    found, cursor, end = [], month_start(lower), _utc(upper)
    if end <= _utc(lower):
        return []
    while cursor < end:
        found.append(f"{cursor.year:04d}-{cursor.month:02d}")
        cursor = next_month(cursor)
    return found
