"""Report presets: whole local days in the organization's time zone, from a fixed clock reading."""

from datetime import datetime, timezone

import pytest

from sandglass.services.reports.periods import resolve, week_start_index

# Wednesday 2026-07-15 12:00 UTC: 14:00 in Warsaw (CEST, +02:00), 08:00 in New York (EDT, -04:00)
NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("period, start, end", [
    ("today", "2026-07-14T22:00:00.000Z", "2026-07-15T21:59:59.999Z"),
    ("yesterday", "2026-07-13T22:00:00.000Z", "2026-07-14T21:59:59.999Z"),
    ("thisWeek", "2026-07-12T22:00:00.000Z", "2026-07-19T21:59:59.999Z"),
    ("lastWeek", "2026-07-05T22:00:00.000Z", "2026-07-12T21:59:59.999Z"),
    ("thisMonth", "2026-06-30T22:00:00.000Z", "2026-07-31T21:59:59.999Z"),
    ("lastMonth", "2026-05-31T22:00:00.000Z", "2026-06-30T21:59:59.999Z"),
    # the year starts and ends in winter time (+01:00)
    ("thisYear", "2025-12-31T23:00:00.000Z", "2026-12-31T22:59:59.999Z"),
    ("lastYear", "2024-12-31T23:00:00.000Z", "2025-12-31T22:59:59.999Z"),
])
def test_presets_in_warsaw(period, start, end):
    span = resolve(period, None, None, NOW, "Europe/Warsaw")
    assert (span.start, span.end) == (start, end)


@pytest.mark.parametrize("period, start, end", [
    ("today", "2026-07-15T04:00:00.000Z", "2026-07-16T03:59:59.999Z"),
    ("yesterday", "2026-07-14T04:00:00.000Z", "2026-07-15T03:59:59.999Z"),
    ("thisWeek", "2026-07-13T04:00:00.000Z", "2026-07-20T03:59:59.999Z"),
    ("lastWeek", "2026-07-06T04:00:00.000Z", "2026-07-13T03:59:59.999Z"),
    ("thisMonth", "2026-07-01T04:00:00.000Z", "2026-08-01T03:59:59.999Z"),
    ("lastMonth", "2026-06-01T04:00:00.000Z", "2026-07-01T03:59:59.999Z"),
    ("thisYear", "2026-01-01T05:00:00.000Z", "2027-01-01T04:59:59.999Z"),
    ("lastYear", "2025-01-01T05:00:00.000Z", "2026-01-01T04:59:59.999Z"),
])
def test_presets_in_new_york(period, start, end):
    span = resolve(period, None, None, NOW, "America/New_York")
    assert (span.start, span.end) == (start, end)


def test_today_follows_the_local_date_not_the_utc_one():
    late = datetime(2026, 7, 15, 23, 30, tzinfo=timezone.utc)  # already the 16th in Warsaw, still the 15th in New York
    assert resolve("today", None, None, late, "Europe/Warsaw").start == "2026-07-15T22:00:00.000Z"
    assert resolve("today", None, None, late, "America/New_York").start == "2026-07-15T04:00:00.000Z"


def test_a_week_across_the_autumn_clock_change_is_169_hours():
    sunday = datetime(2026, 10, 25, 12, 0, tzinfo=timezone.utc)
    span = resolve("thisWeek", None, None, sunday, "Europe/Warsaw")
    assert (span.start, span.end) == ("2026-10-18T22:00:00.000Z", "2026-10-25T22:59:59.999Z")
    assert (span.upper - span.lower).total_seconds() == 169 * 3600


def test_week_start_sunday():
    span = resolve("thisWeek", None, None, NOW, "America/New_York", week_start_index("SUNDAY"))
    assert (span.start, span.end) == ("2026-07-12T04:00:00.000Z", "2026-07-19T03:59:59.999Z")
    assert week_start_index(None) == 0 and week_start_index("nonsense") == 0


def test_january_last_month_is_december_of_the_year_before():
    january = datetime(2026, 1, 10, 12, 0, tzinfo=timezone.utc)
    span = resolve("lastMonth", None, None, january, "UTC")
    assert (span.start, span.end) == ("2025-12-01T00:00:00.000Z", "2025-12-31T23:59:59.999Z")


def test_custom_end_is_inclusive():
    span = resolve("custom", "2026-07-01T00:00:00+02:00", "2026-07-31T23:59:59+02:00", NOW, "UTC")
    assert span.start == "2026-06-30T22:00:00.000Z"
    assert span.upper.isoformat() == "2026-07-31T21:59:59.001000+00:00"
