"""Timesheets per person and group: what the 4me Timesheets surface reads.

A person who moved between groups during a month has one timesheet per group (the days of each
span); a person in no group has one timesheet for the whole month. The figures come from
TimesheetService (workday, minutes per day, locked days): nothing is computed twice.

Access (the 4me reference): the person, the manager or substitute of the timesheet's group, an
Auditor, an Administrator; anyone else gets 404 (a group: 403 when not its leader).
"""

from __future__ import annotations

from datetime import date

from msgspec import Struct

from sandglass import ids
from sandglass.context import TenantContext
from sandglass.entities.groups import GroupSpan
from sandglass.entities.locks import DateLock
from sandglass.entities.timesheets import IncompleteWeek, TimesheetMember
from sandglass.errors import Forbidden, NotFound, ValidationFailed
from sandglass.services.groups import GroupService, may_read_timesheet
from sandglass.services import timesheet_rules as rules
from sandglass.services.locks import LockService
from sandglass.services.timesheets import TimesheetService, month_days, week_days


FOURME_PERIODS = {"date": "day", "week_of": "week", "month_of": "month"}  # 4me query parameter -> DateLock period


class GroupTimesheet(Struct, frozen=True, kw_only=True):
    member: TimesheetMember  # with the person's integer id (None: created before integer ids, not backfilled)
    group_id: str | None
    workday: int
    sum_time_spent: int
    workdays: float
    locked: bool
    locked_days: str


def _period_days(on: str | None, week_of: str | None, month_of: str | None) -> list[date]:
    """The days of a 4me period: exactly one of date, week_of, month_of (named so in errors)."""
    given = [(name, value) for name, value in (("date", on), ("week_of", week_of), ("month_of", month_of)) if value is not None]
    if len(given) != 1:
        raise ValidationFailed.field("date", "Give exactly one of date, week_of or month_of", "query")
    (name, value), = given
    return DateLock(period=FOURME_PERIODS[name], anchor=_day(value, name)).days


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed.field(field, "Expected a date yyyy-mm-dd", "query") from None


def _person(value: str) -> str:
    canonical = ids.canonical_id(value)
    if canonical is None:
        raise NotFound("Person not found")
    return canonical


class GroupTimesheetService:
    def __init__(self, timesheets: TimesheetService | None = None, groups: GroupService | None = None, locks: LockService | None = None):
        self.timesheets = timesheets or TimesheetService()
        self.groups = groups or GroupService()
        self.locks = locks or LockService()

    def lock(self, tenant: TenantContext, person_id: str | None, group_id: str | None, on: str | None, week_of: str | None,
             month_of: str | None, *, lock: bool) -> None:
        """4me's POST/DELETE /timesheets/lock: a person's days (person_id), a group's (organization_id:
        each member's days in the group), or a person's days in one group (both)."""
        days = _period_days(on, week_of, month_of)
        if group_id is None:
            if person_id is None:
                raise ValidationFailed.field("organization_id", "Give organization_id or person_id", "query")
            self.locks.lock_dates(tenant, person_id, on, week_of, month_of, lock=lock)
            return
        tenant.require_admin()
        group = self.groups.get(tenant, group_id)
        person = _person(person_id) if person_id is not None else None
        for span in self.groups.spans(tenant, days[0], days[-1], group_id=group.id, user_id=person):
            self.locks.lock_member_days(tenant, span.user_id, [d for d in days if span.first <= d <= span.last], lock=lock)

    def month(self, tenant: TenantContext, month_of: str, person_id: str | None, group_id: str | None) -> list[GroupTimesheet]:
        """GET /v1/timesheets: the month's timesheets of a person and/or a group, in generation order."""
        days = month_days(_day(month_of, "month_of"))
        if person_id is None and group_id is None:
            raise ValidationFailed.field("organization_id", "Give organization_id or person_id", "query")
        group = self.groups.get(tenant, group_id) if group_id is not None else None
        person = _person(person_id) if person_id is not None else None
        spans = self.groups.spans(tenant, days[0], days[-1], group_id=group.id if group else None, user_id=person)
        if person is not None and group is None and not spans:
            spans = [GroupSpan(user_id=person, group_id="", first=days[0], last=days[-1])]  # in no group: the whole month
        if person is None and not (tenant.reads_all or group.led_by(tenant.user_id)):
            raise Forbidden("Only the group's manager or substitute, Auditors and Administrators read its timesheets")
        return [self._timesheet(tenant, span, month_of) for span in spans]

    def day_totals(self, tenant: TenantContext, person_id: str | None, group_id: str | None, on: str | None, week_of: str | None,
                   month_of: str | None) -> dict[date, int]:
        _period_days(on, week_of, month_of)
        if person_id is None:
            raise ValidationFailed.field("person_id", "person_id is required", "query")
        person = _person(person_id)
        reader = self._reader(tenant, person, None)
        totals = self.timesheets.day_totals(reader, person, on, week_of, month_of)
        if group_id is None:
            return totals
        group = self.groups.get(tenant, group_id)
        days = sorted(totals)
        spans = self.groups.spans(tenant, days[0], days[-1], group_id=group.id, user_id=person)
        return {day: minutes for day, minutes in totals.items() if any(s.first <= day <= s.last for s in spans)}

    def incomplete(self, tenant: TenantContext, week_of: str, group_id: str | None) -> list[IncompleteWeek]:
        group = self.groups.get(tenant, group_id) if group_id is not None else None
        if not (tenant.reads_all or (group is not None and group.led_by(tenant.user_id))):
            raise Forbidden("Only the group's manager or substitute, Auditors and Administrators read incomplete timesheets")
        records = self.timesheets.incomplete(tenant.reading(), week_of)
        if group is None:
            return records
        days = week_days(_day(week_of, "week_of"))
        members = {span.user_id for span in self.groups.spans(tenant, days[0], days[-1], group_id=group.id)}
        return [record for record in records if record.member.id in members]

    # --- helpers ------------------------------------------------------------------------------
    def _reader(self, tenant: TenantContext, person: str, group_id: str | None) -> TenantContext:
        """The tenant to read `person`'s figures with, once the 4me access rule allowed it (else 404)."""
        group = self.groups.repository.get(tenant.org_id, group_id) if group_id else None
        if group is None and not tenant.reads_all and person != tenant.user_id:
            spans = self.groups.spans(tenant, date.min, date.max, user_id=person)
            leaders = [self.groups.repository.get(tenant.org_id, span.group_id) for span in spans]
            if any(leader is not None and leader.led_by(tenant.user_id) for leader in leaders):
                return tenant.reading()
        if not may_read_timesheet(tenant, person, group):
            raise NotFound("Person not found")
        return tenant.reading() if tenant.user_id != person else tenant

    def _timesheet(self, tenant: TenantContext, span: GroupSpan, month_of: str) -> GroupTimesheet:
        reader = self._reader(tenant, span.user_id, span.group_id or None)
        month = self.timesheets.member_month(reader, month_of, span.user_id)
        minutes = self.timesheets.day_totals(reader, span.user_id, month_of=month_of)
        spent = sum(value for day, value in minutes.items() if span.first <= day <= span.last)
        return GroupTimesheet(member=month.member, group_id=span.group_id or None, workday=month.workday, sum_time_spent=spent,
                              workdays=rules.workdays(spent, month.workday), locked=month.locked, locked_days=month.locked_days)
