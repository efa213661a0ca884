"""Timesheet locks: the lock routes (Sandtime user-week locks and unlock windows, 4me date locks),
the lock overview, and the timesheet reads' port (`day_marks`). The lock model and its enforcement
on every activity write (LockGuard) are in lock_rules.py, apart so that the activities service
loads the rules without this service's reads of members and organizations.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable

from sandglass import ids
from sandglass.calendar import check_iso_week, parse_day
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.entities.locks import DateLock, LockOverview, WeekLock
from sandglass.entities.organizations import Organization
from sandglass.errors import Conflict, NotFound, ValidationFailed, detail
from sandglass.repositories import UnitOfWork
from sandglass.repositories.locks import LOCKS_CHANGED, LockRepository
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.users import UserRepository
from sandglass.schedule import iso_week
from sandglass.services.lock_rules import lock_reason, lock_zone, locked_days, next_week_lock, watermark
from sandglass.timefmt import utc_ms

PERIODS = {"date": "day", "weekOf": "week", "monthOf": "month"}  # 4me query parameter -> DateLock period
SAVE_ATTEMPTS = 4


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
