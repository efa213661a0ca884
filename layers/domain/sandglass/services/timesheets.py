"""4me-style timesheet reads: monthly timesheets, day totals and incomplete weeks.

Expected time runs from the later of the organization's creation and the member's (invitation) to
their archiving. The organization-wide monthly list shows active members and archived members with
time in the month (`user.archived: true`).

Rights: organization Administrators read anyone and the organization-wide lists; a User reads
their own timesheet and day totals; a project Administrator also those of the members of the
projects they administer, counting only those projects' time (any other member's id answers 404,
as if absent).

Arithmetic lives in services/timesheet_rules.py (pure). Which days are locked and which approved
comes from a port, `day_marks(organization, user_ids, first, last) -> {user_id: (locked, approved)}`;
the default knows only the organization's auto-lock watermark (lockingTimesheets.year/week, when
locking is enabled) and approves nothing; the full lock model with approvals plugs in through the
constructor (services/locks.LockService.day_marks, one read).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sandglass import ids
from sandglass.calendar import parse_day
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.entities.organizations import Organization
from sandglass.errors import NotFound, ValidationFailed, detail
from sandglass.repositories.organizations import organization_from_item
from sandglass.repositories.timesheets import TimesheetRepository
from sandglass.schedule import iso_week, local_date, local_day_start, week_monday
from sandglass.services import timesheet_rules as rules
from sandglass.timefmt import iso, parse

# (organization, user ids, first day, last day) -> {user id: (locked days, approved days)}
DayMarks = Callable[[Organization, list[str], date, date], dict[str, tuple[set[date], set[date]]]]

MONTH_FIELDS = ("user", "workday", "sumTimeSpent", "workdays", "locked", "lockedDays", "approved", "approvedDays")
INCOMPLETE_FIELDS = ("id", "name", "email", "completeness", "remainingTime")
NUMBER = "number"  # the member's integer id (docs/ids.md): in a record only when a dialect asks (`numbered`)


def watermark_day_marks(organization: Organization, user_ids: list[str], first: date, last: date) -> dict[str, tuple[set[date], set[date]]]:
    """The default port: locked are the days whose ISO week is at or before the organization's
    auto-lock watermark; nothing is approved."""
    watermark = organization.settings.locked_through
    locked: set[date] = set()
    if watermark is not None:
        locked = {day for day in rules.days_between(first, last) if iso_week(day) <= watermark}
    return {user_id: (set(locked), set()) for user_id in user_ids}


def _fields(raw: str | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if raw is None or not raw.strip():
        return allowed
    wanted = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    unknown = [name for name in wanted if name not in allowed]
    if unknown:
        raise ValidationFailed.field("fields", f"Unknown field(s) {', '.join(unknown)}; choose from {', '.join(allowed)}", "query")
    return wanted


def _only(projects: set[str] | None, activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return activities if projects is None else [activity for activity in activities if activity.get("projectId") in projects]


def _select(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: record[name] for name in fields}


def month_days(any_day: date) -> list[date]:
    first = any_day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return rules.days_between(first, following - timedelta(days=1))


def week_days(any_day: date) -> list[date]:
    monday = week_monday(any_day)
    return rules.days_between(monday, monday + timedelta(days=6))


def _active(member: dict[str, Any]) -> bool:
    return not member.get("archived")


def _user_ref(member: dict[str, Any]) -> dict[str, Any]:
    ref = {"id": member["id"], "name": member.get("name") or member["email"], "email": member["email"]}
    if member.get("archived"):
        ref["archived"] = True
    return ref


def _number(member: dict[str, Any]) -> int | None:
    """The member's integer id (stored as a DynamoDB number), None before the backfill numbered them."""
    number = member.get(NUMBER)
    return int(number) if number is not None else None


def _local_day(instant: str | None, tz: str) -> date | None:
    if not instant:
        return None
    return local_date(parse(instant), tz)


