"""Next runs and lockable weeks across DST changes and odd offsets (pure: no moto, no clock)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from sandglass import keys
from sandglass.schedule import last_lockable_week, lock_moment, next_weekly_run, zone
from sandglass.repositories.organizations import settings_from_item
from sandglass.services.schedules import next_run

MON, FRI, SUN = 0, 4, 6
ZONES = ["Europe/Warsaw", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham"]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("tz, after, weekday, at, expected", [
    # Warsaw: CET (+01) until 2026-03-29 02:00, CEST (+02) until 2026-10-25 03:00
    ("Europe/Warsaw", "2026-03-20T12:00", MON, time(0), "2026-03-22T23:00"),
    ("Europe/Warsaw", "2026-03-27T12:00", MON, time(0), "2026-03-29T22:00"),
    ("Europe/Warsaw", "2026-03-27T12:00", SUN, time(2, 30), "2026-03-29T01:30"),   # skipped 02:30 runs at 03:30 CEST
    ("Europe/Warsaw", "2026-10-23T12:00", SUN, time(2, 30), "2026-10-25T00:30"),   # repeated 02:30: the first one (CEST)
    ("Europe/Warsaw", "2026-10-23T12:00", MON, time(0), "2026-10-25T23:00"),
    ("Europe/Warsaw", "2026-10-23T12:00", FRI, time(15), "2026-10-23T13:00"),
    # New York: EST (-05) until 2026-03-08 02:00, EDT (-04) until 2026-11-01 02:00
    ("America/New_York", "2026-03-06T12:00", MON, time(0), "2026-03-09T04:00"),
    ("America/New_York", "2026-03-06T12:00", SUN, time(2, 30), "2026-03-08T07:30"),  # skipped: 03:30 EDT
    ("America/New_York", "2026-10-30T12:00", SUN, time(1, 30), "2026-11-01T05:30"),  # repeated: 01:30 EDT
    ("America/New_York", "2026-11-01T05:30", SUN, time(1, 30), "2026-11-08T06:30"),  # not again at 01:30 EST
    ("America/New_York", "2026-10-30T12:00", MON, time(0), "2026-11-02T05:00"),
    # Sydney: AEDT (+11) until 2026-04-05 03:00, AEST (+10) until 2026-10-04 02:00
    ("Australia/Sydney", "2026-04-03T00:00", MON, time(0), "2026-04-05T14:00"),
    ("Australia/Sydney", "2026-04-03T00:00", SUN, time(2, 30), "2026-04-04T15:30"),  # repeated: the first (AEDT)
    ("Australia/Sydney", "2026-10-02T00:00", MON, time(0), "2026-10-04T13:00"),
    ("Australia/Sydney", "2026-10-02T00:00", SUN, time(2, 30), "2026-10-03T16:30"),  # skipped: 03:30 AEDT
    # Kolkata +05:30 and Kathmandu +05:45, no DST
    ("Asia/Kolkata", "2026-03-27T00:00", FRI, time(15), "2026-03-27T09:30"),
    ("Asia/Kolkata", "2026-03-27T09:30", FRI, time(15), "2026-04-03T09:30"),       # strictly after
    ("Asia/Kolkata", "2026-03-27T00:00", MON, time(0), "2026-03-29T18:30"),
    ("Asia/Kathmandu", "2026-03-27T00:00", MON, time(6), "2026-03-30T00:15"),
    ("Asia/Kathmandu", "2026-03-27T00:00", MON, time(0), "2026-03-29T18:15"),
    # Chatham: +13:45 until 2026-04-05 03:45, +12:45 until 2026-09-27 02:45
    ("Pacific/Chatham", "2026-04-03T00:00", MON, time(0), "2026-04-05T11:15"),
    ("Pacific/Chatham", "2026-04-03T00:00", SUN, time(3), "2026-04-04T13:15"),      # repeated 03:00: the first (+13:45)
    ("Pacific/Chatham", "2026-09-25T00:00", SUN, time(3), "2026-09-26T14:15"),      # skipped 03:00: 04:00 +13:45
    ("Pacific/Chatham", "2026-09-25T00:00", MON, time(0), "2026-09-27T10:15"),
])
def test_next_weekly_run(tz, after, weekday, at, expected):
    assert next_weekly_run(tz, weekday, at, utc(after)) == utc(expected)


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("weekday, at", [(MON, time(0)), (FRI, time(15)), (SUN, time(2, 30)), (SUN, time(3))])
def test_a_year_of_runs_is_weekly_and_never_repeats(tz, weekday, at):
    run = utc("2026-01-01T00:00")
    for _ in range(53):
        following = next_weekly_run(tz, weekday, at, run)
        # a week apart, give or take one DST shift (Chatham and the others move by one hour)
        assert timedelta(days=7) - timedelta(hours=1) <= following - run <= timedelta(days=7) + timedelta(hours=1) or run == utc("2026-01-01T00:00")
        local = following.astimezone(zone(tz))
        assert local.weekday() == weekday
        if (local.hour, local.minute) != (at.hour, at.minute):  # only where the clock skipped that time
            assert local.utcoffset() != (following - timedelta(hours=2)).astimezone(zone(tz)).utcoffset()
        run = following


@pytest.mark.parametrize("tz, now, grace, expected", [
    ("Europe/Warsaw", "2026-03-29T21:59:59", 0, (2026, 12)),
    ("Europe/Warsaw", "2026-03-29T22:00:00", 0, (2026, 13)),    # Monday 00:00 CEST, the first week after the change
    ("Europe/Warsaw", "2026-03-30T00:00:00", 2, (2026, 13)),    # Monday 02:00 CEST with 2 h grace
    ("Europe/Warsaw", "2026-03-29T23:59:59", 2, (2026, 12)),
    ("America/New_York", "2026-11-02T04:59:59", 0, (2026, 43)),
    ("America/New_York", "2026-11-02T05:00:00", 0, (2026, 44)),    # Monday 00:00 EST, the first week after the change
    ("Australia/Sydney", "2026-04-05T14:00:00", 0, (2026, 14)),
    ("Australia/Sydney", "2026-04-05T13:59:00", 0, (2026, 13)),
    ("Asia/Kolkata", "2026-03-29T18:30:00", 0, (2026, 13)),
    ("Asia/Kolkata", "2026-03-29T18:29:00", 0, (2026, 12)),
    ("Asia/Kathmandu", "2026-03-30T00:15:00", 6, (2026, 13)),
    ("Asia/Kathmandu", "2026-03-30T00:14:00", 6, (2026, 12)),
    ("Pacific/Chatham", "2026-04-05T11:15:00", 0, (2026, 14)),
    ("Pacific/Chatham", "2026-09-27T10:15:00", 0, (2026, 39)),
    ("Pacific/Chatham", "2026-09-27T10:14:00", 0, (2026, 38)),
    ("Europe/Warsaw", "2026-04-15T12:00:00", 167, (2026, 14)),  # a week's grace: still the week before last
])
def test_last_lockable_week(tz, now, grace, expected):
    assert last_lockable_week(tz, grace, utc(now)) == expected


@pytest.mark.parametrize("tz", ZONES)
def test_the_auto_lock_run_locks_the_week_that_just_ended(tz):
    """At the moment next_run schedules, last_lockable_week is the week that ended; a moment
    earlier it is the week before (so the tick at its run time always advances)."""
    organization = settings_from_item({"timeZone": tz, "lockingTimesheets": {"enabled": True}, "autoLock": {"graceHours": 5}})
    run = utc("2026-01-01T00:00")
    for _ in range(53):
        run = next_run(organization, keys.JOB_AUTO_LOCK, run)
        week = last_lockable_week(tz, 5, run)
        assert lock_moment(*week, tz, 5) == run
        assert last_lockable_week(tz, 5, run - timedelta(seconds=1)) < week


def test_jobs_off_have_no_next_run():
    organization = settings_from_item({"timeZone": "UTC", "lockingTimesheets": {"enabled": False}, "reminders": {"enabled": False}})
    assert next_run(organization, keys.JOB_AUTO_LOCK, utc("2026-01-01T00:00")) is None
    assert next_run(organization, keys.JOB_REMINDERS, utc("2026-01-01T00:00")) is None


def test_reminders_use_their_moment_and_the_lock_time_zone():
    organization = settings_from_item({"timeZone": "UTC", "lockingTimesheets": {"timeZone": "Asia/Kathmandu"},
                                       "reminders": {"enabled": True, "weekday": "THURSDAY", "time": "16:45"}})
    assert next_run(organization, keys.JOB_REMINDERS, utc("2026-03-23T00:00")) == utc("2026-03-26T11:00")
