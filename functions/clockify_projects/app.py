"""Clockify v1: projects (docs/clockify.md). Tasks of a project join this group."""

from __future__ import annotations

from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sandglass import keys
from sandglass.dialects.clockify import paging, projects, wire
from sandglass.dialects.clockify.resolver import create_app, query_values
from sandglass.dialects.clockify.tenant import find_id, project_id, reference_id, workspace
from sandglass.entities.projects import Project
from sandglass.services.catalog import ClientService
from sandglass.services.projects import ProjectService

app = create_app()
JSON = "application/json"
TAG = "Clockify"
MAX_PAGES = 50

WorkspaceId = Annotated[str, Path(description="The workspace's 24-hex id")]
ProjectId = Annotated[str, Path(description="The project's 24-hex id")]
Flag = Annotated[Optional[str], Query(description="true|false|1|0")]


def _all_projects(tenant, archived: bool | None) -> list[Project]:
    """Every project the caller may see (Administrators: all; others: theirs), every page."""
    service, found, cursor = ProjectService(), [], None
    for _ in range(MAX_PAGES):
        page, cursor = service.list_entities(tenant, "include" if archived is None else str(archived).lower(), 500, cursor)
        found.extend(page)
        if not cursor:
            break
    return found


def _client_names(tenant, items: list[Project]) -> dict[str, str]:
    """The names of the projects' clients (one read of the workspace's clients, none when no
    project has a client)."""
    if not any(item.client_id for item in items):
        return {}
    return {client.id: client.name for client in ClientService().all(tenant)}


def _view(tenant, project: Project, workspace_id: str) -> projects.Project:
    return projects.to_clockify(project, workspace_id.lower(), client_name=_client_names(tenant, [project]).get(project.client_id or "", ""))


def _client_id(tenant, body: projects.ProjectRequest) -> str | None:
    return reference_id(tenant, keys.CLIENT_SK_PREFIX, body.clientId, "clientId") if body.clientId else None


@app.get("/v1/workspaces/<workspaceId>/projects", tags=[TAG], operation_id="getProjects", summary="Get all projects on the workspace")
def get_projects(
    workspaceId: WorkspaceId,
    name: Annotated[Optional[str], Query()] = None,
    strict_name_search: Annotated[Optional[str], Query(alias="strict-name-search")] = None,
    archived: Flag = None,
    billable: Flag = None,
    clients: Annotated[Optional[str], Query(description="Client ids, repeated or comma-joined")] = None,
    contains_client: Annotated[Optional[str], Query(alias="contains-client")] = None,
    client_status: Annotated[Optional[str], Query(alias="client-status")] = None,
    users: Annotated[Optional[str], Query(description="User ids, repeated or comma-joined")] = None,
    is_template: Annotated[Optional[str], Query(alias="is-template")] = None,
    hydrated: Flag = None,
    sort_column: Annotated[Optional[str], Query(alias="sort-column")] = None,
    sort_order: Annotated[Optional[str], Query(alias="sort-order")] = None,
    page: Annotated[Optional[str], Query()] = None,
    page_size: Annotated[Optional[str], Query(alias="page-size")] = None,
) -> Response[list[projects.Project]]:
    tenant = workspace(app)
    request = paging.page_request(page, page_size)
    chosen = projects.filtered(
        _all_projects(tenant, wire.query_flag(archived, "archived")), name=name, strict=bool(wire.query_flag(strict_name_search, "strict-name-search")),
        billable=wire.query_flag(billable, "billable"), template=wire.query_flag(is_template, "is-template"),
        clients=[find_id(tenant, keys.CLIENT_SK_PREFIX, client) or client for client in wire.joined(query_values(app, "clients"))],
        contains_client=wire.query_flag(contains_client, "contains-client"),
        sort_order=sort_order)
    shown = request.slice(chosen)
    names = _client_names(tenant, shown)
    body = [projects.to_clockify(item, workspaceId.lower(), client_name=names.get(item.client_id or "", "")).model_dump() for item in shown]
    return Response(200, JSON, body, headers=paging.headers(request, len(chosen)))


@app.post("/v1/workspaces/<workspaceId>/projects", tags=[TAG], operation_id="createNewProject", summary="Add a new project")
def post_project(workspaceId: WorkspaceId, body: projects.ProjectRequest) -> Response[projects.Project]:
    tenant = workspace(app)
    created = ProjectService().create_entity(tenant, projects.create_request(body, _client_id(tenant, body)))
    return Response(201, JSON, _view(tenant, created, workspaceId).model_dump())


@app.get("/v1/workspaces/<workspaceId>/projects/<projectId>", tags=[TAG], operation_id="getProject", summary="Find a project by id")
def get_project(workspaceId: WorkspaceId, projectId: ProjectId, hydrated: Flag = None) -> projects.Project:
    tenant = workspace(app)
    return _view(tenant, ProjectService().get_entity(tenant, project_id(tenant, projectId)), workspaceId)


@app.put("/v1/workspaces/<workspaceId>/projects/<projectId>", tags=[TAG], operation_id="updateProject", summary="Update a project")
def put_project(workspaceId: WorkspaceId, projectId: ProjectId, body: projects.ProjectRequest) -> projects.Project:
    tenant = workspace(app)
    client, uuid = _client_id(tenant, body), project_id(tenant, projectId)
    updated = ProjectService().update_entity(tenant, uuid, projects.update_request(body, client))
    return _view(tenant, updated, workspaceId)


@app.delete("/v1/workspaces/<workspaceId>/projects/<projectId>", tags=[TAG], operation_id="deleteProject", summary="Delete a project (answers it)")
def delete_project(workspaceId: WorkspaceId, projectId: ProjectId) -> projects.Project:
    tenant = workspace(app)
    service, uuid = ProjectService(), project_id(tenant, projectId)
    project = service.get_entity(tenant, uuid)
    service.delete(tenant, uuid)
    return _view(tenant, project, workspaceId)


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
