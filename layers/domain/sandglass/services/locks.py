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
from sandglass.calendar import check_iso_week, parse_day
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.entities.activities import Activity
from sandglass.entities.locks import DateLock, LockOverview, LockState, LockStates, WeekLock
from sandglass.entities.organizations import Organization, OrganizationSettings
from sandglass.errors import Conflict, NotFound, ValidationFailed, detail
from sandglass.repositories import UnitOfWork
from sandglass.repositories.locks import LOCKS_CHANGED, LockRepository
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.users import UserRepository
from sandglass.schedule import iso_week, local_date, monday_of_iso_week, week_label
from sandglass.timefmt import utc_ms

PERIOD_LOCKED = "PERIOD_LOCKED"
PERIODS = {"date": "day", "weekOf": "week", "monthOf": "month"}  # 4me query parameter -> DateLock period
SAVE_ATTEMPTS = 4


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


# --- the lock routes and the timesheet reads' port -----------------------------------------------------

class LockService:
    def __init__(self, repository: LockRepository | None = None, clock: Clock | None = None, users=None, organizations=None):
        self.repository = repository or LockRepository()
        self._clock = clock
        self.users = users or UserRepository(self.repository.table)
        self.organizations = organizations or OrganizationRepository(self.repository.table)

    @property
    def clock(self) -> Clock:
        return self._clock or get_clock()

    def _now(self) -> datetime:
        return utc_ms(self.clock.now())

    def _member(self, tenant: TenantContext, user_id: str, where: str) -> str:
        canonical = ids.canonical_id(user_id)
        if canonical is None:
            raise ValidationFailed.field("userId", "Expected a UUID", where)
        if self.users.get(tenant.org_id, canonical) is None:
            raise NotFound("User not found")
        return canonical

    def post_lock(self, tenant: TenantContext, body, user_id: str | None, date_: str | None, week_of: str | None,
                  month_of: str | None) -> WeekLock | None:
        """POST /timesheets/lock, both styles on one path: any 4me query parameter makes it a date
        lock (None: 204), else the JSON body is a Sandtime user-week lock (the lock)."""
        tenant.require_admin()
        four_me = any(value is not None for value in (user_id, date_, week_of, month_of))
        if four_me and body is not None:
            raise ValidationFailed("Lock either dates (query: userId, date, weekOf, monthOf) or a member's week (JSON body), not both",
                                   details=[detail("body", "Not allowed with the date-lock query parameters", "body")])
        if four_me:
            self.lock_dates(tenant, user_id, date_, week_of, month_of, lock=True)
            return None
        if body is None:
            raise ValidationFailed("A JSON body (userId, year, week, optional unlockedTo) or one of the query parameters date, weekOf, monthOf is required",
                                   details=[detail("body", "Field required", "body", "missing")])
        return self.lock_week(tenant, body.userId, body.year, body.week, body.unlockedTo)

    # --- Sandtime -----------------------------------------------------------------------------------
    def lock_week(self, tenant: TenantContext, user_id: str, year: int, week: int, unlocked_to: datetime | None) -> WeekLock:
        """POST /timesheets/lock (body): create or replace the member's lock of ISO week
        (year, week); the record keeps its id and createdAt when replaced."""
        tenant.require_admin()
        check_iso_week(year, week, "body")
        user_id = self._member(tenant, user_id, "body")
        for _ in range(SAVE_ATTEMPTS):
            seen = self.repository.read(tenant.org_id, [user_id]).of(user_id)
            existing = seen.weeks.get((year, week))
            lock = next_week_lock(existing, user_id, year, week, unlocked_to, self._now())
            tx = UnitOfWork(self.repository.table)
            self.repository.stage_week(tx, tenant.org_id, lock, seen, new=existing is None)
            try:
                tx.commit()
            except Conflict as error:
                if error.code != LOCKS_CHANGED:
                    raise
                continue
            return lock
        raise Conflict("The member's locks kept changing; retry", code=LOCKS_CHANGED)

    def delete_week(self, tenant: TenantContext, lock_id: str) -> None:
        """DELETE /timesheets/lock/{lockId} (Sandtime answers an empty object)."""
        tenant.require_admin()
        canonical = ids.canonical_id(lock_id)
        if canonical is None:
            raise ValidationFailed.field("lockId", "Expected a UUID", "path")
        pointer = self.repository.week_by_id(tenant.org_id, canonical)
        if pointer is None:
            raise NotFound("Timesheet lock not found")
        self.repository.delete_week(tenant.org_id, pointer)

    def own_day_reasons(self, tenant: TenantContext, days: Iterable[date]) -> dict[date, str | None]:
        """Why each of `days` is locked for the caller (None: open), by the one lock model
        (what the MCP tools show before a write the activity service would refuse)."""
        organization = self.organizations.require(tenant.org_id)
        states = self.repository.read(tenant.org_id, [tenant.user_id])
        now = self._now()
        return {day: lock_reason(day, organization.settings, states.organization, states.of(tenant.user_id), now) for day in days}

    # --- 4me ------------------------------------------------------------------------------------------
    def lock_dates(self, tenant: TenantContext, user_id: str | None, date_: str | None, week_of: str | None, month_of: str | None,
                   *, lock: bool) -> None:
        """POST / DELETE /timesheets/lock?[userId=]&(date|weekOf|monthOf)=yyyy-mm-dd: lock or
        unlock a day, the ISO week of a date or the month of a date, for a member or (no userId)
        the whole organization."""
        tenant.require_admin()
        given = [(name, value) for name, value in (("date", date_), ("weekOf", week_of), ("monthOf", month_of)) if value is not None]
        if len(given) != 1:
            raise ValidationFailed("Give exactly one of date, weekOf or monthOf",
                                   details=[detail(name, "Give exactly one of date, weekOf or monthOf", "query") for name in ("date", "weekOf", "monthOf")])
        (name, raw), = given
        anchor = parse_day(raw, name)
        member = self._member(tenant, user_id, "query") if user_id is not None else None
        period = DateLock(user_id=member, period=PERIODS[name], anchor=anchor)
        self.repository.change_days(tenant.org_id, period.user_id, period.days, lock=lock)

    def lock_member_days(self, tenant: TenantContext, user_id: str, days: list[date], *, lock: bool) -> None:
        """Lock or unlock these days of one member (a 4me group's lock: each member's days in the group)."""
        tenant.require_admin()
        if days:
            self.repository.change_days(tenant.org_id, self._member(tenant, user_id, "query"), days, lock=lock)

    # --- reads ------------------------------------------------------------------------------------------
    def locks(self, tenant: TenantContext, user_id: str | None = None) -> LockOverview:
        """GET /timesheets/locks: the watermark, the week locks and the date locks. A User sees
        the organization's and their own; Administrators everyone's (or one member's with userId)."""
        if user_id is not None:
            user_id = self._member(tenant, user_id, "query")
        if not tenant.reads_all:
            if user_id not in (None, tenant.user_id):
                raise NotFound("User not found")
            user_id = tenant.user_id
        organization = self.organizations.require(tenant.org_id)
        states = self.repository.read(tenant.org_id, [user_id]) if user_id else self.repository.all_states(tenant.org_id)
        members = {uid: state for uid, state in states.members.items() if user_id is None or uid == user_id}
        return LockOverview(
            watermark=watermark(organization.settings), time_zone=lock_zone(organization.settings),
            week_locks=tuple(lock for state in members.values() for _, lock in sorted(state.weeks.items())),
            organization_days=tuple(sorted(states.organization.days)),
            member_days={uid: tuple(sorted(state.days)) for uid, state in sorted(members.items()) if state.days})

    def day_marks(self, organization: Organization, user_ids: list[str], first: date, last: date) -> dict[str, tuple[set[date], set[date]]]:
        """The timesheet reads' port (services/timesheets.py): each member's locked days of
        [first, last] by the full model at the clock's now, and the days of weeks an approval request
        approved (services/requests.py). One BatchGetItem."""
        states = self.repository.read(organization.id, user_ids)
        days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
        now = self._now()
        marks = {}
        for user_id in user_ids:
            member = states.of(user_id)
            approved = {day for day in days if iso_week(day) in member.approvals}
            marks[user_id] = (locked_days(organization.settings, states.organization, member, days, now), approved)
        return marks
