"""What timesheet reads answer: a member's month, a member's incomplete week (day totals are a
plain ``dict[date, int]`` of minutes per local day). Computed by services/timesheets.py; each
dialect maps them to its wire (Sandtime: models/timesheets.py, 4me: dialects/fourme/timesheets.py)."""

from __future__ import annotations

from msgspec import Struct


class TimesheetMember(Struct, frozen=True, kw_only=True):
    """Whose timesheet: the member as timesheets name them."""

    id: str
    name: str  # the member's name, else their email
    email: str
    archived: bool = False  # listed in an organization-wide month only with time in it
    number: int | None = None  # the integer id (None until assigned)


class MonthTimesheet(Struct, frozen=True, kw_only=True):
    """A member's month: worked time against the workday, and which days are locked and approved."""

    member: TimesheetMember
    workday: int  # minutes of a workday (the organization's core hours)
    spent: int  # minutes recorded in the month (local days, rounding applied)
    workdays: float  # `spent` in workdays, 2 decimals
    locked: bool  # every day of the month is locked
    locked_days: str  # one 0/1 per day of the month: 1 locked
    approved: bool  # every day of the month is approved
    approved_days: str  # one 0/1 per day of the month: 1 approved


class IncompleteWeek(Struct, frozen=True, kw_only=True):
    """A member below the week's expected time."""

    member: TimesheetMember
    completeness: int  # 0: nothing recorded, 1: some time recorded
    remaining: int  # minutes still missing to the week's expected time
