"""Weekly moments in an organization's time zone and ISO weeks: pure, DST-safe (zoneinfo).

A weekly moment is a weekday and a wall-clock time in a time zone (Friday 15:00 Europe/Warsaw).
Its instant on a given day follows PEP 495 with fold=0:
- a wall time the clock skips (spring forward) runs shifted by the jump (02:30 -> 03:30 local);
- a wall time the clock repeats (fall back) runs at its first occurrence.
Every function takes and returns aware datetimes; "now" always comes from the caller.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_moment(day: date, at: time, tz: str) -> datetime:
    """The UTC instant when the wall clock of `tz` shows `at` on `day` (fold=0, see module doc)."""
    return datetime.combine(day, at, tzinfo=zone(tz)).astimezone(timezone.utc)


def local_day_start(day: date, tz: str) -> datetime:
    """The UTC instant a local day starts (00:00, or when the clock resumes if midnight is skipped)."""
    return local_moment(day, time(0, 0), tz)


def local_date(instant: datetime, tz: str) -> date:
    return instant.astimezone(zone(tz)).date()


def next_weekly_run(tz: str, weekday: int, at: time, after: datetime) -> datetime:
    """The first instant strictly after `after` when the local clock shows weekday `weekday`
    (0 = Monday) at `at`."""
    start = local_date(after, tz) - timedelta(days=1)
    for offset in range(16):
        day = start + timedelta(days=offset)
        if day.weekday() == weekday:
            candidate = local_moment(day, at, tz)
            if candidate > after:
                return candidate
    raise AssertionError("a weekly moment always recurs within 16 days")  # pragma: no cover


def grace_moment(grace_hours: int) -> tuple[int, time]:
    """Monday 00:00 plus `grace_hours` of wall-clock time, as (weekday, time of day)."""
    return (grace_hours // 24) % 7, time(grace_hours % 24, 0)


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def iso_week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def monday_of_iso_week(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


def week_label(year: int, week: int) -> str:
    return f"{year}-W{week:02d}"


def lock_moment(week_year: int, week: int, tz: str, grace_hours: int) -> datetime:
    """When ISO week (year, week) becomes lockable: the next Monday 00:00 local plus the grace."""
    weekday, at = grace_moment(grace_hours)
    next_monday = monday_of_iso_week(week_year, week) + timedelta(days=7)
    return local_moment(next_monday + timedelta(days=weekday), at, tz)


def last_lockable_week(tz: str, grace_hours: int, now: datetime) -> tuple[int, int]:
    """The latest ISO week whose lock moment is at or before `now` (the last completed week
    once its grace has passed)."""
    this_monday = week_monday(local_date(now, tz))
    best: tuple[int, int] | None = None
    # the grace is under a week, so the answer is one of the weeks ending around now
    for weeks_back in range(0, 3):
        year, week = iso_week(this_monday - timedelta(days=7 * weeks_back + 1))
        if lock_moment(year, week, tz, grace_hours) <= now:
            best = (year, week)
            break
    assert best is not None
    return best
