"""The lock model, pure: which days are locked, which days an activity covers, 4me periods, and
the activities write guard over in-memory repositories (no moto)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from sandglass import timefmt
from sandglass.context import TenantContext
from sandglass.errors import Conflict
from sandglass.models.activities import ActivityCreate, ActivityUpdate
from sandglass.entities.locks import DateLock, LockState, LockStates, WeekLock
from sandglass.repositories.locks import LOCKS_CHANGED
from sandglass.repositories.organizations import settings_from_item
from sandglass.services import lock_rules as locks
from sandglass.services.activities import ActivityService, no_rates
from tests.unit.fakes import ORG, Condition, InMemoryActivities, InMemoryProjects

NOW = datetime(2026, 11, 13, 12, 0, tzinfo=timezone.utc)
ORG_SETTINGS = {"id": ORG, "timeZone": "Europe/Warsaw", "maxActivityHours": 24}
NONE = LockState()
U1 = "11111111-1111-4111-8111-111111111111"
P = "22222222-2222-4222-8222-222222222222"


def week_lock(year: int, week: int, unlocked_to: datetime | None = None) -> WeekLock:
    return WeekLock(id="l1", user_id="u1", year=year, week=week, unlocked_to=unlocked_to, created_at=NOW, updated_at=NOW)


def member(*, days=(), weeks=()) -> LockState:
    return LockState(user_id="u1", days=frozenset(days), weeks={(w.year, w.week): w for w in weeks}, version=1)


def reason(day, organization=ORG_SETTINGS, org_locks=NONE, member_locks=NONE, now=NOW):
    return locks.lock_reason(day, settings_from_item(organization), org_locks, member_locks, now)


# --- lock_reason ------------------------------------------------------------------------------------

def test_watermark_locks_its_week_and_every_earlier_one_only_when_enabled():
    settings = {**ORG_SETTINGS, "lockingTimesheets": {"enabled": True, "year": 2026, "week": 45}}
    assert "through week 2026-W45" in reason(date(2026, 11, 8), settings)  # Sunday of week 45
    assert reason(date(2025, 12, 31), settings) is not None                 # an earlier year
    assert reason(date(2026, 11, 9), settings) is None                      # Monday of week 46
    assert reason(date(2026, 11, 8), {**settings, "lockingTimesheets": {"enabled": False, "year": 2026, "week": 45}}) is None
    assert reason(date(2026, 11, 8), {**settings, "lockingTimesheets": {"enabled": True, "year": None, "week": None}}) is None


def test_iso_week_years_differ_from_calendar_years():
    settings = {**ORG_SETTINGS, "lockingTimesheets": {"enabled": True, "year": 2026, "week": 53}}
    assert reason(date(2027, 1, 3), settings) is not None   # Sunday 3 January 2027 is in ISO week 2026-W53
    assert reason(date(2027, 1, 4), settings) is None       # 2027-W01
    assert reason(date(2021, 1, 3), {**ORG_SETTINGS, "lockingTimesheets": {"enabled": True, "year": 2020, "week": 53}}) is not None


def test_a_week_record_locks_and_its_window_opens_it_over_every_other_lock():
    settings = {**ORG_SETTINGS, "lockingTimesheets": {"enabled": True, "year": 2026, "week": 46}}
    everything = LockState(user_id=None, days=frozenset({date(2026, 11, 10)}))
    open_window = member(days=[date(2026, 11, 10)], weeks=[week_lock(2026, 46, datetime(2026, 11, 13, 12, 0, 0, 1000, tzinfo=timezone.utc))])
    assert reason(date(2026, 11, 10), settings, everything, open_window) is None
    closed = member(weeks=[week_lock(2026, 46, NOW)])  # unlockedTo == now: closed (exclusive)
    assert "2026-W46 (2026-11-09 to 2026-11-15) is locked for this member" in reason(date(2026, 11, 10), member_locks=closed)
    assert reason(date(2026, 11, 10), member_locks=member(weeks=[week_lock(2026, 46)])) is not None
    assert reason(date(2026, 11, 16), member_locks=member(weeks=[week_lock(2026, 46)])) is None


def test_member_and_organization_date_locks():
    assert "locked for the organization" in reason(date(2026, 11, 3), org_locks=LockState(user_id=None, days=frozenset({date(2026, 11, 3)})))
    assert "locked for this member" in reason(date(2026, 11, 4), member_locks=member(days=[date(2026, 11, 4)]))
    assert reason(date(2026, 11, 5), member_locks=member(days=[date(2026, 11, 4)])) is None


def test_locked_days_of_a_month():
    days = [date(2026, 2, day) for day in range(1, 29)]
    settings = {**ORG_SETTINGS, "lockingTimesheets": {"enabled": True, "year": 2026, "week": 6}}
    found = locks.locked_days(settings_from_item(settings), LockState(user_id=None, days=frozenset({date(2026, 2, 20)})), member(days=[date(2026, 2, 28)]), days, NOW)
    assert found == set(days[:8]) | {date(2026, 2, 20), date(2026, 2, 28)}


# --- days and periods ----------------------------------------------------------------------------------

@pytest.mark.parametrize("start,end,tz,expected", [
    ("2026-11-10T09:00:00.000Z", "2026-11-10T10:00:00.000Z", "UTC", ["2026-11-10"]),
    ("2026-11-10T22:30:00.000Z", "2026-11-11T01:00:00.000Z", "UTC", ["2026-11-10", "2026-11-11"]),
    ("2026-11-10T22:00:00.000Z", "2026-11-11T00:00:00.000Z", "UTC", ["2026-11-10"]),             # ends at midnight
    ("2026-11-10T22:00:00.000Z", "2026-11-11T00:00:00.001Z", "UTC", ["2026-11-10", "2026-11-11"]),
    ("2026-11-09T12:00:00.000Z", "2026-11-09T13:00:00.000Z", "Pacific/Auckland", ["2026-11-10"]),
    ("2026-03-28T23:30:00.000Z", "2026-03-29T01:30:00.000Z", "Europe/Warsaw", ["2026-03-29"]),   # DST night, one local day
    ("2026-11-10T09:00:00.000Z", None, "Asia/Kathmandu", ["2026-11-10"]),                         # a running timer: its start day
    ("2026-11-09T18:14:00.000Z", None, "Asia/Kathmandu", ["2026-11-09"]),                         # 23:59 at +05:45
    ("2026-11-09T18:15:00.000Z", None, "Asia/Kathmandu", ["2026-11-10"]),
])
def test_activity_days(start, end, tz, expected):
    days = locks.activity_days(timefmt.parse(start), timefmt.parse(end) if end else None, tz)
    assert [day.isoformat() for day in days] == expected


def test_period_days():
    assert DateLock(period="day", anchor=date(2026, 11, 3)).days == [date(2026, 11, 3)]
    week = DateLock(period="week", anchor=date(2026, 12, 2)).days
    assert week[0] == date(2026, 11, 30) and week[-1] == date(2026, 12, 6) and len(week) == 7
    assert DateLock(period="week", anchor=date(2027, 1, 1)).days[0] == date(2026, 12, 28)  # across the new year
    assert len(DateLock(period="month", anchor=date(2028, 2, 29)).days) == 29
    assert len(DateLock(period="month", anchor=date(2026, 2, 1)).days) == 28


def test_lock_zone_and_settings_change():
    assert locks.lock_zone(settings_from_item({"timeZone": "Europe/Warsaw"})) == "Europe/Warsaw"
    assert locks.lock_zone(settings_from_item({"timeZone": "Europe/Warsaw", "lockingTimesheets": {"timeZone": "Asia/Kolkata"}})) == "Asia/Kolkata"
    assert locks.lock_zone(settings_from_item({})) == "UTC" and locks.lock_zone(None) == "UTC"
    before = {"timeZone": "UTC", "lockingTimesheets": {"enabled": True, "year": 2026, "week": 44}}
    changed = lambda after: locks.lock_settings_changed(settings_from_item(before), settings_from_item({**before, **after}))  # noqa: E731
    assert changed({"lockingTimesheets": {"enabled": True, "year": 2026, "week": 45}})
    assert changed({"timeZone": "Asia/Tokyo"})
    assert not changed({"currency": "EUR"})


# --- the write guard over in-memory repositories --------------------------------------------------------------

class InMemoryLocks:
    """The part of LockRepository the guard uses, over the activities fake's `extra` items."""

    def __init__(self, activities: InMemoryActivities):
        self.activities = activities

    def state_keys(self, org_id, user_ids):
        return [{"PK": "locks", "SK": "org"}, *({"PK": "locks", "SK": user_id} for user_id in sorted(set(user_ids)))]

    def states_from(self, org_id, user_ids, items):
        def state(key, user_id):
            item = items.get(key)
            return LockState(user_id=user_id, days=frozenset(item["days"]), version=item["version"]) if item else LockState(user_id=user_id)

        return LockStates(organization=state(("locks", "org"), None), members={u: state(("locks", u), u) for u in user_ids})

    def unchanged(self, org_id, state):
        def holds(repo):
            item = repo.extra.get(("locks", state.user_id))
            return (item["version"] if item else None) == state.version

        return Condition(holds, Conflict("changed", code=LOCKS_CHANGED))

    def stage_unchanged(self, tx, org_id, state):
        tx.add_condition(self.unchanged(org_id, state))

    def lock(self, user_id, day):
        item = self.activities.extra.setdefault(("locks", user_id), {"days": set(), "version": 0})
        item["days"].add(day)
        item["version"] += 1


