"""Sonderplan time entries <-> the domain's activities (entities.activities.Activity).

The one mapping of this dialect, both ways:
- `create_fields`: a POST body -> the fields of the domain's create request (Sandtime names, the
  activity service's own request model) and the booking references; the integer ids are resolved
  here (ids: integer_ids.IntegerIds);
- `to_sonderplan`: an activity entity -> the entry the reads answer.

Times: `start` (Unix seconds) wins over `start_date_time_iso`, `end` over `end_date_time_iso`
(the reference marks `start` required and the ISO fields as its formatted result, and its own
example sends both pairs with different instants). Neither end: a running timer.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from msgspec import Struct

from sandglass import timefmt
from sandglass.context import TenantContext
from sandglass.entities.activities import Activity
from sandglass.errors import ValidationFailed, detail
from sandglass.dialects.sonderplan.integer_ids import PERSON, PROJECT, IntegerIds
from sandglass.dialects.sonderplan.models import TimeEntry, TimeEntryCreate

ONE_PROJECT = "A Sandglass time entry belongs to exactly one project: send project as [{\"id\": <project id>}]"
MORE_PROJECTS = ("A Sandglass time entry belongs to exactly one project, and {count} were sent: send one entry per project "
                 "(split the time between them)")
# the domain's field names a refusal may carry, in Sonderplan's words
FIELD_NAMES = {"startedAt": "start", "endedAt": "end", "projectId": "project", "userId": "owner_id", "notes": "description",
               "name": "name", "billable": "billable", "locked": "locked", "pending": "end", "from": "start", "to": "end"}


def bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[detail(field, message)])


def instant(unix: int | None, text: str | None, field: str) -> datetime | None:
    """`unix` (seconds) if sent, else the ISO text (its field named in the refusal), else None."""
    if unix is not None:
        return datetime.fromtimestamp(unix, timezone.utc)
    if text is None:
        return None
    try:
        return timefmt.parse_instant(text)
    except ValueError as error:
        raise bad(field, f"{field}: {error}") from None


class CreateFields(Struct, frozen=True):
    fields: dict[str, Any]  # the domain's ActivityCreate fields
    booking_ids: tuple[int, ...]


def project_number(body: TimeEntryCreate) -> int:
    projects = body.project or []
    if not projects:
        raise bad("project", ONE_PROJECT)
    if len(projects) > 1:
        raise bad("project", MORE_PROJECTS.format(count=len(projects)))
    return projects[0].id


def create_fields(tenant: TenantContext, body: TimeEntryCreate, integer_ids: IntegerIds) -> CreateFields:
    """The body as the domain's create request. 400 (naming the field) for: no or several projects,
    no start, an unknown owner or project. Who may record for whom, locks, times and the project's
    rules stay the activity service's."""
    number = project_number(body)
    started = instant(body.start, body.start_date_time_iso, "start_date_time_iso")
    if started is None:
        raise bad("start", "start is required (Unix seconds), or start_date_time_iso")
    ended = instant(body.end, body.end_date_time_iso, "end_date_time_iso")
    owner = integer_ids.entity_id(tenant, PERSON, body.owner_id)
    if owner is None:
        raise bad("owner_id", f"owner_id: no person {body.owner_id} in the organization")
    project = integer_ids.entity_id(tenant, PROJECT, number)
    if project is None:
        raise bad("project", f"project: no project {number} in the organization")
    fields: dict[str, Any] = {"name": body.name, "projectId": project, "startedAt": started, "notes": body.description or ""}
    if ended is None:
        fields["pending"] = True
    else:
        fields["endedAt"] = ended
    if owner != tenant.user_id:
        fields["userId"] = owner
    if body.billable is not None:
        fields["billable"] = body.billable
    if body.locked:  # "false" on a new entry is the default: not a lock request (which only Administrators may make)
        fields["locked"] = True
    return CreateFields(fields, tuple(dict.fromkeys(booking.id for booking in body.booking or ())))


def _unix(value: datetime) -> int:
    return int(value.timestamp())


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def to_sonderplan(tenant: TenantContext, activity: Activity, integer_ids: IntegerIds) -> TimeEntry:
    ended = activity.ended_at
    return TimeEntry(
        id=activity.number, owner_id=integer_ids.number(tenant, PERSON, activity.user_id),
        name=activity.name, description=activity.notes, start=_unix(activity.started_at), end=_unix(ended) if ended else None,
        start_date_time_iso=_iso(activity.started_at), end_date_time_iso=_iso(ended) if ended else None,
        project=[{"id": integer_ids.number(tenant, PROJECT, activity.project_id)}], booking=[{"id": booking} for booking in activity.booking_ids],
        billable=activity.billable, locked=activity.locked,
    )


def list_window(start: int | None, end: int | None) -> dict[str, datetime | None]:
    """A list's [start, end) in Unix seconds -> the domain query's bounds."""
    return {"lower": instant(start, None, "start"), "upper": instant(end, None, "end")}
