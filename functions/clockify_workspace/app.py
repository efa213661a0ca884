"""Clockify v1: the current user, workspaces and workspace users (docs/clockify.md).

Thin handlers: read the query leniently (sandglass.dialects.clockify.wire), call one service,
map the answer with the dialect's entity module.
"""

from __future__ import annotations

from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sandglass.dialects.clockify import paging, users, workspaces, wire
from sandglass.dialects.clockify.resolver import create_app, query_values
from sandglass.dialects.clockify.tenant import workspace
from sandglass.http.tenant import caller
from sandglass.services.directory import MemberDirectory, OrganizationDirectory

app = create_app()
JSON = "application/json"
TAG = "Clockify"

WorkspaceId = Annotated[str, Path(description="The workspace's 24-hex id")]
Flag = Annotated[Optional[str], Query(description="true|false|1|0")]
PageNumber = Annotated[Optional[str], Query(description="1-based page number")]
PageSize = Annotated[Optional[str], Query(alias="page-size", description="Items per page (default 50, at most 5000)")]


def _name() -> str:
    context = app.current_event.request_context.authorizer.get_context() or {}
    return context.get("name") or ""


@app.get("/v1/user", tags=[TAG], operation_id="getLoggedUser", summary="Get the currently logged-in user's info")
def get_user(include_memberships: Annotated[Optional[str], Query(alias="include-memberships")] = None) -> users.User:
    who = caller(app)
    organizations = OrganizationDirectory().organizations_of(who)
    return users.current_user(who.email, _name(), organizations, with_memberships=bool(wire.query_flag(include_memberships, "include-memberships")))


@app.get("/v1/workspaces", tags=[TAG], operation_id="getWorkspacesOfUser", summary="Get all my workspaces")
def get_workspaces(roles: Annotated[Optional[str], Query(description="WORKSPACE_ADMIN|OWNER|TEAM_MANAGER|PROJECT_MANAGER")] = None) -> list[workspaces.Workspace]:
    organizations = OrganizationDirectory().organizations_of(caller(app))
    wanted = set(wire.joined(query_values(app, "roles")))
    found = [workspaces.to_clockify(organization) for organization in organizations]
    if wanted and not wanted & {"WORKSPACE_ADMIN", "OWNER"}:
        return []  # Sandglass has no team or project managers at workspace level
    return found


@app.get("/v1/workspaces/<workspaceId>", tags=[TAG], operation_id="getWorkspaceOfUser", summary="Get workspace info")
def get_workspace(workspaceId: WorkspaceId) -> workspaces.Workspace:
    return workspaces.to_clockify(OrganizationDirectory().get_entity(workspace(app)))


@app.get("/v1/workspaces/<workspaceId>/users", tags=[TAG], operation_id="getUsersOfWorkspace", summary="Find all users on the workspace")
def get_users(
    workspaceId: WorkspaceId,
    email: Annotated[Optional[str], Query()] = None,
    name: Annotated[Optional[str], Query()] = None,
    status: Annotated[Optional[str], Query(description="PENDING|ACTIVE|DECLINED|INACTIVE|ALL")] = None,
    memberships: Annotated[Optional[str], Query(description="ALL|NONE|WORKSPACE|PROJECT|USERGROUP")] = None,
    include_roles: Annotated[Optional[str], Query(alias="include-roles")] = None,
    sort_column: Annotated[Optional[str], Query(alias="sort-column", description="ID|EMAIL|NAME|NAME_LOWERCASE|ACCESS|HOURLYRATE|COSTRATE")] = None,
    sort_order: Annotated[Optional[str], Query(alias="sort-order", description="ASCENDING|DESCENDING")] = None,
    page: PageNumber = None,
    page_size: PageSize = None,
) -> Response[list[users.User]]:
    tenant = workspace(app)
    request = paging.page_request(page, page_size)
    organization = OrganizationDirectory().get_entity(tenant)
    members = MemberDirectory().directory(tenant)
    chosen = users.filtered(members, email=email, name=name, status=status, sort_column=sort_column, sort_order=sort_order)
    with_roles = bool(wire.query_flag(include_roles, "include-roles"))
    with_memberships = (memberships or "NONE").upper() in ("ALL", "WORKSPACE")
    body = [users.to_clockify(member, workspaceId.lower(), time_zone=organization.settings.time_zone, with_roles=with_roles,
                              with_memberships=with_memberships).model_dump() for member in request.slice(chosen)]
    return Response(200, JSON, body, headers=paging.headers(request, len(chosen)))


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
