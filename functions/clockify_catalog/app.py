"""Clockify v1: tags, clients and the tasks of a project (docs/catalog.md, docs/clockify.md).

Lists are bare arrays paged by `page` / `page-size`, filtered and sorted as Clockify documents them;
creates answer 201, deletes 200 with the deleted entity; a duplicate name is 400.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sandglass import keys
from sandglass.dialects.clockify import clients, paging, tag_requests, tags, task_requests, tasks, wire
from sandglass.dialects.clockify.catalog_common import duplicate_names_are_bad_requests, named, sorted_by
from sandglass.dialects.clockify.resolver import create_app
from sandglass.dialects.clockify.tenant import Directory, entity_id, project_id, workspace
from sandglass.errors import BadRequest, NotFound
from sandglass.models.catalog import domain_fields
from sandglass.services.catalog import ClientService, TagService, TaskService

app = create_app()
JSON = "application/json"
TAG = "Clockify"

WorkspaceId = Annotated[str, Path(description="The workspace's 24-hex id")]
EntityId = Annotated[str, Path(description="The entity's 24-hex id")]
Text = Annotated[Optional[str], Query()]
Flag = Annotated[Optional[str], Query(description="true|false|1|0")]
SortColumn = Annotated[Optional[str], Query(alias="sort-column", description="ID or NAME")]
SortOrder = Annotated[Optional[str], Query(alias="sort-order", description="ASCENDING or DESCENDING")]
Page = Annotated[Optional[str], Query()]
PageSize = Annotated[Optional[str], Query(alias="page-size")]
Strict = Annotated[Optional[str], Query(alias="strict-name-search")]

tag_service = cache(TagService)
client_service = cache(ClientService)
task_service = cache(TaskService)


def _flag(value: str | None, name: str) -> bool | None:
    try:
        return wire.boolean(value, name)
    except ValueError as error:
        raise BadRequest(str(error)) from None


def _archived(value: str | None) -> str:
    flag = _flag(value, "archived")
    return "include" if flag is None else str(flag).lower()


def _multi(name: str) -> list[str]:
    event = app.current_event
    values = (event.multi_value_query_string_parameters or {}).get(name)
    if values is None:
        single = (event.query_string_parameters or {}).get(name)
        values = [single] if single is not None else []
    return wire.joined(values)


def _page(items: list, page: str | None, page_size: str | None, view) -> Response:
    request = paging.page_request(page, page_size)
    return Response(200, JSON, [view(item).model_dump() for item in request.slice(items)], headers=paging.headers(request, len(items)))


# --- tags --------------------------------------------------------------------------------------------
def _tag_id(tenant, short_id: str) -> str:
    return entity_id(tenant, keys.TAG_SK_PREFIX, short_id, "Tag")


@app.get("/v1/workspaces/<workspaceId>/tags", tags=[TAG], operation_id="getTags", summary="Find tags on a workspace")
def get_tags(workspaceId: WorkspaceId, name: Text = None, strict_name_search: Strict = None, archived: Flag = None,
             sort_column: SortColumn = None, sort_order: SortOrder = None, page: Page = None, page_size: PageSize = None) -> Response[list[tags.Tag]]:
    tenant = workspace(app)
    found = named(tag_service().all(tenant, archived=_archived(archived)), name, bool(_flag(strict_name_search, "strict-name-search")))
    chosen = sorted_by(tags.excluding(found, _multi("excluded-ids")), sort_column, sort_order)
    return _page(chosen, page, page_size, lambda tag: tags.to_clockify(tag, workspaceId.lower()))


@app.post("/v1/workspaces/<workspaceId>/tags", tags=[TAG], operation_id="createNewTag", summary="Add a new tag")
def post_tag(workspaceId: WorkspaceId, body: tag_requests.TagRequest) -> Response[tags.Tag]:
    tenant = workspace(app)
    with duplicate_names_are_bad_requests():
        created = tag_service().create(tenant, domain_fields(tag_requests.create_request(body), partial=False))
    return Response(201, JSON, tags.to_clockify(created, workspaceId.lower()).model_dump())


@app.get("/v1/workspaces/<workspaceId>/tags/<id>", tags=[TAG], operation_id="getTag", summary="Get a tag by id")
def get_tag(workspaceId: WorkspaceId, id: EntityId) -> tags.Tag:
    tenant = workspace(app)
    return tags.to_clockify(tag_service().get(tenant, _tag_id(tenant, id)), workspaceId.lower())


@app.put("/v1/workspaces/<workspaceId>/tags/<id>", tags=[TAG], operation_id="updateTag", summary="Update a tag (name, archived)")
def put_tag(workspaceId: WorkspaceId, id: EntityId, body: tag_requests.TagRequest) -> tags.Tag:
    tenant = workspace(app)
    with duplicate_names_are_bad_requests():
        updated = tag_service().update(tenant, _tag_id(tenant, id), domain_fields(tag_requests.update_request(body), partial=True))
    return tags.to_clockify(updated, workspaceId.lower())


@app.delete("/v1/workspaces/<workspaceId>/tags/<id>", tags=[TAG], operation_id="deleteTag", summary="Delete a tag (answers it)")
def delete_tag(workspaceId: WorkspaceId, id: EntityId) -> tags.Tag:
    tenant = workspace(app)
    return tags.to_clockify(tag_service().delete(tenant, _tag_id(tenant, id)), workspaceId.lower())


# --- clients -----------------------------------------------------------------------------------------
def _client_id(tenant, short_id: str) -> str:
    return entity_id(tenant, keys.CLIENT_SK_PREFIX, short_id, "Client")


@app.get("/v1/workspaces/<workspaceId>/clients", tags=[TAG], operation_id="getClients", summary="Find clients on a workspace")
def get_clients(workspaceId: WorkspaceId, name: Text = None, archived: Flag = None, sort_column: SortColumn = None, sort_order: SortOrder = None,
                page: Page = None, page_size: PageSize = None) -> Response[list[clients.Client]]:
    tenant = workspace(app)
    chosen = sorted_by(named(client_service().all(tenant, archived=_archived(archived)), name, False), sort_column, sort_order)
    return _page(chosen, page, page_size, lambda client: clients.to_clockify(client, workspaceId.lower()))


@app.post("/v1/workspaces/<workspaceId>/clients", tags=[TAG], operation_id="createClient", summary="Add a new client")
def post_client(workspaceId: WorkspaceId, body: clients.ClientRequest) -> Response[clients.Client]:
    tenant = workspace(app)
    with duplicate_names_are_bad_requests():
        created = client_service().create(tenant, domain_fields(clients.create_request(body), partial=False))
    return Response(201, JSON, clients.to_clockify(created, workspaceId.lower()).model_dump())


@app.get("/v1/workspaces/<workspaceId>/clients/<id>", tags=[TAG], operation_id="getClient", summary="Get a client by id")
def get_client(workspaceId: WorkspaceId, id: EntityId) -> clients.Client:
    tenant = workspace(app)
    return clients.to_clockify(client_service().get(tenant, _client_id(tenant, id)), workspaceId.lower())


@app.put("/v1/workspaces/<workspaceId>/clients/<id>", tags=[TAG], operation_id="updateClient",
         summary="Update a client; archiving it with archive-projects / mark-tasks-as-done cascades")
def put_client(workspaceId: WorkspaceId, id: EntityId, body: clients.ClientRequest,
               archive_projects: Annotated[Optional[str], Query(alias="archive-projects")] = None,
               mark_tasks_as_done: Annotated[Optional[str], Query(alias="mark-tasks-as-done")] = None) -> clients.Client:
    tenant = workspace(app)
    changes = domain_fields(clients.update_request(body), partial=True)
    with duplicate_names_are_bad_requests():
        updated = client_service().update(tenant, _client_id(tenant, id), changes, archive_projects=bool(_flag(archive_projects, "archive-projects")),
                                          mark_tasks_done=bool(_flag(mark_tasks_as_done, "mark-tasks-as-done")))
    return clients.to_clockify(updated, workspaceId.lower())


@app.delete("/v1/workspaces/<workspaceId>/clients/<id>", tags=[TAG], operation_id="deleteClient", summary="Delete a client (answers it)")
def delete_client(workspaceId: WorkspaceId, id: EntityId) -> clients.Client:
    tenant = workspace(app)
    return clients.to_clockify(client_service().delete(tenant, _client_id(tenant, id)), workspaceId.lower())


# --- tasks -------------------------------------------------------------------------------------------
class _Tasks:
    """One request's view of a project's tasks: the project (for `billable`), the workspace's people."""

    def __init__(self, workspace_id: str, project_short_id: str):
        self.tenant = workspace(app)
        self.project_id = project_id(self.tenant, project_short_id)
        self.directory = Directory(self.tenant)
        self.workspace_id = workspace_id.lower()

    def task_id(self, short_id: str) -> str:
        return entity_id(self.tenant, keys.TASK_SK_PREFIX, short_id, "Task")

    def member(self, person: str) -> str:
        try:
            return self.directory.member(person)
        except NotFound:
            raise BadRequest(f"assigneeIds: no user {person} in the workspace") from None

    def view(self, task) -> tasks.Task:
        return tasks.to_clockify(task, task_service().project(self.tenant, self.project_id).billable, self.directory.person)


