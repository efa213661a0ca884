"""The MCP tools' time phrases ("2h yesterday afternoon"): the documented grammar, properties over
any moment and zone (DST included), and the refusals an agent reads."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandglass.services.time_phrases import PhraseError, local_instant, parse_week, parse_when

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 12, 5, 15, 30, tzinfo=timezone.utc)  # Saturday 16:30 in Warsaw
ZONES = st.sampled_from([ZoneInfo(name) for name in ("UTC", "Europe/Warsaw", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham")])
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2090, 12, 30), timezones=st.just(timezone.utc))
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def local(span_start, zone=WARSAW) -> str:
    return span_start.astimezone(zone).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize("phrase, start, minutes", [
    ("2h yesterday afternoon", "2026-12-04 13:00", 120),
    ("90m yesterday", "2026-12-04 09:00", 90),
    ("1h30 monday morning", "2026-11-30 09:00", 90),
    ("1h 30m, Monday, at 10:15", "2026-11-30 10:15", 90),
    ("2 hours 15 minutes last saturday", "2026-11-28 09:00", 135),
    ("saturday 45m evening", "2026-12-05 18:00", 45),
    ("9:00-10:30 2026-12-03", "2026-12-03 09:00", 90),
    ("from 9:00 to 10:30 yesterday", "2026-12-04 09:00", 90),
    ("1.5h 2026-11-28 at 2pm", "2026-11-28 14:00", 90),
    ("1h 2026-11-28 at 10:00", "2026-11-28 10:00", 60),
    ("20m at 12am yesterday", "2026-12-04 00:00", 20),
])
def test_the_documented_phrases(phrase, start, minutes):
    span = parse_when(phrase, NOW, WARSAW)
    assert (local(span.start), span.minutes) == (start, minutes)


def test_a_duration_alone_ends_now():
    span = parse_when("90m", NOW, WARSAW)
    assert span.end == NOW and span.minutes == 90
    assert parse_when("today 1h", NOW, WARSAW).end == NOW


@pytest.mark.parametrize("phrase, message", [
    ("", "Say when"),
    ("lunch with the team", "not understood"),
    ("2h 3h yesterday", "one duration"),
    ("0m yesterday", "more than 0"),
    ("25h yesterday", "at most 24 hours"),
    ("yesterday afternoon", "how long"),
    ("2h 9:00-10:00", "not both"),
    ("10:00-09:00 yesterday", "end after it starts"),
    ("1h 2026-02-30", "not a date"),
])
def test_refusals_say_what_to_write(phrase, message):
    with pytest.raises(PhraseError, match=message):
        parse_when(phrase, NOW, WARSAW)


@settings(max_examples=150, deadline=None)
@given(MOMENTS, ZONES, st.integers(1, 24 * 60), st.sampled_from(["yesterday", "today", *WEEKDAYS, *(f"last {d}" for d in WEEKDAYS)]),
       st.sampled_from(["", "morning", "afternoon", "evening", "at 7:45", "at 3pm"]))
def test_any_moment_and_zone(now, zone, minutes, day, start):
    phrase = f"{minutes}m {day} {start}".strip()
    span = parse_when(phrase, now, zone)
    assert span.end - span.start == timedelta(minutes=minutes)  # elapsed time, across DST changes too
    assert span.start.tzinfo is not None and span.start.utcoffset() == timedelta(0)
    today = now.astimezone(zone).date()
    named = span.start.astimezone(zone).date() if (start or day not in ("today",)) else None
    if day == "yesterday" and start:
        assert named == today - timedelta(days=1)
    if day.startswith("last "):
        assert 1 <= (today - span.start.astimezone(zone).date()).days <= 7
        assert span.start.astimezone(zone).strftime("%A").lower() == day[5:]
    if day in WEEKDAYS and start:
        assert 0 <= (today - span.start.astimezone(zone).date()).days <= 6
        assert span.start.astimezone(zone).strftime("%A").lower() == day
    if not start and day in ("today",):
        assert span.end == now.replace(microsecond=0)


@settings(max_examples=100, deadline=None)
@given(MOMENTS, ZONES, st.sampled_from([time(9, 0), time(13, 0), time(18, 0), time(7, 45), time(15, 0)]))
def test_a_named_wall_time_is_that_wall_time_unless_dst_skips_it(now, zone, wall):
    text = {time(9, 0): "morning", time(13, 0): "afternoon", time(18, 0): "evening"}.get(wall, f"at {wall:%H:%M}")
    span = parse_when(f"1h yesterday {text}", now, zone)
    shown = span.start.astimezone(zone)
    naive = datetime.combine(now.astimezone(zone).date() - timedelta(days=1), wall)
    exists = naive.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) == naive
    if exists:
        assert shown.replace(tzinfo=None) == naive
    else:  # a skipped wall time moves forward by the jump
        assert shown.replace(tzinfo=None) > naive


def test_dst_spring_forward_gap_moves_forward_and_the_hour_is_real():
    now = datetime(2026, 3, 30, 12, 0, tzinfo=timezone.utc)
    span = parse_when("1h yesterday at 2:30", now, WARSAW)  # 02:30 does not exist on 2026-03-29 in Warsaw
    assert local(span.start) == "2026-03-29 03:30" and span.minutes == 60
    span = parse_when("from 1:00 to 4:00 yesterday", now, WARSAW)
    assert span.minutes == 120  # three wall-clock hours, two real ones


def test_local_instants_and_weeks():
    assert local_instant("2026-12-03T09:00", WARSAW) == datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc)
    assert local_instant("2026-12-03T09:00:00Z", WARSAW) == datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)
    with pytest.raises(PhraseError, match="not a time"):
        local_instant("tomorrow-ish", WARSAW)
    assert parse_week(None, NOW, WARSAW) == (2026, 49)
    assert parse_week("last week", NOW, WARSAW) == (2026, 48)
    assert parse_week("2026-W01", NOW, WARSAW) == parse_week("2026w1", NOW, WARSAW) == (2026, 1)
    assert parse_week("2027-01-01", NOW, WARSAW) == (2026, 53)
    with pytest.raises(PhraseError, match="no ISO week 53"):
        parse_week("2025-W53", NOW, WARSAW)
    with pytest.raises(PhraseError, match="not a week"):
        parse_week("next fortnight", NOW, WARSAW)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1971, 1, 1), max_value=date(2090, 12, 31)))
def test_any_date_names_its_iso_week(day):
    year, week, _ = day.isocalendar()
    assert parse_week(day.isoformat(), NOW, WARSAW) == (year, week)
    assert parse_week(f"{year}-W{week:02d}", NOW, WARSAW) == (year, week)
