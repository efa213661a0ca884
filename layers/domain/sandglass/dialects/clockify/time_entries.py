"""Time entries = the domain's activities (Sandtime `name` is Clockify's `description`).

`taskId`/`tagIds` are the activity's task and tags (24-hex ids; `task`/`tags` objects when
hydrated), `type` its type (REGULAR or BREAK, another value is 400). An entry may have no project
(`projectId` null). Custom fields are not kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Optional

from pydantic import Field

from sandglass import ids, timefmt
from sandglass.dialects.clockify import wire
from sandglass.dialects.clockify.models import ClockifyModel, Rate
from sandglass.dialects.clockify.tags import ClockifyTag
from sandglass.dialects.clockify.tasks import ClockifyTask
from sandglass.dialects.clockify.wire import Instant, LenientBool, OptionalShortId, ShortIdList
from sandglass.entities.activities import RateRef, RateSnapshot

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
    if ref is None:
        return None
    return Rate(amount=int(round(float(ref.value) * 100)), currency=ref.currency)


def to_clockify(activity: dict[str, Any], workspace_id: str, user_short_id: str, *, now: datetime,
                project: dict[str, Any] | None = None, rates: RateSnapshot | None = None,
                task: ClockifyTask | None = None, tags: list[ClockifyTag] | None = None, client_name: str = "") -> TimeEntry:
    """An activity (the domain's view: startedAt, endedAt, name, projectId, taskId, tagIds, billable,
    locked) as a Clockify TimeEntry; `project` (the domain's project view) embeds it with `task` and
    `tags` (hydrated); `rates` (the activity's rate snapshot) adds the rates kept at its start."""
    started = timefmt.parse(activity["startedAt"])
    ended = timefmt.parse(activity["endedAt"]) if activity.get("endedAt") else None
    interval = TimeInterval(start=wire.instant(started), end=wire.instant(ended), duration=wire.duration(ended - started) if ended else None)
    project_short = ids.short_id(activity["projectId"]) if activity.get("projectId") else None
    entry = TimeEntry(id=ids.short_id(activity["id"]), description=activity.get("name") or "", userId=user_short_id,
                      billable=bool(activity.get("billable")), projectId=project_short, workspaceId=workspace_id, timeInterval=interval,
                      isLocked=bool(activity.get("locked")), taskId=ids.short_id(activity["taskId"]) if activity.get("taskId") else None,
                      tagIds=[ids.short_id(tag) for tag in activity.get("tagIds") or ()], type=activity.get("type") or "REGULAR")
    if rates is not None:
        entry.hourlyRate = _rate(rates.revenue)
        entry.costRate = _rate(rates.cost)
    if project is not None:
        entry.project = HydratedProject(id=project_short or "", name=project.get("name") or "", billable=bool(project.get("billable")),
                                        archived=bool(project.get("archived")), workspaceId=workspace_id,
                                        clientId=ids.short_id(project["clientId"]) if project.get("clientId") else "", clientName=client_name)
        entry.task, entry.tags = task, list(tags or [])
    return entry


def activity_fields(body: TimeEntryRequest, project_id: str | None, task_id: str | None = None,
                    tag_ids: list[str] | None = None) -> dict[str, Any]:
    """The domain's activity fields (Sandtime names) a Clockify body sets: all of them (a PUT
    replaces the whole entry, so no task and no tags clear them). No `end`: running."""
    fields: dict[str, Any] = {"name": body.description or "", "projectId": project_id, "taskId": task_id, "tagIds": tag_ids or []}
    if body.start is not None:
        fields["startedAt"] = body.start
    if body.billable is not None:
        fields["billable"] = body.billable
    if body.type is not None:
        fields["type"] = body.type
    if body.end is not None:
        fields["endedAt"] = body.end
    else:
        fields["pending"] = True
    return fields


def running_time(activity: dict[str, Any], now: datetime) -> timedelta:
    return now - timefmt.parse(activity["startedAt"])
