"""Totals count wall time once: for any set of one member's entries (overlapping or not, running
or not), the day, week and month totals equal the measure of the union of their intervals, cut at
local midnights in the organization's zone, across DST days."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sandglass import amounts
from sandglass.entities.activities import Activity
from sandglass.services.reports import engine
from sandglass.services import timesheet_rules as rules
from sandglass.services.timesheets import month_days, week_days
from sandglass.timefmt import iso, parse

# days around each zone's 2026 DST changes (Kathmandu has none, and a +05:45 offset)
ZONES = {
    "Europe/Warsaw": [date(2026, 3, 29), date(2026, 10, 25)],
    "America/New_York": [date(2026, 3, 8), date(2026, 11, 1)],
    "Australia/Sydney": [date(2026, 4, 5), date(2026, 10, 4)],
    "Asia/Kathmandu": [date(2026, 6, 30)],
}


def union(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[list[datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def midnight(day: date, zone: str) -> datetime:
    """Local 00:00 of `day` as UTC, computed without the code under test."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def measure(merged, lower: datetime, upper: datetime) -> int:
    return sum(max(timedelta(0), min(end, upper) - max(start, lower)) // timedelta(milliseconds=1) for start, end in merged)


@st.composite
def worlds(draw):
    zone = draw(st.sampled_from(sorted(ZONES)))
    pivot = draw(st.sampled_from(ZONES[zone]))
    base = midnight(pivot, zone) - timedelta(days=2)
    count = draw(st.integers(0, 8))
    activities = []
    for index in range(count):
        start = base + timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))
        running = index == count - 1 and draw(st.booleans())
        activity = {"id": f"a{index:02d}", "startedAt": iso(start)}
        if not running:
            activity["endedAt"] = iso(start + timedelta(minutes=draw(st.integers(1, 24 * 60))))
        activities.append(activity)
    now = base + timedelta(days=5, minutes=draw(st.integers(0, 24 * 60)))
    return zone, pivot, activities, now


def entity(activity: dict) -> Activity:
    ended = activity.get("endedAt")
    return Activity(id=activity["id"], user_id="u1", project_id=None, started_at=parse(activity["startedAt"]), ended_at=parse(ended) if ended else None)


def spans_of(activities, now):
    spans = []
    for activity in activities:
        start = datetime.fromisoformat(activity["startedAt"])
        end = datetime.fromisoformat(activity["endedAt"]) if activity.get("endedAt") else now
        if end > start:
            spans.append((start, end))
    return spans


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_day_week_and_month_totals_are_the_measure_of_the_union(world):
    zone, pivot, activities, now = world
    merged = union(spans_of(activities, now))
    totals = rules.day_milliseconds([entity(activity) for activity in activities], zone, now)
    for day in {*week_days(pivot), *(pivot + timedelta(days=offset) for offset in range(-3, 4))}:
        assert totals.get(day, 0) == measure(merged, midnight(day, zone), midnight(day + timedelta(days=1), zone)), day
    for days in (week_days(pivot), month_days(pivot)):
        assert sum(totals.get(day, 0) for day in days) == measure(merged, midnight(days[0], zone), midnight(days[-1] + timedelta(days=1), zone))


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_report_durations_add_up_to_the_union_and_never_exceed_an_entry(world):
    zone, _pivot, activities, now = world
    items = [{**activity, "name": "Work", "projectId": f"p{index % 2}", "userId": "u1", "billable": True}
             for index, activity in enumerate(activities)]
    now_ms = amounts.to_ms(iso(now))
    entries = engine.price(items, engine.Pricing(now_ms=now_ms, counted_from=engine.counted_starts(items, now_ms)))
    merged = union(spans_of(activities, now))
    assert sum(entry.duration_ms for entry in entries) == measure(merged, datetime.min.replace(tzinfo=timezone.utc), datetime.max.replace(tzinfo=timezone.utc))
    assert all(0 <= entry.duration_ms <= entry.raw_ms for entry in entries)