def expected_days(organization: dict[str, Any], member: dict[str, Any], days: list[date]) -> list[date]:
    """The days of `days` on which time is expected of the member: from the later of the
    organization's creation and the member's (their invitation), to their archiving (that day
    included), in the organization's zone."""
    tz = organization.get("timeZone") or "UTC"
    starts = [day for day in (_local_day(organization.get("createdAt"), tz), _local_day(member.get("createdAt"), tz)) if day]
    first = max(starts) if starts else None
    last = _local_day(member.get("archivedAt"), tz) if member.get("archived") else None
    return [day for day in days if (first is None or day >= first) and (last is None or day <= last)]


class TimesheetService:
    def __init__(self, repository: TimesheetRepository | None = None, clock: Clock | None = None, day_marks: DayMarks | None = None):
        self.repository = repository or TimesheetRepository()
        self._clock = clock
        self.day_marks = day_marks or watermark_day_marks

    @property
    def clock(self) -> Clock:
        return self._clock or get_clock()

    # --- routes ----------------------------------------------------------------------------
    def timesheets(self, tenant: TenantContext, month_of: str, user_id: str | None = None, fields: str | None = None,
                   numbered: bool = False) -> dict[str, Any] | list[dict[str, Any]]:
        """GET /timesheets: one member's month, or (no userId, Administrators) every member's.
        `numbered`: each record also carries the member's integer id as `number` (the 4me dialect)."""
        day = parse_day(month_of, "monthOf")
        chosen = _fields(fields, MONTH_FIELDS) + ((NUMBER,) if numbered else ())
        days = month_days(day)
        now = self.clock.now()
        if user_id is not None:
            target, projects = self._scope(tenant, user_id)
            read = self.repository.member_read(tenant.org_id, target)
            if read.user is None or read.organization is None:
                raise NotFound("User not found")
            lower, upper = self._bounds(read.organization, days)
            activities = _only(projects, self.repository.member_activities(tenant.org_id, target, lower, upper, [read.running] if read.running else []))
            marks = self.day_marks(organization_from_item(read.organization), [target], days[0], days[-1]).get(target, (set(), set()))
            return _select(self._month_record(read.organization, read.user, activities, days, now, marks), chosen)
        tenant.require_reads_all()
        read = self.repository.organization_read(tenant.org_id)
        if read.organization is None:  # deleted since the authorizer let the caller in
            raise NotFound("Organization not found")
        lower, upper = self._bounds(read.organization, days)
        by_user = self._by_user(self.repository.organization_activities(tenant.org_id, lower, upper, read.running))
        # archived members are listed (marked archived) when they have time in the month
        members = sorted((m for m in read.members if _active(m) or m["id"] in by_user),
                         key=lambda m: ((m.get("name") or m["email"]).lower(), m["id"]))
        marks = self.day_marks(organization_from_item(read.organization), [m["id"] for m in members], days[0], days[-1])
        return [_select(self._month_record(read.organization, m, by_user.get(m["id"], []), days, now, marks.get(m["id"], (set(), set()))), chosen)
                for m in members]

    def day_totals(self, tenant: TenantContext, user_id: str | None = None, on: str | None = None, week_of: str | None = None, month_of: str | None = None) -> dict[str, int]:
        """GET /timesheets/dayTotals: minutes per local day of a date, a week or a month."""
        given = {name: raw for name, raw in (("date", on), ("weekOf", week_of), ("monthOf", month_of)) if raw is not None}
        if len(given) != 1:
            raise ValidationFailed("Give exactly one of date, weekOf or monthOf", details=[detail(name, "Give exactly one of date, weekOf or monthOf", "query") for name in (given or {"date": None})])
        (name, raw), = given.items()
        day = parse_day(raw, name)
        days = [day] if name == "date" else week_days(day) if name == "weekOf" else month_days(day)
        target, projects = self._scope(tenant, user_id) if user_id is not None else (tenant.user_id, None)
        read = self.repository.member_read(tenant.org_id, target)
        if read.user is None or read.organization is None:
            raise NotFound("User not found")
        lower, upper = self._bounds(read.organization, days)
        activities = _only(projects, self.repository.member_activities(tenant.org_id, target, lower, upper, [read.running] if read.running else []))
        minutes = self._minutes(read.organization, activities, days, self.clock.now())
        return {day.isoformat(): value for day, value in minutes.items()}

    def incomplete(self, tenant: TenantContext, week_of: str, fields: str | None = None, numbered: bool = False) -> list[dict[str, Any]]:
        """GET /timesheets/incomplete (Administrators): members below the week's expected time
        (`numbered`: with each member's integer id as `number`)."""
        tenant.require_reads_all()
        day = parse_day(week_of, "weekOf")
        chosen = _fields(fields, INCOMPLETE_FIELDS) + ((NUMBER,) if numbered else ())
        return [_select(record, chosen) for record in self.incomplete_members(tenant.org_id, week_monday(day), self.clock.now(), required=True)]

    # --- shared with the reminders ------------------------------------------------------------
    def incomplete_members(self, org_id: str, monday: date, now: datetime, required: bool = False) -> list[dict[str, Any]]:
        """`required`: a request's organization, 404 once deleted (the reminders skip a deleted one)."""
        read = self.repository.organization_read(org_id)
        if read.organization is None:
            if required:
                raise NotFound("Organization not found")
            return []
        days = week_days(monday)
        if self.expected(read.organization, days) <= 0:
            return []
        lower, upper = self._bounds(read.organization, days)
        by_user = self._by_user(self.repository.organization_activities(org_id, lower, upper, read.running))
        incomplete = []
        for member in sorted((m for m in read.members if _active(m)), key=lambda m: ((m.get("name") or m["email"]).lower(), m["id"])):
            expected = self.expected(read.organization, expected_days(read.organization, member, days))
            if expected <= 0:  # the week lies before the organization or the member began
                continue
            spent = sum(self._minutes(read.organization, by_user.get(member["id"], []), days, now).values())
            if spent < expected:
                incomplete.append({**_user_ref(member), "completeness": 0 if spent == 0 else 1, "remainingTime": expected - spent,
                                   NUMBER: _number(member)})
        return incomplete

    @staticmethod
    def expected(organization: dict[str, Any], days: list[date]) -> int:
        off = rules.holiday_dates(organization.get("holidays"), {day.year for day in days})
        return rules.expected_minutes(days, rules.workday_minutes(organization.get("coreHours")), off)

    # --- helpers ------------------------------------------------------------------------------
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

    @staticmethod
    def _bounds(organization: dict[str, Any] | None, days: list[date]) -> tuple[str, str]:
        """Start-instant range of activities that can touch `days`: from the first day's start
        minus the longest allowed activity, to the end of the last day."""
        organization = organization or {}
        tz = organization.get("timeZone") or "UTC"
        longest = int(organization.get("maxActivityHours") or 24)
        lower = local_day_start(days[0], tz) - timedelta(hours=longest)
        upper = local_day_start(days[-1] + timedelta(days=1), tz)
        return iso(lower), iso(upper)

    @staticmethod
    def _by_user(activities: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for activity in activities:
            grouped.setdefault(activity.get("userId"), []).append(activity)
        return grouped

    @staticmethod
    def _minutes(organization: dict[str, Any], activities: list[dict[str, Any]], days: list[date], now: datetime) -> dict[date, int]:
        return rules.day_minutes(activities, organization.get("timeZone") or "UTC", days, now, organization.get("rounding"))

    def _month_record(self, organization: dict[str, Any], member: dict[str, Any], activities: list[dict[str, Any]], days: list[date], now: datetime,
                      marks: tuple[set[date], set[date]]) -> dict[str, Any]:
        locked, approved = marks
        spent = sum(self._minutes(organization, activities, days, now).values())
        workday = rules.workday_minutes(organization.get("coreHours"))
        lock_string = rules.locked_days_string(days, locked)
        return {
            "user": _user_ref(member),
            "workday": workday,
            "sumTimeSpent": spent,
            "workdays": round(spent / workday, 2) if workday else 0.0,
            "locked": "0" not in lock_string,
            "lockedDays": lock_string,
            "approved": all(day in approved for day in days),
            "approvedDays": rules.locked_days_string(days, approved),
            NUMBER: _number(member),
        }
