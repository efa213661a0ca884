"""Timesheet reads (4me style, camelCase): what GET /timesheets, /timesheets/dayTotals and
/timesheets/incomplete answer. Response documentation: the service builds these records as dicts
(`?fields=` keeps only the fields it names, so no field of a record is required)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


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
