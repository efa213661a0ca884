"""Timesheet arithmetic (pure): local-day splits across midnight and DST, rounding, expected time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from sandglass.entities.activities import Activity
from sandglass.entities.organizations import CoreHours, Holidays, Rounding
from sandglass.services import timesheet_rules as rules
from sandglass.timefmt import parse

NOW = datetime(2026, 11, 13, 12, 0, tzinfo=timezone.utc)


def act(start: str, end: str | None = None) -> Activity:
    return Activity(id=start, user_id="u", project_id="p", started_at=parse(start), ended_at=parse(end) if end else None)


def test_split_at_local_midnight_and_across_dst():
    # Warsaw, 2026-03-29: 02:00 CET -> 03:00 CEST (a 23-hour day)
    pieces = rules.split_by_day(datetime(2026, 3, 28, 22, tzinfo=timezone.utc), datetime(2026, 3, 29, 23, tzinfo=timezone.utc), "Europe/Warsaw")
    assert pieces == [(date(2026, 3, 28), 3_600_000), (date(2026, 3, 29), 23 * 3_600_000), (date(2026, 3, 30), 3_600_000)]
    # 2026-10-25: 03:00 CEST -> 02:00 CET (a 25-hour day)
    pieces = rules.split_by_day(datetime(2026, 10, 24, 22, tzinfo=timezone.utc), datetime(2026, 10, 25, 23, tzinfo=timezone.utc), "Europe/Warsaw")
    assert pieces == [(date(2026, 10, 25), 25 * 3_600_000)]


def test_day_minutes_counts_running_timers_up_to_now():
    days = [date(2026, 11, 13)]
    minutes = rules.day_minutes([act("2026-11-13T10:00:00.000Z")], "Europe/Warsaw", days, NOW)
    assert minutes == {date(2026, 11, 13): 120}
    assert rules.day_minutes([act("2026-11-13T13:00:00.000Z")], "UTC", days, NOW) == {date(2026, 11, 13): 0}  # starts after now


@pytest.mark.parametrize("mode, expected", [("UP", 60), ("DOWN", 45), ("NEAREST", 45)])
def test_rounding_applies_per_activity(mode, expected):
    rounding = Rounding(enabled=True, interval=timedelta(milliseconds=900_000), mode=mode)
    minutes = rules.day_minutes([act("2026-11-10T08:00:00.000Z", "2026-11-10T08:52:00.000Z")], "UTC", [date(2026, 11, 10)], NOW, rounding)
    assert minutes[date(2026, 11, 10)] == expected


def test_rounding_down_across_midnight_takes_from_the_first_day_then_the_next():
    rounding = Rounding(enabled=True, interval=timedelta(milliseconds=3_600_000), mode="DOWN")
    # 23:50 -> 00:40 (50 min) rounds down to 0: 10 + 40 both go
    minutes = rules.day_minutes([act("2026-11-10T23:50:00.000Z", "2026-11-11T00:40:00.000Z")], "UTC", [date(2026, 11, 10), date(2026, 11, 11)], NOW, rounding)
    assert minutes == {date(2026, 11, 10): 0, date(2026, 11, 11): 0}
    # rounding up lands on the first day
    rounding = Rounding(enabled=True, interval=timedelta(milliseconds=3_600_000), mode="UP")
    minutes = rules.day_minutes([act("2026-11-10T23:50:00.000Z", "2026-11-11T00:40:00.000Z")], "UTC", [date(2026, 11, 10), date(2026, 11, 11)], NOW, rounding)
    assert minutes == {date(2026, 11, 10): 20, date(2026, 11, 11): 40}


def test_expected_minutes_skip_weekends_holidays_but_not_excluded_ones():
    week = rules.days_between(date(2026, 11, 9), date(2026, 11, 15))  # Wednesday 11 November: Independence Day (PL)
    off = rules.holiday_dates(Holidays(country="PL"), {2026})
    assert rules.expected_minutes(week, 480, off) == 4 * 480
    off = rules.holiday_dates(Holidays(country="PL", excluded=(date(2026, 11, 11),)), {2026})
    assert rules.expected_minutes(week, 480, off) == 5 * 480
    assert rules.expected_minutes(week, 480, rules.holiday_dates(Holidays(country=None), {2026})) == 5 * 480


def test_workday_and_locked_days_string():
    assert rules.workday_minutes(CoreHours(start=time(8, 30), end=time(16, 45))) == 495
    assert rules.workday_minutes(CoreHours(start=time(17), end=time(9))) == 0
    assert rules.workdays(495, 480) == 1.03 and rules.workdays(495, 0) == 0.0
    days = rules.days_between(date(2026, 2, 1), date(2026, 2, 28))
    assert rules.locked_days_string(days, {date(2026, 2, 1), date(2026, 2, 2)}) == "11" + "0" * 26
