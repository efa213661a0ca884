"""4me-style timesheet reads: monthly timesheets, day totals and incomplete weeks.

Expected time runs from the later of the organization's creation and the member's (invitation) to
their archiving. The organization-wide monthly list shows active members and archived members with
time in the month (marked archived).

Rights: organization Administrators read anyone and the organization-wide lists; a User reads
their own timesheet and day totals; a project Administrator also those of the members of the
projects they administer, counting only those projects' time (any other member's id answers 404,
as if absent).

Arithmetic lives in services/timesheet_rules.py (pure). Which days are locked and which approved
comes from a port, `day_marks(organization, user_ids, first, last) -> {user_id: (locked, approved)}`;
the default knows only the organization's auto-lock watermark (lockingTimesheets.year/week, when
locking is enabled) and approves nothing; the full lock model with approvals plugs in through the
constructor (services/locks.LockService.day_marks, one read).

The reads answer typed results (entities/timesheets.py: MonthTimesheet, IncompleteWeek; day totals
as minutes per date); each dialect maps them to its wire and picks its `?fields=`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sandglass import ids
from sandglass.calendar import parse_day
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.entities.activities import Activity
from sandglass.entities.organizations import Organization, OrganizationSettings
from sandglass.entities.people import Member
from sandglass.entities.timesheets import IncompleteWeek, MonthTimesheet, TimesheetMember
from sandglass.errors import NotFound, ValidationFailed, detail
from sandglass.repositories.timesheets import MemberRead, TimesheetRepository
from sandglass.schedule import iso_week, local_date, local_day_start, week_monday
from sandglass.services import timesheet_rules as rules
from sandglass.timefmt import iso

# (organization, user ids, first day, last day) -> {user id: (locked days, approved days)}
DayMarks = Callable[[Organization, list[str], date, date], dict[str, tuple[set[date], set[date]]]]
NO_MARKS: tuple[set[date], set[date]] = (set(), set())


def watermark_day_marks(organization: Organization, user_ids: list[str], first: date, last: date) -> dict[str, tuple[set[date], set[date]]]:
    """The default port: locked are the days whose ISO week is at or before the organization's
    auto-lock watermark; nothing is approved."""
    watermark = organization.settings.locked_through
    locked: set[date] = set()
    if watermark is not None:
        locked = {day for day in rules.days_between(first, last) if iso_week(day) <= watermark}
    return {user_id: (set(locked), set()) for user_id in user_ids}


def _only(projects: set[str] | None, activities: list[Activity]) -> list[Activity]:
    return activities if projects is None else [activity for activity in activities if activity.project_id in projects]


def month_days(any_day: date) -> list[date]:
    first = any_day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return rules.days_between(first, following - timedelta(days=1))


def week_days(any_day: date) -> list[date]:
    monday = week_monday(any_day)
    return rules.days_between(monday, monday + timedelta(days=6))


def _display_name(member: Member) -> str:
    return member.name or member.email


def _by_name(members: list[Member]) -> list[Member]:
    return sorted(members, key=lambda member: (_display_name(member).lower(), member.id))


def timesheet_member(member: Member) -> TimesheetMember:
    """The member as timesheets name them: their name, else their email."""
    return TimesheetMember(id=member.id, name=_display_name(member), email=member.email, archived=member.archived, number=member.number)


def _local_day(instant: datetime | None, tz: str) -> date | None:
    return local_date(instant, tz) if instant is not None else None


def expected_days(organization: Organization, member: Member, days: list[date]) -> list[date]:
    """The days of `days` on which time is expected of the member: from the later of the
    organization's creation and the member's (their invitation), to their archiving (that day
    included), in the organization's zone."""
    tz = organization.settings.time_zone
    starts = [day for day in (_local_day(organization.created_at, tz), _local_day(member.created_at, tz)) if day]
    first = max(starts) if starts else None
    last = _local_day(member.archived_at, tz) if member.archived else None
    return [day for day in days if (first is None or day >= first) and (last is None or day <= last)]


