"""Timesheet arithmetic, pure: day totals in the organization's time zone, rounding, expected time.

- Wall time counts once: where a member's entries overlap, the shared time belongs to the entry
  that started first (counted_spans), so totals are the measure of the union of their intervals.
- An activity counts on the local days it covers: one spanning midnight is split at local
  midnight (DST-aware), a running timer counts up to "now".
- Organization rounding (DESIGN "Time rules": it applies to durations in totals) rounds each
  activity's duration; the difference lands on the activity's first day (then the next days, if
  a rounding down exceeds it). Raw times are never changed.
- Minutes per day are the day's milliseconds rounded to the nearest minute; a month's
  `sumTimeSpent` is the sum of its days, so the two reads always agree.
- Expected time: the workday (core hours end - start) on each working day (Monday-Friday) that is
  not a public holiday of `holidays.country`; dates in `holidays.excluded` are holidays the
  organization works on, so they stay working days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sandglass.entities.activities import BREAK, Activity
from sandglass.entities.organizations import CoreHours, Holidays, Rounding
from sandglass.schedule import local_day_start, local_date

MINUTE_MS = 60_000
WORKING_WEEKDAYS = frozenset(range(5))  # Monday..Friday


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def workday_minutes(core_hours: CoreHours) -> int:
    """Minutes from the core hours' start to their end (whole minutes; 0 when they end first)."""
    to_minutes = lambda moment: moment.hour * 60 + moment.minute  # noqa: E731
    return max(0, to_minutes(core_hours.end) - to_minutes(core_hours.start))


def workdays(spent: int, workday: int) -> float:
    """`spent` minutes in workdays, 2 decimals (0.0 without a workday)."""
    return round(spent / workday, 2) if workday else 0.0


def holiday_dates(setting: Holidays, years: Iterable[int]) -> set[date]:
    """Public holidays of the organization's country in `years`, minus the ones it works on."""
    if not setting.country:
        return set()
    import holidays  # heavy: imported on first use

    calendar = holidays.country_holidays(setting.country, years=sorted(set(years)))
    excluded = set(setting.excluded)
    return {day for day in calendar if day not in excluded}


def expected_minutes(days: Iterable[date], workday: int, holidays_off: set[date]) -> int:
    return sum(workday for day in days if day.weekday() in WORKING_WEEKDAYS and day not in holidays_off)


def rounded_ms(duration_ms: int, rounding: Rounding | None) -> int:
    if rounding is None or not rounding.enabled:
        return duration_ms
    interval = rounding.interval // timedelta(milliseconds=1)
    if interval <= 0:
        return duration_ms
    mode = rounding.mode
    if mode == "UP":
        return -(-duration_ms // interval) * interval
    if mode == "DOWN":
        return duration_ms // interval * interval
    return (duration_ms + interval // 2) // interval * interval


def split_by_day(start: datetime, end: datetime, tz: str) -> list[tuple[date, int]]:
    """(local day, milliseconds) pieces of [start, end), cut at each local midnight."""
    pieces: list[tuple[date, int]] = []
    day = local_date(start, tz)
    cursor = start
    while cursor < end:
        next_start = local_day_start(day + timedelta(days=1), tz)
        piece_end = min(end, next_start)
        if piece_end > cursor:
            pieces.append((day, _ms(piece_end - cursor)))
        cursor = max(cursor, piece_end)
        day += timedelta(days=1)
    return pieces


def _ms(delta: timedelta) -> int:
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def activity_span(activity: Activity, now: datetime) -> tuple[datetime, datetime] | None:
    """[start, end) of an activity; a running timer ends now (nothing if it starts later)."""
    start = activity.started_at
    end = activity.ended_at or now
    return (start, end) if end > start else None


def counted_spans(activities: Iterable[Activity], now: datetime) -> list[tuple[Activity, datetime, datetime]]:
    """Each activity of ONE member with the part of its span that counts: wall time is counted once,
    so time two entries share belongs to the one that started first (ties: the smaller id), and a
    later entry counts only from where the earlier ones end. The counted parts are disjoint and
    their union is the union of the spans, whatever the overlap policy let in."""
    spans = []
    for activity in activities:
        span = activity_span(activity, now)
        if span is not None:
            spans.append((activity, span[0], span[1]))
    spans.sort(key=lambda item: (item[1], item[0].id))
    counted = []
    covered: datetime | None = None
    for activity, start, end in spans:
        start = start if covered is None else max(start, covered)
        if end > start:
            counted.append((activity, start, end))
        covered = end if covered is None else max(covered, end)
    return counted


def day_milliseconds(activities: Iterable[Activity], tz: str, now: datetime, rounding: Rounding | None = None) -> dict[date, int]:
    """Worked milliseconds per local day of one member's activities (their counted parts,
    counted_spans); BREAK activities are not worked time."""
    totals: dict[date, int] = {}
    worked = [activity for activity in activities if activity.type != BREAK]  # breaks are not worked time
    for _activity, start, end in counted_spans(worked, now):
        span = (start, end)
        pieces = split_by_day(span[0], span[1], tz)
        delta = rounded_ms(sum(ms for _, ms in pieces), rounding) - sum(ms for _, ms in pieces)
        adjusted = []
        for day, ms in pieces:
            take = max(delta, -ms)
            adjusted.append((day, ms + take))
            delta -= take
        for day, ms in adjusted:
            totals[day] = totals.get(day, 0) + ms
    return totals


def day_minutes(activities: Iterable[Activity], tz: str, days: list[date], now: datetime, rounding: Rounding | None = None) -> dict[date, int]:
    """Minutes per local day for every day of `days` (zeros included)."""
    totals = day_milliseconds(activities, tz, now, rounding)
    return {day: (totals.get(day, 0) + MINUTE_MS // 2) // MINUTE_MS for day in days}


def locked_days_string(days: list[date], locked: set[date]) -> str:
    return "".join("1" if day in locked else "0" for day in days)
