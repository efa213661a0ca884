"""Workflow request shapes: the reference's common fields (id, status, createdAt, createdBy,
resolvedAt, resolvedBy) plus `type` and each kind's own fields (the reference shows projectId and
role on a role change; the others are additions a resolver needs to decide), and the mapping of
the entities (entities/workflows.py) to them."""

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from sandglass.entities import workflows as entities
from sandglass.models import ApiModel
from sandglass.models.common import EntityId, ProjectRole, Text
from sandglass.models.formats import InstantOut
from sandglass.timefmt import iso

RequestStatus = Literal["PENDING", "RESOLVED", "REJECTED"]
Resolution = Literal["RESOLVED", "REJECTED"]
RequestType = Literal["TIMESHEET_UNLOCK", "TIMESHEET_APPROVAL", "PROJECT_MEMBER_ROLE", "PROJECT_MEMBERS", "PROJECT_ASSIGNMENT", "IMPERSONATION"]
MAX_TARGETS = 25  # users or projects one request may name (its resolution is one transaction)


# --- bodies --------------------------------------------------------------------------------------

class RoleChange(ApiModel):
    role: ProjectRole


class MembersAssignment(ApiModel):
    userIds: list[EntityId] = Field(min_length=1, max_length=MAX_TARGETS, description="Users to add to the project")


class AssignmentRequest(ApiModel):
    projectIds: Optional[list[EntityId]] = Field(None, max_length=MAX_TARGETS, description="Projects the requester asks to join (optional)")


class ImpersonationCreate(ApiModel):
    userId: Optional[EntityId] = Field(None, description="The member support may sign in as (default: the caller; others: Administrators only)")
    reason: Text = Field("", max_length=1000)


class Resolve(ApiModel):
    status: Resolution


class ResolveAssignment(ApiModel):
    status: Resolution
    projectIds: Optional[list[EntityId]] = Field(None, max_length=MAX_TARGETS,
                                                 description="Projects to assign the requester to (default: the ones requested)")


# --- responses -----------------------------------------------------------------------------------

class _Request(BaseModel):
    model_config = ConfigDict(defer_build=True)

    createdAt: InstantOut
    createdBy: str
    id: str
    resolvedAt: Optional[InstantOut]
    resolvedBy: Optional[str]
    status: RequestStatus


class TimesheetUnlockRequest(_Request):
    type: Literal["TIMESHEET_UNLOCK"]
    year: int
    week: int
    unlockedTo: Optional[InstantOut] = Field(description="End of the unlock window a resolution opened (null until RESOLVED)")


class TimesheetApprovalRequest(_Request):
    type: Literal["TIMESHEET_APPROVAL"]
    year: int
    week: int


class ProjectRoleRequest(_Request):
    type: Literal["PROJECT_MEMBER_ROLE"]
    projectId: str
    memberId: str
    userId: str
    role: ProjectRole


class ProjectMembersRequest(_Request):
    type: Literal["PROJECT_MEMBERS"]
    projectId: str
    userIds: list[str]


class ProjectAssignmentRequest(_Request):
    type: Literal["PROJECT_ASSIGNMENT"]
    projectIds: list[str] = Field(description="Requested projects; once RESOLVED, the projects the requester was assigned to")


class ImpersonationRequest(_Request):
    type: Literal["IMPERSONATION"]
    userId: str
    reason: str


WorkflowRequest = Annotated[
    Union[TimesheetUnlockRequest, TimesheetApprovalRequest, ProjectRoleRequest, ProjectMembersRequest, ProjectAssignmentRequest,
          ImpersonationRequest],
    Field(discriminator="type"),
]


class SignInGrant(ApiModel):
    token: str = Field(min_length=16, max_length=200, description="The one-time token from the support sign-in message")


class SignInSession(BaseModel):
    model_config = ConfigDict(defer_build=True)

    token: str = Field(description="A bearer token acting as the member, valid until expiresAt")
    expiresAt: InstantOut
    userId: str
    email: str


# --- entity -> wire --------------------------------------------------------------------------------

# each kind's own fields, after the common ones
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    entities.UNLOCK: ("year", "week", "unlockedTo"),
    entities.APPROVAL: ("year", "week"),
    entities.ROLE: ("projectId", "memberId", "userId", "role"),
    entities.MEMBERS: ("projectId", "userIds"),
    entities.ASSIGNMENT: ("projectIds",),
    entities.IMPERSONATION: ("userId", "reason"),
}


def request_view(request: entities.WorkflowRequest) -> dict[str, Any]:
    """The request as its kind's WorkflowRequest shape: the common fields and the kind's own (KIND_FIELDS)."""
    own = {"year": request.year, "week": request.week, "unlockedTo": iso(request.unlocked_to) if request.unlocked_to else None,
           "projectId": request.project_id, "memberId": request.member_id, "userId": request.user_id, "role": request.role,
           "userIds": list(request.user_ids), "projectIds": list(request.project_ids), "reason": request.reason or ""}
    return {"createdAt": iso(request.created_at), "createdBy": request.created_by, "id": request.id,
            "resolvedAt": iso(request.resolved_at) if request.resolved_at else None, "resolvedBy": request.resolved_by,
            "status": request.status, "type": request.kind, **{name: own[name] for name in KIND_FIELDS[request.kind]}}


def session_view(session: entities.SupportSession) -> SignInSession:
    return SignInSession(token=session.token, expiresAt=iso(session.expires_at), userId=session.user_id, email=session.email)