def _bounds(settings: OrganizationSettings, days: list[date]) -> tuple[str, str]:
    """Start-instant range of activities that can touch `days`: from the first day's start
    minus the longest allowed activity, to the end of the last day."""
    lower = local_day_start(days[0], settings.time_zone) - timedelta(hours=settings.max_activity_hours)
    upper = local_day_start(days[-1] + timedelta(days=1), settings.time_zone)
    return iso(lower), iso(upper)


def _by_user(activities: list[Activity]) -> dict[str, list[Activity]]:
    grouped: dict[str, list[Activity]] = {}
    for activity in activities:
        grouped.setdefault(activity.user_id, []).append(activity)
    return grouped


def _minutes(settings: OrganizationSettings, activities: list[Activity], days: list[date], now: datetime) -> dict[date, int]:
    return rules.day_minutes(activities, settings.time_zone, days, now, settings.rounding)


def month_timesheet(settings: OrganizationSettings, member: Member, activities: list[Activity], days: list[date], now: datetime,
                    marks: tuple[set[date], set[date]]) -> MonthTimesheet:
    """A member's month from their activities and their (locked, approved) days."""
    locked, approved = marks
    spent = sum(_minutes(settings, activities, days, now).values())
    workday = rules.workday_minutes(settings.core_hours)
    lock_string = rules.locked_days_string(days, locked)
    return MonthTimesheet(member=timesheet_member(member), workday=workday, spent=spent, workdays=rules.workdays(spent, workday),
                          locked="0" not in lock_string, locked_days=lock_string, approved=all(day in approved for day in days),
                          approved_days=rules.locked_days_string(days, approved))


