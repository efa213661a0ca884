"""Time entries = the domain's activities (Sandtime `name` is Clockify's `description`).

`taskId`/`tagIds` are the activity's task and tags (24-hex ids; `task`/`tags` objects when
hydrated), `type` its type (REGULAR or BREAK, another value is 400). An entry may have no project
(`projectId` null). Custom fields are not kept.
"""

from typing import Any, Optional

from pydantic import Field

from sandglass import ids
from sandglass.dialects.clockify import wire
from sandglass.dialects.clockify.models import ClockifyModel, Rate, parsed
from sandglass.dialects.clockify.tags import ClockifyTag
from sandglass.dialects.clockify.tasks import ClockifyTask
from sandglass.dialects.clockify.wire import Instant, LenientBool, OptionalShortId, ShortIdList
from sandglass.entities.activities import REGULAR, Activity, RateRef, RateSnapshot
from sandglass.entities.projects import Project
from sandglass.models.activities import EntryCreate, EntryUpdate

MAX_DESCRIPTION = 3000
# fields only a hydrated answer carries
HYDRATED_ONLY = {"project", "task", "tags"}


class TimeInterval(ClockifyModel):
    start: str
    end: Optional[str] = None
    duration: Optional[str] = None


class HydratedProject(ClockifyModel):
    id: str
    name: str
    clientId: str = ""
    clientName: str = ""
    color: str = "#03A9F4"
    billable: bool = False
    archived: bool = False
    workspaceId: str


class TimeEntry(ClockifyModel):
    id: str
    description: str
    tagIds: list[str] = []
    userId: str
    billable: bool
    taskId: Optional[str] = None
    projectId: Optional[str] = None
    workspaceId: str
    timeInterval: TimeInterval
    customFieldValues: list[dict] = []
    type: str = "REGULAR"
    kioskId: Optional[str] = None
    hourlyRate: Optional[Rate] = None
    costRate: Optional[Rate] = None
    isLocked: bool = False
    # hydrated=true only
    project: Optional[HydratedProject] = None
    task: Optional[ClockifyTask] = None
    tags: Optional[list[ClockifyTag]] = None


class TimeEntryRequest(ClockifyModel):
    """POST (no `end`: a running timer) and PUT (full replacement, `start` required) bodies."""

    start: Optional[Instant] = None
    end: Optional[Instant] = None
    description: Optional[str] = Field(None, max_length=MAX_DESCRIPTION)
    projectId: OptionalShortId = None
    taskId: OptionalShortId = None
    tagIds: Optional[ShortIdList] = None
    billable: LenientBool = None
    type: Optional[str] = Field(None, description="REGULAR (default) or BREAK; absent on a PUT: unchanged")


class StopRequest(ClockifyModel):
    end: Instant


def _rate(ref: RateRef | None) -> Rate | None:
    return None if ref is None else Rate(amount=int(round(float(ref.value) * 100)), currency=ref.currency)


def to_clockify(activity: Activity, workspace_id: str, user_short_id: str, *, rates: RateSnapshot | None = None,
                project: Project | None = None, task: ClockifyTask | None = None, tags: list[ClockifyTag] | None = None,
                client_name: str = "") -> TimeEntry:
    """An activity as a Clockify TimeEntry; `rates` (the snapshot it kept at its start, shown by a
    read of one entry) adds `hourlyRate` / `costRate`; `project` embeds its project with `task` and
    `tags` (hydrated), `client_name` being the project's client's."""
    started, ended = activity.started_at, activity.ended_at
    interval = TimeInterval(start=wire.instant(started), end=wire.instant(ended), duration=wire.duration(ended - started) if ended else None)
    project_short = ids.short_id(activity.project_id) if activity.project_id else None
    entry = TimeEntry(id=ids.short_id(activity.id), description=activity.name or "", userId=user_short_id, billable=activity.billable,
                      projectId=project_short, workspaceId=workspace_id, timeInterval=interval, isLocked=activity.locked,
                      taskId=ids.short_id(activity.task_id) if activity.task_id else None,
                      tagIds=[ids.short_id(tag) for tag in activity.tag_ids], type=activity.type or REGULAR)
    if rates is not None:
        entry.hourlyRate, entry.costRate = _rate(rates.revenue), _rate(rates.cost)
    if project is not None:
        entry.project = HydratedProject(id=project_short or "", name=project.name or "", billable=project.billable, archived=project.archived,
                                        workspaceId=workspace_id, clientId=ids.short_id(project.client_id) if project.client_id else "",
                                        clientName=client_name)
        entry.task, entry.tags = task, list(tags or [])
    return entry


def _fields(body: TimeEntryRequest, project_id: str | None, task_id: str | None, tag_ids: list[str]) -> dict[str, Any]:
    """The activity fields (the service's request names) a Clockify body sets: all of them (a PUT
    replaces the whole entry, so no task and no tags clear them)."""
    fields: dict[str, Any] = {"name": body.description or "", "projectId": project_id, "taskId": task_id, "tagIds": tag_ids}
    if body.start is not None:
        fields["startedAt"] = body.start
    if body.billable is not None:
        fields["billable"] = body.billable
    if body.type is not None:
        fields["type"] = body.type
    if body.end is not None:
        fields["endedAt"] = body.end
    return fields


def create_request(body: TimeEntryRequest, project_id: str | None, task_id: str | None = None, tag_ids: list[str] | None = None,
                   user_id: str | None = None) -> EntryCreate:
    """A POST body as the activity service's create request (no `end`: a running timer; `user_id`:
    for that member). The request model's refusal is Clockify's 400 naming the field."""
    fields = _fields(body, project_id, task_id, tag_ids or [])
    if body.end is None:
        fields["pending"] = True
    if user_id is not None:
        fields["userId"] = user_id
    return parsed(EntryCreate, fields)


def update_request(body: TimeEntryRequest, project_id: str | None, task_id: str | None = None, tag_ids: list[str] | None = None) -> EntryUpdate:
    """A PUT body (a full replacement) as the activity service's update request."""
    return parsed(EntryUpdate, _fields(body, project_id, task_id, tag_ids or []))


def stop_request(body: StopRequest) -> EntryUpdate:
    """Stopping the running timer at `end`."""
    return parsed(EntryUpdate, {"endedAt": body.end})
