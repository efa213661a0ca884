"""Activity (time entry) bodies and responses, in the Sandtime reference's shapes.

Input instants accept any ISO-8601 offset (or `Z`) and are normalised to UTC with millisecond
precision; output is always `2026-07-03T08:30:00.000Z`.
"""

from typing import Annotated, Any, ClassVar, Literal, Optional

from pydantic import BaseModel, Field, StrictBool, model_serializer

from sandglass import timefmt
from sandglass.entities.activities import REGULAR
from sandglass.entities.activities import Activity as EntityActivity
from sandglass.models import ApiModel
from sandglass.models.common import EntityId, Instant, Omittable, Text
from sandglass.models.common import Name as SingleLine
from sandglass.models.formats import InstantOut

MAX_NAME = 3000
MAX_NOTES = 10_000  # characters of an activity's notes
MAX_TAGS = 30  # each is a ConditionCheck in the activity's transaction (at most 100 actions)


parse_instant = timefmt.parse_instant  # kept for callers inside the activities package
Name = Annotated[SingleLine, Field(max_length=MAX_NAME)]
Notes = Annotated[Text, Field(max_length=MAX_NOTES, description="Free text about what was worked on (several lines)")]
TagIds = Annotated[list[EntityId], Field(max_length=MAX_TAGS, description="Tags of the organization that are not archived")]
ActivityType = Literal["REGULAR", "BREAK"]
TYPE_DESCRIPTION = "REGULAR (the default) or BREAK: a break is never billable, has no revenue or cost and is not worked time"


class ActivityCreate(ApiModel):
    """POST /activities. `pending: true` without `endedAt` starts a running timer (startedAt defaults to now)."""

    name: Name = ""
    projectId: EntityId
    userId: Optional[EntityId] = Field(None, description="Organization Administrators only: record for another member")
    billable: Optional[StrictBool] = Field(None, description="Defaults to the project's billable flag")
    startedAt: Optional[Instant] = None
    endedAt: Optional[Instant] = None
    pending: Optional[StrictBool] = None
    locked: Optional[StrictBool] = Field(None, description="Organization Administrators only")
    taskId: Optional[EntityId] = Field(None, description="An ACTIVE task of the activity's project")
    tagIds: Optional[TagIds] = None
    type: Optional[ActivityType] = Field(None, description=TYPE_DESCRIPTION)
    notes: Notes = ""


class EntryCreate(ActivityCreate):
    """The domain's create request from a surface whose entries may have no project (Clockify's
    time entries): as ActivityCreate, with `projectId` optional. The Sandtime surface keeps
    requiring one (ActivityCreate)."""

    projectId: Optional[EntityId] = None


# Fields of a PUT that may not be sent as null (the service answers 422 naming the field).
NOT_NULL = ("name", "projectId", "userId", "billable", "startedAt", "endedAt", "locked", "pending", "type", "notes")


class ActivityUpdate(ApiModel):
    """PUT /activities/{id}: any subset. `endedAt` (or `pending: false`, stopping at now) stops a running timer;
    on a running timer `pending: true` and `endedAt: null` restate its state (no-ops)."""

    name: Omittable[Name] = None
    projectId: Omittable[EntityId] = None
    userId: Omittable[EntityId] = None
    billable: Omittable[StrictBool] = None
    startedAt: Omittable[Instant] = None
    endedAt: Omittable[Instant] = None
    pending: Omittable[StrictBool] = None
    locked: Omittable[StrictBool] = None
    taskId: Optional[EntityId] = Field(None, description="null removes the task")
    tagIds: Optional[TagIds] = Field(None, description="The whole set; null or [] removes every tag")
    type: Omittable[ActivityType] = Field(None, description=TYPE_DESCRIPTION)
    notes: Omittable[Notes] = None

    # fields of NOT_NULL this request may set to null (EntryUpdate: projectId)
    NULLABLE: ClassVar[frozenset[str]] = frozenset()


class EntryUpdate(ActivityUpdate):
    """The domain's update from a surface whose entries may have no project (Clockify's full
    replacement): `projectId: null` removes the project."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"projectId"})


class Activity(BaseModel, defer_build=True):
    """An activity as the API returns it. `pending` appears only while running, `locked`, `taskId`,
    `tagIds` and `notes` only when set, `type` only when BREAK (absent: REGULAR). `projectId` is null
    for an activity written without a project on the Clockify surface."""

    id: str
    name: str
    projectId: Optional[str]
    userId: str
    billable: bool
    startedAt: InstantOut
    endedAt: Optional[InstantOut] = None
    pending: Optional[bool] = None
    locked: Optional[bool] = None
    taskId: Optional[str] = None
    tagIds: Optional[list[str]] = None
    type: Optional[ActivityType] = None
    notes: Optional[str] = None

    @model_serializer(mode="wrap")
    def _drop_absent_flags(self, handler):
        data = handler(self)
        if data.get("type") == REGULAR:
            data.pop("type")
        for flag in ("pending", "locked", "taskId", "tagIds", "type", "notes"):
            if not data.get(flag):
                data.pop(flag, None)
        return data


def activity_view(activity: EntityActivity) -> dict[str, Any]:
    """The entity -> the Sandtime shape (a plain dict of the `Activity` response model, so absent
    flags stay absent): the one mapping of an activity to this dialect."""
    view: dict[str, Any] = {
        "billable": activity.billable,
        "endedAt": timefmt.iso(activity.ended_at) if activity.ended_at else None,
        "id": activity.id,
        "name": activity.name,
        "projectId": activity.project_id,
        "startedAt": timefmt.iso(activity.started_at),
        "userId": activity.user_id,
    }
    if activity.running:
        view["pending"] = True
    if activity.locked:
        view["locked"] = True
    if activity.task_id:
        view["taskId"] = activity.task_id
    if activity.tag_ids:
        view["tagIds"] = list(activity.tag_ids)
    if activity.type != REGULAR:
        view["type"] = activity.type
    if activity.notes:
        view["notes"] = activity.notes
    return view