SAM = TenantContext(ORG, "acme", U1, "sam@acme.test", "User")
ADMIN = TenantContext(ORG, "acme", "admin", "admin@acme.test", "Administrator")


@pytest.fixture
def world():
    from sandglass.clock import FixedClock

    repo = InMemoryActivities(dict(ORG_SETTINGS))
    repo.add_project(P, members={U1: "User"})
    repo.add_user(U1)
    fake_locks = InMemoryLocks(repo)
    service = ActivityService(repository=repo, clock=FixedClock(NOW), guards=[locks.LockGuard(fake_locks)], projects=InMemoryProjects(repo),
                              rates=no_rates)
    return repo, fake_locks, service


def entry(service, tenant=SAM, start="2026-11-10T09:00:00Z", end="2026-11-10T10:00:00Z"):
    return service.create(tenant, ActivityCreate(name="Work", projectId=P, userId=U1, startedAt=start, endedAt=end)).activity


def test_the_guard_refuses_users_and_lets_administrators_through(world):
    repo, fake_locks, service = world
    fake_locks.lock(U1, date(2026, 11, 10))
    with pytest.raises(Conflict) as refused:
        entry(service)
    assert refused.value.code == "PERIOD_LOCKED" and "2026-11-10" in refused.value.message
    created = entry(service, ADMIN)
    for attempt in (lambda: service.update(SAM, created.id, ActivityUpdate(name="x")), lambda: service.delete(SAM, created.id)):
        with pytest.raises(Conflict, match="2026-11-10"):
            attempt()
    service.delete(ADMIN, created.id)
    assert repo.activities == {}


def test_a_lock_between_read_and_commit_is_caught_and_an_unrelated_change_retried(world):
    repo, fake_locks, service = world
    repo.before_commit = lambda: (fake_locks.lock(U1, date(2026, 11, 10)), setattr(repo, "before_commit", None))
    with pytest.raises(Conflict) as refused:
        entry(service)
    assert refused.value.code == "PERIOD_LOCKED" and repo.activities == {}
    repo.before_commit = lambda: (fake_locks.lock(U1, date(2026, 1, 1)), setattr(repo, "before_commit", None))
    assert entry(service, start="2026-11-11T09:00:00Z", end="2026-11-11T10:00:00Z").id in repo.activities


def test_locks_that_keep_changing_end_in_a_409_not_a_loop(world):
    repo, fake_locks, service = world
    repo.before_commit = lambda: fake_locks.lock(U1, date(2026, 1, 1))
    with pytest.raises(Conflict) as refused:
        entry(service)
    assert refused.value.code == LOCKS_CHANGED and repo.activities == {}