@app.get("/v1/workspaces/<workspaceId>/projects/<projectId>/tasks", tags=[TAG], operation_id="getTasks", summary="Find tasks on a project")
def get_tasks(workspaceId: WorkspaceId, projectId: EntityId, name: Text = None, strict_name_search: Strict = None,
              is_active: Annotated[Optional[str], Query(alias="is-active")] = None, sort_column: SortColumn = None, sort_order: SortOrder = None,
              page: Page = None, page_size: PageSize = None) -> Response[list[tasks.Task]]:
    scope = _Tasks(workspaceId, projectId)
    found = tasks.active_filter(task_service().all(scope.tenant, scope.project_id), _flag(is_active, "is-active"))
    chosen = sorted_by(named(found, name, bool(_flag(strict_name_search, "strict-name-search"))), sort_column, sort_order)
    billable = task_service().project(scope.tenant, scope.project_id).billable
    return _page(chosen, page, page_size, lambda task: tasks.to_clockify(task, billable, scope.directory.person))


@app.post("/v1/workspaces/<workspaceId>/projects/<projectId>/tasks", tags=[TAG], operation_id="createTask", summary="Add a new task on a project")
def post_task(workspaceId: WorkspaceId, projectId: EntityId, body: task_requests.TaskRequest,
              contains_assignee: Annotated[Optional[str], Query(alias="contains-assignee")] = None) -> Response[tasks.Task]:
    scope = _Tasks(workspaceId, projectId)
    with duplicate_names_are_bad_requests():
        created = task_service().create(scope.tenant, scope.project_id,
                                        domain_fields(task_requests.create_request(body, scope.member), partial=False))
    return Response(201, JSON, scope.view(created).model_dump())


