"""Tasks of a project: list (name, strict-name-search, is-active, sorting), get, create, update, delete.

Assignees are people (their 24-hex person ids, tenant.Directory maps them to the workspace's
members); `estimate` is an ISO-8601 duration; rates are integer minor units. User groups do not
exist in Sandglass: `userGroupIds` goes out empty and is ignored in; `duration` (time tracked on the
task) goes out null.
"""

from typing import Any, Callable, Optional

from pydantic import Field

from sandglass import ids
from sandglass.dialects.clockify import wire
from sandglass.dialects.clockify.models import ClockifyModel, Rate, parsed
from sandglass.dialects.clockify.wire import LenientBool, ShortIdList
from sandglass.entities.catalog import ACTIVE, DONE, Money
from sandglass.entities.catalog import Task as DomainTask
from sandglass.errors import BadRequest
from sandglass.models.catalog import TaskCreate, TaskUpdate


class ClockifyTask(ClockifyModel):
    """Named apart from the Sandtime `Task` (one OpenAPI component name per model)."""

    id: str
    name: str
    projectId: str
    assigneeIds: list[str] = []
    assigneeId: Optional[str] = None
    userGroupIds: list[str] = []
    estimate: str = "PT0S"
    status: str
    duration: Optional[str] = None
    billable: bool
    hourlyRate: Optional[Rate] = None
    costRate: Optional[Rate] = None
    budgetEstimate: int = 0


Task = ClockifyTask

class TaskRequest(ClockifyModel):
    """POST `{name, status, assigneeIds, assigneeId (deprecated), userGroupIds, estimate, budgetEstimate}`;
    PUT adds `billable`. A field left out stays as it is on PUT."""

    name: Optional[str] = Field(None, max_length=1000)
    status: Optional[str] = None
    assigneeIds: Optional[ShortIdList] = None
    assigneeId: Optional[str] = None
    estimate: Optional[str] = None
    billable: LenientBool = None


def _rate(money: Money | None) -> Rate | None:
    return None if money is None else Rate(amount=int(money.amount * 100), currency=money.currency)


def to_clockify(task: DomainTask, project_billable: bool, person: Callable[[str], str]) -> Task:
    """`person` maps a member id to the person's 24-hex id (tenant.Directory.person)."""
    assignees = [person(member_id) for member_id in task.assignee_ids]
    return Task(id=ids.short_id(task.id), name=task.name, projectId=ids.short_id(task.project_id), assigneeIds=assignees,
                assigneeId=assignees[0] if assignees else None, estimate=wire.duration(task.estimate) or "PT0S", status=task.status,
                billable=project_billable if task.billable is None else task.billable, hourlyRate=_rate(task.hourly_rate),
                costRate=_rate(task.cost_rate))


def _fields(body: TaskRequest, member: Callable[[str], str]) -> dict[str, Any]:
    """The fields the body sets. `member` maps a person's 24-hex id to the member id
    (tenant.Directory.member). Status `ALL` (accepted by Clockify on create) reads as ACTIVE."""
    fields: dict[str, Any] = {}
    if body.name is not None:
        fields["name"] = body.name
    if body.status is not None:
        status = body.status.strip().upper()
        if status not in (ACTIVE, DONE, "ALL"):
            raise BadRequest("status must be ACTIVE or DONE")
        fields["status"] = ACTIVE if status == "ALL" else status
    people = body.assigneeIds if body.assigneeIds is not None else ([body.assigneeId] if body.assigneeId else None)
    if people is not None:
        fields["assigneeIds"] = [member(person) for person in people]
    if body.estimate is not None:
        try:
            estimate = wire.parse_duration(body.estimate) if body.estimate.strip() else None
        except ValueError as error:
            raise BadRequest(f"estimate: {error}") from None
        fields["estimate"] = None if estimate is None else int(estimate.total_seconds() * 1000)
    if body.billable is not None:
        fields["billable"] = body.billable
    return fields


def create_request(body: TaskRequest, member: Callable[[str], str]) -> TaskCreate:
    """A POST body as the catalog's create request (which validates it: models.catalog)."""
    return parsed(TaskCreate, _fields(body, member))


def update_request(body: TaskRequest, member: Callable[[str], str]) -> TaskUpdate:
    """A PUT body as the catalog's update request (the fields it sends)."""
    return parsed(TaskUpdate, _fields(body, member))


def active_filter(tasks: list[DomainTask], is_active: bool | None) -> list[DomainTask]:
    return tasks if is_active is None else [task for task in tasks if task.active == is_active]


