"""The MCP tools over weeks and months: my week, timesheet status, week locks."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import cache

from sandglass import timefmt
from sandglass.errors import ValidationFailed
from sandglass.mcp import models as m
from sandglass.mcp.tools.common import Call, entry, iso_week, now, project_list, resolve_member
from sandglass.mcp.tools.entries import activities, locks
from sandglass.models.activities import activity_view
from sandglass.models.timesheets import incomplete_view
from sandglass.models.timesheets_locks import locks_view, week_lock_view
from sandglass.services.activities import ActivityQuery
from sandglass.services.timesheets import TimesheetService


@cache
def timesheets():
    return TimesheetService(day_marks=locks().day_marks)



def my_week(call: Call, args: m.MyWeekInput) -> m.MyWeekOutput:
    year, week = iso_week(call, args.week)
    monday = date.fromisocalendar(year, week, 1)
    days = [monday + timedelta(days=n) for n in range(7)]
    totals = timesheets().day_totals(call.tenant, week_of=monday.isoformat())  # minutes per day
    reasons = locks().own_day_reasons(call.tenant, days)
    lower = datetime.combine(monday, datetime.min.time(), tzinfo=call.zone).astimezone(timezone.utc)
    upper = datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=call.zone).astimezone(timezone.utc)
    listed = activities().list(call.tenant, ActivityQuery(lower=lower, upper=upper, user_id=call.tenant.user_id, limit=200))
    names = {p["id"]: p["name"] for p in project_list(call, include_archived=True)}
    entries = [entry(call, activity_view(a), names.get(a.project_id)) for a in listed.activities.values()]
    expected = timesheets().expected(call.settings, days)
    total = sum(totals.values())
    approved: set[date] = set()
    for month_of in sorted({monday.replace(day=1), days[-1].replace(day=1)}):  # approvals come with the monthly timesheet
        sheet = timesheets().member_month(call.tenant, month_of.isoformat(), call.tenant.user_id)
        approved |= {month_of + timedelta(days=n) for n, flag in enumerate(sheet.approved_days) if flag == "1"}
    return m.MyWeekOutput(
        year=year, week=week, timeZone=str(call.zone),
        days=[m.Day(date=d.isoformat(), minutes=totals.get(d, 0), locked=reasons[d] is not None, lockReason=reasons[d]) for d in days],
        entries=entries, totalMinutes=total, expectedMinutes=expected, missingMinutes=max(expected - total, 0),
        locked=all(reasons[d] is not None for d in days), approved=all(d in approved for d in days))

def timesheet_status(call: Call, args: m.TimesheetStatusInput) -> m.TimesheetStatusOutput:
    today = now().astimezone(call.zone).date()
    try:
        month = date.fromisoformat(args.month) if args.month else today
    except ValueError:
        raise ValidationFailed("month is a date: yyyy-mm-dd") from None
    if call.tenant.reads_all:
        sheets = timesheets().organization_month(call.tenant, month.isoformat())
    else:
        sheets = [timesheets().member_month(call.tenant, month.isoformat(), call.tenant.user_id)]
    members = [m.MemberMonth(userId=s.member.id, name=s.member.name, email=s.member.email, minutes=s.spent,
                             workdayMinutes=s.workday, locked=s.locked, approved=s.approved) for s in sheets]
    incomplete = [incomplete_view(week) for week in timesheets().incomplete(call.tenant, today.isoformat())] if call.tenant.reads_all else None
    return m.TimesheetStatusOutput(month=month.strftime("%Y-%m"), members=members, incompleteThisWeek=incomplete, locks=locks_view(locks().locks(call.tenant)))


def lock_week(call: Call, args: m.WeekLockInput) -> m.WeekLockOutput:
    member = resolve_member(call, args.member)
    year, week = iso_week(call, args.week)
    lock = locks().lock_week(call.tenant, member["id"], year, week, None)
    return m.WeekLockOutput(lock=week_lock_view(lock), message=f"Week {year}-W{week:02d} of {member.get('name') or member['email']} is locked.")


def unlock_week(call: Call, args: m.UnlockWeekInput) -> m.WeekLockOutput:
    member = resolve_member(call, args.member)
    year, week = iso_week(call, args.week)
    until = now() + timedelta(hours=args.hours)
    lock = locks().lock_week(call.tenant, member["id"], year, week, until)
    return m.WeekLockOutput(lock=week_lock_view(lock), message=f"Week {year}-W{week:02d} of {member.get('name') or member['email']} is open for edits until {call.local(timefmt.iso(until))}.")
