"""Clockify v1: projects (docs/clockify.md). Tasks of a project join this group."""

from __future__ import annotations

from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sandglass.dialects.clockify import paging, projects, wire
from sandglass.dialects.clockify.models import parsed
from sandglass.dialects.clockify.resolver import create_app, query_values
from sandglass.dialects.clockify.tenant import project_id, workspace
from sandglass.models.projects import ProjectCreate, ProjectUpdate
from sandglass.services.projects import ProjectService

app = create_app()
JSON = "application/json"
TAG = "Clockify"
MAX_PAGES = 50

WorkspaceId = Annotated[str, Path(description="The workspace's 24-hex id")]
ProjectId = Annotated[str, Path(description="The project's 24-hex id")]
Flag = Annotated[Optional[str], Query(description="true|false|1|0")]


def _all_projects(tenant, archived: bool | None) -> list[dict]:
    """Every project the caller may see (Administrators: all; others: theirs), every page."""
    service, found, cursor = ProjectService(), [], None
    for _ in range(MAX_PAGES):
        page, cursor = service.list(tenant, "include" if archived is None else str(archived).lower(), 500, cursor)
        found.extend(view.model_dump() for view in page.values())
        if not cursor:
            break
    return found


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
        _all_projects(tenant, wire.boolean(archived, "archived")), name=name, strict=bool(wire.boolean(strict_name_search, "strict-name-search")),
        billable=wire.boolean(billable, "billable"), template=wire.boolean(is_template, "is-template"),
        clients=wire.joined(query_values(app, "clients")), contains_client=wire.boolean(contains_client, "contains-client"),
        sort_order=sort_order)
    body = [projects.to_clockify(item, workspaceId.lower()).model_dump() for item in request.slice(chosen)]
    return Response(200, JSON, body, headers=paging.headers(request, len(chosen)))


@app.post("/v1/workspaces/<workspaceId>/projects", tags=[TAG], operation_id="createNewProject", summary="Add a new project")
def post_project(workspaceId: WorkspaceId, body: projects.ProjectRequest) -> Response[projects.Project]:
    tenant = workspace(app)
    created = ProjectService().create(tenant, parsed(ProjectCreate, projects.from_clockify(body, creating=True)))
    return Response(201, JSON, projects.to_clockify(created.model_dump(), workspaceId.lower()).model_dump())


@app.get("/v1/workspaces/<workspaceId>/projects/<projectId>", tags=[TAG], operation_id="getProject", summary="Find a project by id")
def get_project(workspaceId: WorkspaceId, projectId: ProjectId, hydrated: Flag = None) -> projects.Project:
    tenant = workspace(app)
    return projects.to_clockify(ProjectService().get(tenant, project_id(tenant, projectId)).model_dump(), workspaceId.lower())


@app.put("/v1/workspaces/<workspaceId>/projects/<projectId>", tags=[TAG], operation_id="updateProject", summary="Update a project")
def put_project(workspaceId: WorkspaceId, projectId: ProjectId, body: projects.ProjectRequest) -> projects.Project:
    tenant = workspace(app)
    updated = ProjectService().update(tenant, project_id(tenant, projectId), parsed(ProjectUpdate, projects.from_clockify(body, creating=False)))
    return projects.to_clockify(updated.model_dump(), workspaceId.lower())


@app.delete("/v1/workspaces/<workspaceId>/projects/<projectId>", tags=[TAG], operation_id="deleteProject", summary="Delete a project (answers it)")
def delete_project(workspaceId: WorkspaceId, projectId: ProjectId) -> projects.Project:
    tenant = workspace(app)
    service, uuid = ProjectService(), project_id(tenant, projectId)
    project = service.get(tenant, uuid)
    service.delete(tenant, uuid)
    return projects.to_clockify(project.model_dump(), workspaceId.lower())


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
