"""Tasks of a project out: the Clockify view of a task and the is-active filter (requests in: task_requests).

Assignees are people (their 24-hex person ids, tenant.Directory maps them to the workspace's
members); `estimate` is an ISO-8601 duration; rates are integer minor units. User groups do not
exist in Sandglass: `userGroupIds` goes out empty and is ignored in; `duration` (time tracked on the
task) goes out null.
"""

from typing import Callable, Optional

from sandglass import ids
from sandglass.dialects.clockify import wire
from sandglass.dialects.clockify.models import ClockifyModel, Rate
from sandglass.entities.catalog import Money
from sandglass.entities.catalog import Task as DomainTask


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


def _rate(money: Money | None) -> Rate | None:
    return None if money is None else Rate(amount=int(money.amount * 100), currency=money.currency)


def to_clockify(task: DomainTask, project_billable: bool, person: Callable[[str], str]) -> Task:
    """`person` maps a member id to the person's 24-hex id (tenant.Directory.person)."""
    assignees = [person(member_id) for member_id in task.assignee_ids]
    return Task(id=ids.short_id(task.id), name=task.name, projectId=ids.short_id(task.project_id), assigneeIds=assignees,
                assigneeId=assignees[0] if assignees else None, estimate=wire.duration(task.estimate) or "PT0S", status=task.status,
                billable=project_billable if task.billable is None else task.billable, hourlyRate=_rate(task.hourly_rate),
                costRate=_rate(task.cost_rate))


def active_filter(tasks: list[DomainTask], is_active: bool | None) -> list[DomainTask]:
    return tasks if is_active is None else [task for task in tasks if task.active == is_active]


