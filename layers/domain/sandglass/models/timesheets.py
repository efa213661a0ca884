"""Timesheet reads (4me style, camelCase): what GET /timesheets, /timesheets/dayTotals and
/timesheets/incomplete answer, and the Sandtime mapping of the timesheet results
(entities/timesheets.py). The models document the responses; the views build the records as dicts
(`?fields=` keeps only the fields it names, in the order it names them, so no field of a record is
required)."""

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sandglass.entities.timesheets import IncompleteWeek, MonthTimesheet, TimesheetMember
from sandglass.errors import ValidationFailed

MONTH_FIELDS = ("user", "workday", "sumTimeSpent", "workdays", "locked", "lockedDays", "approved", "approvedDays")
INCOMPLETE_FIELDS = ("id", "name", "email", "completeness", "remainingTime")


def _fields_may_be_left_out(schema: dict) -> None:
    schema.pop("required", None)



class TimesheetUser(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    name: str = Field(description="The member's name, else their email")
    email: str


class Timesheet(BaseModel):
    """A member's month."""

    model_config = ConfigDict(defer_build=True, json_schema_extra=_fields_may_be_left_out)

    user: TimesheetUser
    workday: int = Field(description="Minutes of a workday (the organization's core hours)")
    sumTimeSpent: int = Field(description="Minutes recorded in the month (local days, rounding applied)")
    workdays: float = Field(description="sumTimeSpent in workdays, 2 decimals")
    locked: bool = Field(description="Every day of the month is locked")
    lockedDays: str = Field(json_schema_extra={"pattern": "^[01]*$"}, description="One 0/1 per day of the month: 1 locked")
    approved: bool = Field(description="Every day of the month is in an approved week")
    approvedDays: str = Field(json_schema_extra={"pattern": "^[01]*$"}, description="One 0/1 per day of the month: 1 approved")


class IncompleteTimesheet(BaseModel):
    """A member below the week's expected time."""

    model_config = ConfigDict(defer_build=True, json_schema_extra=_fields_may_be_left_out)

    id: str
    name: str
    email: str
    completeness: int = Field(ge=0, le=1, description="0: nothing recorded, 1: some time recorded")
    remainingTime: int = Field(description="Minutes still missing to the week's expected time")


# {"yyyy-mm-dd": minutes}: every local day of the date, week or month asked for
DAY_TOTALS_SCHEMA = {"type": "object", "propertyNames": {"format": "date"}, "additionalProperties": {"type": "integer"},
                     "description": "Minutes recorded per local day (yyyy-mm-dd)"}


# --- the Sandtime mapping of the timesheet results ------------------------------------------------

def chosen_fields(raw: str | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """`?fields=a,b`: those fields in the order named (each once); none: all of `allowed`; an unknown
    one is 422 naming it."""
    if raw is None or not raw.strip():
        return allowed
    wanted = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    unknown = [name for name in wanted if name not in allowed]
    if unknown:
        raise ValidationFailed.field("fields", f"Unknown field(s) {', '.join(unknown)}; choose from {', '.join(allowed)}", "query")
    return wanted


def user_view(member: TimesheetMember) -> dict[str, Any]:
    """`user` of a month (and the head of an incomplete record): `archived` only when true."""
    view: dict[str, Any] = {"id": member.id, "name": member.name, "email": member.email}
    if member.archived:
        view["archived"] = True
    return view


def timesheet_view(sheet: MonthTimesheet, fields: tuple[str, ...] = MONTH_FIELDS) -> dict[str, Any]:
    full = {"user": user_view(sheet.member), "workday": sheet.workday, "sumTimeSpent": sheet.spent, "workdays": sheet.workdays,
            "locked": sheet.locked, "lockedDays": sheet.locked_days, "approved": sheet.approved, "approvedDays": sheet.approved_days}
    return {name: full[name] for name in fields}


def incomplete_view(week: IncompleteWeek, fields: tuple[str, ...] = INCOMPLETE_FIELDS) -> dict[str, Any]:
    full = {**user_view(week.member), "completeness": week.completeness, "remainingTime": week.remaining}
    return {name: full[name] for name in fields}


def day_totals_view(minutes: dict[date, int]) -> dict[str, int]:
    """{"yyyy-mm-dd": minutes} (DAY_TOTALS_SCHEMA)."""
    return {day.isoformat(): value for day, value in minutes.items()}
