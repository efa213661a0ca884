"""Timesheet locks: one lock model, enforced in one place.

The model (pure functions below)
--------------------------------
Days are local dates and weeks ISO weeks in the lock time zone: ``lockingTimesheets.timeZone``,
else the organization's ``timeZone`` (the zone auto-lock counts its weeks in). A day D is locked
for member U when, and no temporary unlock window of U's ISO week of D is open now:
- auto-lock: ``lockingTimesheets`` is enabled and its watermark (``year``/``week``) is at or after
  D's ISO week;
- a Sandtime user-week lock of U covers D's ISO week (a record whose ``unlockedTo`` lies in the
  future is an open unlock window instead; once it passes, the record locks the week again);
- a 4me-style date lock covers D, for U or for the whole organization. A week or month lock is the
  set of its days, and unlocking removes days from the set of the same scope: an organization-wide
  unlock does not lift a member's own locks (use an unlock window for one member's exception).

Enforcement
-----------
LockGuard is a write guard of the activities service (services/activities/base.py), so every
activity write goes through it: create (a timer's implicit stop of the previous one included),
update (edit, move, stop), delete, geofence-started timers. For members who are not organization
Administrators, every local day an activity covers before and after the write (a running timer:
its start day) must be open, else 409 PERIOD_LOCKED naming the period. The guard reads the lock
state in the write's own BatchGetItem and adds one ConditionCheck per member on the member's lock
version, so a lock landing concurrently makes the write fail and re-decide (repositories/locks.py
explains why a per-member version and not an organization-wide item).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Collection, Iterable

from sandglass import ids
from sandglass.context import TenantContext
from sandglass.entities.activities import Activity
from sandglass.entities.locks import LockState, LockStates, WeekLock
from sandglass.entities.organizations import OrganizationSettings
from sandglass.errors import Conflict
from sandglass.repositories.locks import LockRepository
from sandglass.schedule import iso_week, local_date, monday_of_iso_week, week_label

PERIOD_LOCKED = "PERIOD_LOCKED"


# --- the model (pure) -------------------------------------------------------------------------------

def lock_zone(settings: OrganizationSettings | None) -> str:
    """The zone whose local days and ISO weeks locks count in."""
    return settings.lock_time_zone if settings is not None else "UTC"


def watermark(settings: OrganizationSettings | None) -> tuple[int, int] | None:
    """The last ISO week auto-lock has locked, when locking is enabled."""
    return settings.locked_through if settings is not None else None


def _week_text(week: tuple[int, int]) -> str:
    monday = monday_of_iso_week(*week)
    return f"week {week_label(*week)} ({monday.isoformat()} to {(monday + timedelta(days=6)).isoformat()})"


def lock_reason(day: date, settings: OrganizationSettings | None, org_locks: LockState, member: LockState, now: datetime) -> str | None:
    """Why `day` is locked for the member whose locks are `member` (None: it is open)."""
    week = iso_week(day)
    record = member.weeks.get(week)
    if record is not None:
        if record.unlocked_to is not None and record.unlocked_to > now:
            return None
        return f"The timesheet {_week_text(week)} is locked for this member"
    latest = watermark(settings)
    if latest is not None and week <= latest:
        return f"The timesheet {_week_text(week)} is locked: timesheets are locked through week {week_label(*latest)}"
    if day in member.days:
        return f"The timesheet of {day.isoformat()} is locked for this member"
    if day in org_locks.days:
        return f"The timesheet of {day.isoformat()} is locked for the organization"
    return None


def locked_days(settings: OrganizationSettings | None, org_locks: LockState, member: LockState, days: Iterable[date], now: datetime) -> set[date]:
    """The days of `days` locked for one member (for the monthly timesheet's locked/lockedDays)."""
    return {day for day in days if lock_reason(day, settings, org_locks, member, now) is not None}


def activity_days(started: datetime, ended: datetime | None, tz: str) -> list[date]:
    """The local days an activity covers: from its start's date to the date of its last
    millisecond (an entry ending at midnight does not touch the next day); a running timer
    (`ended` None): its start day."""
    first = local_date(started, tz)
    if ended is None:
        return [first]
    last = local_date(max(started, ended - timedelta(milliseconds=1)), tz)
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def lock_settings_changed(before: OrganizationSettings | None, after: OrganizationSettings | None) -> bool:
    """Whether an organization settings change moves what auto-lock locks (watermark, zone)."""
    return (watermark(before), lock_zone(before)) != (watermark(after), lock_zone(after))


def after_settings_change(repository: LockRepository, org_id: str, before: OrganizationSettings | None, after: OrganizationSettings | None) -> None:
    """Called after the organization item changed (settings PUT, auto-lock advancing the
    watermark): bump every member's lock version when the watermark or the lock zone moved, so a
    write that read the old settings cannot commit (repositories/locks.py)."""
    if lock_settings_changed(before, after):
        repository.bump_members(org_id)


def next_week_lock(existing: WeekLock | None, user_id: str, year: int, week: int, unlocked_to: datetime | None, now: datetime) -> WeekLock:
    """The member's lock of ISO week (year, week) after a lock or unlock-window request: a
    replaced record keeps its id and creation time."""
    return WeekLock(id=existing.id if existing else ids.new_id(), user_id=user_id, year=year, week=week, unlocked_to=unlocked_to,
                    created_at=existing.created_at if existing else now, updated_at=now)


def check_open(settings: OrganizationSettings | None, states: LockStates, activities: Iterable[Activity], now: datetime) -> None:
    """409 PERIOD_LOCKED unless every day every image in `activities` covers is open for its member."""
    tz = lock_zone(settings)
    for activity in activities:
        member = states.of(activity.user_id)
        for day in activity_days(activity.started_at, activity.ended_at, tz):
            reason = lock_reason(day, settings, states.organization, member, now)
            if reason is not None:
                raise Conflict(f"{reason}; only organization Administrators can change its activities", code=PERIOD_LOCKED)


# --- the activities write guard --------------------------------------------------------------------

class LockGuard:
    """Write guard of the activities service (see the module doc). `wanted` names the items the
    decision reads, to join the write's BatchGetItem; the call decides on the write's activity
    images and stages into its unit of work the ConditionChecks that keep the decision true."""

    def __init__(self, repository: LockRepository):
        self.repository = repository

    def wanted(self, tenant: TenantContext, user_ids: Collection[str]) -> list[dict[str, str]]:
        return [] if tenant.is_admin else self.repository.state_keys(tenant.org_id, user_ids)

    def __call__(self, tx, tenant: TenantContext, images, reads, now: datetime) -> None:
        if tenant.is_admin:
            return
        user_ids = {image.user_id for image in images}
        states = self.repository.states_from(tenant.org_id, user_ids, reads.extra)
        check_open(reads.organization.settings if reads.organization is not None else None, states, images, now)
        for user_id in sorted(user_ids):
            self.repository.stage_unchanged(tx, tenant.org_id, states.of(user_id))