@app.get("/v1/workspaces/<workspaceId>/projects/<projectId>/tasks/<taskId>", tags=[TAG], operation_id="getTask", summary="Get a task by id")
def get_task(workspaceId: WorkspaceId, projectId: EntityId, taskId: EntityId) -> tasks.Task:
    scope = _Tasks(workspaceId, projectId)
    return scope.view(task_service().get(scope.tenant, scope.project_id, scope.task_id(taskId)))


@app.put("/v1/workspaces/<workspaceId>/projects/<projectId>/tasks/<taskId>", tags=[TAG], operation_id="updateTask", summary="Update a task")
def put_task(workspaceId: WorkspaceId, projectId: EntityId, taskId: EntityId, body: task_requests.TaskRequest,
             contains_assignee: Annotated[Optional[str], Query(alias="contains-assignee")] = None,
             membership_status: Annotated[Optional[str], Query(alias="membership-status")] = None) -> tasks.Task:
    scope = _Tasks(workspaceId, projectId)
    changes = domain_fields(task_requests.update_request(body, scope.member), partial=True)
    with duplicate_names_are_bad_requests():
        updated = task_service().update(scope.tenant, scope.project_id, scope.task_id(taskId), changes)
    return scope.view(updated)


@app.delete("/v1/workspaces/<workspaceId>/projects/<projectId>/tasks/<taskId>", tags=[TAG], operation_id="deleteTask",
            summary="Delete a task (answers it)")
def delete_task(workspaceId: WorkspaceId, projectId: EntityId, taskId: EntityId) -> tasks.Task:
    scope = _Tasks(workspaceId, projectId)
    return scope.view(task_service().delete(scope.tenant, scope.project_id, scope.task_id(taskId)))


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