class TimesheetService:
    def __init__(self, repository: TimesheetRepository | None = None, clock: Clock | None = None, day_marks: DayMarks | None = None):
        self.repository = repository or TimesheetRepository()
        self._clock = clock
        self.day_marks = day_marks or watermark_day_marks

    @property
    def clock(self) -> Clock:
        return self._clock or get_clock()

    # --- routes ----------------------------------------------------------------------------
    def member_month(self, tenant: TenantContext, month_of: str, user_id: str) -> MonthTimesheet:
        """GET /timesheets with userId: one member's month."""
        days = month_days(parse_day(month_of, "monthOf"))
        now = self.clock.now()
        target, projects = self._scope(tenant, user_id)
        read = self._member(tenant.org_id, target)
        lower, upper = _bounds(read.organization.settings, days)
        activities = _only(projects, self.repository.member_activities(tenant.org_id, target, lower, upper, [read.running] if read.running else []))
        marks = self.day_marks(read.organization, [target], days[0], days[-1]).get(target, NO_MARKS)
        return month_timesheet(read.organization.settings, read.member, activities, days, now, marks)

    def organization_month(self, tenant: TenantContext, month_of: str) -> list[MonthTimesheet]:
        """GET /timesheets without userId (Administrators): every member's month; archived members
        are listed when they have time in the month."""
        days = month_days(parse_day(month_of, "monthOf"))
        now = self.clock.now()
        tenant.require_reads_all()
        read = self.repository.organization_read(tenant.org_id)
        if read.organization is None:  # deleted since the authorizer let the caller in
            raise NotFound("Organization not found")
        settings = read.organization.settings
        lower, upper = _bounds(settings, days)
        by_user = _by_user(self.repository.organization_activities(tenant.org_id, lower, upper, read.running))
        members = _by_name([member for member in read.members if not member.archived or member.id in by_user])
        marks = self.day_marks(read.organization, [member.id for member in members], days[0], days[-1])
        return [month_timesheet(settings, member, by_user.get(member.id, []), days, now, marks.get(member.id, NO_MARKS)) for member in members]

    def day_totals(self, tenant: TenantContext, user_id: str | None = None, on: str | None = None, week_of: str | None = None,
                   month_of: str | None = None) -> dict[date, int]:
        """GET /timesheets/dayTotals: minutes per local day of a date, a week or a month."""
        given = {name: raw for name, raw in (("date", on), ("weekOf", week_of), ("monthOf", month_of)) if raw is not None}
        if len(given) != 1:
            raise ValidationFailed("Give exactly one of date, weekOf or monthOf", details=[detail(name, "Give exactly one of date, weekOf or monthOf", "query") for name in (given or {"date": None})])
        (name, raw), = given.items()
        day = parse_day(raw, name)
        days = [day] if name == "date" else week_days(day) if name == "weekOf" else month_days(day)
        target, projects = self._scope(tenant, user_id) if user_id is not None else (tenant.user_id, None)
        read = self._member(tenant.org_id, target)
        lower, upper = _bounds(read.organization.settings, days)
        activities = _only(projects, self.repository.member_activities(tenant.org_id, target, lower, upper, [read.running] if read.running else []))
        return _minutes(read.organization.settings, activities, days, self.clock.now())

    def incomplete(self, tenant: TenantContext, week_of: str) -> list[IncompleteWeek]:
        """GET /timesheets/incomplete (Administrators): members below the week's expected time."""
        tenant.require_reads_all()
        day = parse_day(week_of, "weekOf")
        return self.incomplete_members(tenant.org_id, week_monday(day), self.clock.now(), required=True)

    # --- shared with the reminders ------------------------------------------------------------
    def incomplete_members(self, org_id: str, monday: date, now: datetime, required: bool = False) -> list[IncompleteWeek]:
        """`required`: a request's organization, 404 once deleted (the reminders skip a deleted one)."""
        read = self.repository.organization_read(org_id)
        if read.organization is None:
            if required:
                raise NotFound("Organization not found")
            return []
        settings = read.organization.settings
        days = week_days(monday)
        if self.expected(settings, days) <= 0:
            return []
        lower, upper = _bounds(settings, days)
        by_user = _by_user(self.repository.organization_activities(org_id, lower, upper, read.running))
        incomplete = []
        for member in _by_name([member for member in read.members if not member.archived]):
            expected = self.expected(settings, expected_days(read.organization, member, days))
            if expected <= 0:  # the week lies before the organization or the member began
                continue
            spent = sum(_minutes(settings, by_user.get(member.id, []), days, now).values())
            if spent < expected:
                incomplete.append(IncompleteWeek(member=timesheet_member(member), completeness=0 if spent == 0 else 1, remaining=expected - spent))
        return incomplete

    @staticmethod
    def expected(settings: OrganizationSettings, days: list[date]) -> int:
        """Minutes of work expected on `days`: a workday on each working day that is no holiday."""
        off = rules.holiday_dates(settings.holidays, {day.year for day in days})
        return rules.expected_minutes(days, rules.workday_minutes(settings.core_hours), off)

    # --- helpers ------------------------------------------------------------------------------
    def _member(self, org_id: str, user_id: str) -> MemberRead:
        """The organization, the member and their running timer; 404 when either is gone."""
        read = self.repository.member_read(org_id, user_id)
        if read.member is None or read.organization is None:
            raise NotFound("User not found")
        return read

    def _scope(self, tenant: TenantContext, user_id: str) -> tuple[str, set[str] | None]:
        """(the member, the projects whose time the caller may count: None for all). Organization
        Administrators and the member themselves read everything; a project Administrator reads a
        member of their projects, counting only those projects' time; anyone else gets 404."""
        canonical = ids.canonical_id(user_id)
        if canonical is None:
            raise ValidationFailed.field("userId", "Expected a UUID", "query")
        if tenant.reads_all or canonical == tenant.user_id:
            return canonical, None
        projects = self.repository.projects_administered_for(tenant.org_id, tenant.user_id, canonical)
        if not projects:
            raise NotFound("User not found")
        return canonical, projects
