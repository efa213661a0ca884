"""Workflow request routes: members ask (unlock or approve a week, a project role, project members,
joining projects, a support sign-in), Administrators resolve. The rules live in
sandglass.services.requests; the Sandtime shapes in sandglass.models.requests."""

from __future__ import annotations

from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from sandglass.composition.requests import requests as service
from sandglass.http.pagination import Cursor, Limit, map_page
from sandglass.http.resolver import create_app
from sandglass.http.tenant import tenant
from sandglass.models.requests import (AssignmentRequest, ImpersonationCreate, MembersAssignment, RequestStatus, RequestType, Resolve,
                                       ResolveAssignment, RoleChange, SignInGrant, SignInSession, WorkflowRequest, request_view,
                                       session_view)
from sandglass.services import requests as rules
from sandglass.services.auth import organization_domain

app = create_app()

RequestId = Annotated[str, Path(max_length=64, description="The workflow request identifier (UUID)")]
ProjectId = Annotated[str, Path(max_length=64, description="The project identifier (UUID)")]
MemberId = Annotated[str, Path(max_length=64, description="The project member identifier (UUID)")]
Year = Annotated[int, Path(description="ISO week-numbering year")]
Week = Annotated[int, Path(description="ISO week number in the organization time zone")]
TAGS = ["Requests"]


# --- timesheets ----------------------------------------------------------------------------------

@app.post("/requests/timesheets/<year>/<week>/unlock", tags=TAGS, summary="Ask for your locked week to be unlocked")
def post_unlock(year: Year, week: Week) -> WorkflowRequest:
    return request_view(service().request_unlock(tenant(app), year, week))


@app.put("/requests/<requestId>/timesheets/unlock", tags=TAGS, summary="Resolve a timesheet-unlock request (opens a temporary unlock window)")
def put_unlock(requestId: RequestId, body: Resolve) -> WorkflowRequest:
    return request_view(service().resolve(tenant(app), requestId, rules.UNLOCK, body.status))


@app.post("/requests/timesheets/<year>/<week>/approvals", tags=TAGS, summary="Submit your week for approval")
def post_approval(year: Year, week: Week) -> WorkflowRequest:
    return request_view(service().request_approval(tenant(app), year, week))


@app.put("/requests/<requestId>/timesheets/approvals", tags=TAGS, summary="Resolve a timesheet-approval request (approves and locks the week)")
def put_approval(requestId: RequestId, body: Resolve) -> WorkflowRequest:
    return request_view(service().resolve(tenant(app), requestId, rules.APPROVAL, body.status))


# --- projects ------------------------------------------------------------------------------------

@app.post("/requests/projects/<projectId>/members/<memberId>/role", tags=TAGS, summary="Ask for a project member's role to change")
def post_role(projectId: ProjectId, memberId: MemberId, body: RoleChange) -> WorkflowRequest:
    return request_view(service().request_role(tenant(app), projectId, memberId, body.role))


@app.put("/requests/<requestId>/projects/members/role", tags=TAGS, summary="Resolve a role-change request")
def put_role(requestId: RequestId, body: Resolve) -> WorkflowRequest:
    return request_view(service().resolve(tenant(app), requestId, rules.ROLE, body.status))


@app.post("/requests/projects/<projectId>/members", tags=TAGS, summary="Propose users to add to a project")
def post_members(projectId: ProjectId, body: MembersAssignment) -> WorkflowRequest:
    return request_view(service().request_members(tenant(app), projectId, body.userIds))


@app.put("/requests/<requestId>/projects/members", tags=TAGS, summary="Resolve a project-member assignment request (adds the users)")
def put_members(requestId: RequestId, body: Resolve) -> WorkflowRequest:
    return request_view(service().resolve(tenant(app), requestId, rules.MEMBERS, body.status))


@app.post("/requests/projects/request-assignment", tags=TAGS, summary="Ask to be assigned to projects (projectIds optional)")
def post_assignment(body: Annotated[Optional[AssignmentRequest], Body()] = None) -> WorkflowRequest:
    return request_view(service().request_assignment(tenant(app), body.projectIds if body else None))


@app.put("/requests/<requestId>/projects/assign", tags=TAGS, summary="Resolve a project-assignment request (projectIds: where the requester goes)")
def put_assignment(requestId: RequestId, body: ResolveAssignment) -> WorkflowRequest:
    return request_view(service().resolve(tenant(app), requestId, rules.ASSIGNMENT, body.status, body.projectIds))


# --- impersonation -------------------------------------------------------------------------------

@app.post("/requests/impersonation", tags=TAGS, summary="Let support sign in as a member once (yourself; Administrators: anyone)")
def post_impersonation(body: Annotated[Optional[ImpersonationCreate], Body()] = None) -> WorkflowRequest:
    body = body or ImpersonationCreate()
    return request_view(service().request_impersonation(tenant(app), body.userId, body.reason))


@app.put("/requests/<requestId>", tags=TAGS, summary="Resolve an impersonation request (support receives a one-time sign-in token)")
def put_impersonation(requestId: RequestId, body: Resolve) -> WorkflowRequest:
    return request_view(service().resolve(tenant(app), requestId, rules.IMPERSONATION, body.status))


@app.post("/auth/impersonation", tags=TAGS, summary="Exchange a one-time support sign-in token for a bearer token (no credentials)",
          openapi_extensions={"x-sandglass-public": {"statuses": ["401", "409"], "organization": True}})
def post_sign_in(body: SignInGrant) -> SignInSession:
    return session_view(service().sign_in(organization_domain(app.current_event.headers or {}), body.token))


# --- reading -------------------------------------------------------------------------------------

@app.get("/requests", tags=TAGS, summary="List requests, newest first (Administrators: all; others: their own)")
def list_requests(
    status: Annotated[Optional[RequestStatus], Query()] = None,
    type: Annotated[Optional[RequestType], Query()] = None,  # noqa: A002 - the API's parameter name
    createdBy: Annotated[Optional[str], Query(max_length=64)] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response[dict[str, WorkflowRequest]]:
    found, cursor = service().list(tenant(app), status, type, createdBy, limit, cursor)
    return map_page(app, {request.id: request_view(request) for request in found}, cursor)


@app.get("/requests/<requestId>", tags=TAGS, summary="Get a request")
def get_request(requestId: RequestId) -> WorkflowRequest:
    return request_view(service().get(tenant(app), requestId))


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
