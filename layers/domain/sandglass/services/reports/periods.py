"""Report periods: the presets (today ... lastYear) as instants, computed in the organization's
time zone and week start; a custom period's inclusive start/end. Pure functions of a clock reading."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from msgspec import Struct

from sandglass import timefmt

ONE_MS = timedelta(milliseconds=1)
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


class Range(Struct, frozen=True):
    """``lower <= startedAt < upper`` (UTC). `end` is the inclusive bound the API shows."""

    lower: datetime
    upper: datetime

    @property
    def start(self) -> str:
        return timefmt.iso(self.lower)

    @property
    def end(self) -> str:
        return timefmt.iso(self.upper - ONE_MS)


def week_start_index(value) -> int:
    """The organization's first day of the week (0 = Monday, ISO); an unknown value means Monday."""
    if isinstance(value, str) and value.upper() in WEEKDAYS:
        return WEEKDAYS.index(value.upper())
    return 0


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local calendar day (UTC)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def first_of_week(day: date, week_start: int) -> date:
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def _month(year: int, month: int) -> date:
    while month < 1:
        year, month = year - 1, month + 12
    while month > 12:
        year, month = year + 1, month - 12
    return date(year, month, 1)


def local_days(period: str, today: date, week_start: int = 0) -> tuple[date, date]:
    """[first day, day after the last) of a preset, in local calendar days."""
    if period == "today":
        return today, today + timedelta(days=1)
    if period == "yesterday":
        return today - timedelta(days=1), today
    if period in ("thisWeek", "lastWeek"):
        first = first_of_week(today, week_start) - timedelta(days=7 if period == "lastWeek" else 0)
        return first, first + timedelta(days=7)
    if period in ("thisMonth", "lastMonth"):
        offset = -1 if period == "lastMonth" else 0
        return _month(today.year, today.month + offset), _month(today.year, today.month + offset + 1)
    if period in ("thisYear", "lastYear"):
        year = today.year - (1 if period == "lastYear" else 0)
        return date(year, 1, 1), date(year + 1, 1, 1)
    raise ValueError(f"unknown period {period!r}")


def resolve(period: str, start: str | None, end: str | None, now: datetime, time_zone: str, week_start: int = 0) -> Range:
    """`span` of instants given as text."""
    return span(period, timefmt.parse(start) if start else None, timefmt.parse(end) if end else None, now, time_zone, week_start)


def span(period: str, start: datetime | None, end: datetime | None, now: datetime, time_zone: str, week_start: int = 0) -> Range:
    """The instants a report covers. Custom: ``start <= startedAt <= end`` (end inclusive to the
    millisecond, as the reference's ``23:59:59`` ends suggest); presets: whole local days."""
    if period == "custom":
        return Range(start, end + ONE_MS)
    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    first, after = local_days(period, today, week_start)
    return Range(local_midnight(first, zone), local_midnight(after, zone))
