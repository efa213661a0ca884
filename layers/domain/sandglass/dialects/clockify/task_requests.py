"""Task requests in: a Clockify task body (POST, PUT) as the catalog's create or update request.

Assignees come as people (24-hex person ids) and are mapped to members; `estimate` is an ISO-8601
duration; `userGroupIds` is ignored.
"""

from typing import Any, Callable, Optional

from pydantic import Field

from sandglass.dialects.clockify import wire
from sandglass.dialects.clockify.models import ClockifyModel, parsed
from sandglass.dialects.clockify.wire import LenientBool, ShortIdList
from sandglass.entities.catalog import ACTIVE, DONE
from sandglass.errors import BadRequest
from sandglass.models.catalog import TaskCreate, TaskUpdate


class TaskRequest(ClockifyModel):
    """POST `{name, status, assigneeIds, assigneeId (deprecated), userGroupIds, estimate, budgetEstimate}`;
    PUT adds `billable`. A field left out stays as it is on PUT."""

    name: Optional[str] = Field(None, max_length=1000)
    status: Optional[str] = None
    assigneeIds: Optional[ShortIdList] = None
    assigneeId: Optional[str] = None
    estimate: Optional[str] = None
    billable: LenientBool = None


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
