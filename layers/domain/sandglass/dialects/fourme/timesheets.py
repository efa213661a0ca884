"""4me timesheets on the wire: entity -> snake_case dict, `?fields=`, day totals as strings."""

from __future__ import annotations

from datetime import date
from typing import Any

from sandglass.dialects.fourme.ids import WireId
from sandglass.entities.timesheets import IncompleteWeek
from sandglass.errors import ValidationFailed
from sandglass.services.group_timesheets import GroupTimesheet

TIMESHEET_FIELDS = ("person", "workday", "sum_time_spent", "workdays", "locked", "locked_days")
INCOMPLETE_FIELDS = ("id", "name", "primary_email", "completeness", "remaining_time")


def chosen_fields(fields: str | None, available: tuple[str, ...]) -> tuple[str, ...]:
    """`?fields=a,b`: those fields, in the reference's order; an unknown one is 400 naming it."""
    if fields is None:
        return available
    wanted = [name.strip() for name in fields.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in available]
    if unknown:
        raise ValidationFailed.field("fields", f"Unknown field(s): {', '.join(unknown)}; available: {', '.join(available)}", "query")
    return tuple(name for name in available if name in wanted)


def timesheet(sheet: GroupTimesheet, fields: tuple[str, ...], person_id: WireId) -> dict[str, Any]:
    """`person_id`: the person's id as the wire shows it (dialects.fourme.ids)."""
    full = {"person": {"id": person_id, "name": sheet.member.name}, "workday": sheet.workday, "sum_time_spent": sheet.sum_time_spent,
            "workdays": sheet.workdays, "locked": sheet.locked, "locked_days": sheet.locked_days}
    return {name: full[name] for name in fields}


def incomplete(record: IncompleteWeek, fields: tuple[str, ...], person_id: WireId) -> dict[str, Any]:
    full = {"id": person_id, "name": record.member.name, "primary_email": record.member.email, "completeness": record.completeness,
            "remaining_time": record.remaining}
    return {name: full[name] for name in fields}


def day_totals(minutes: dict[date, int]) -> dict[str, str]:
    """{"yyyy-mm-dd": minutes}: 4me answers each day's minutes as a string."""
    return {day.isoformat(): str(value) for day, value in minutes.items()}
