"""Catalog routes: tags, clients and the tasks of a project (beyond the Sandtime reference, in its
conventions; docs/catalog.md).

Lists are ID-keyed maps ordered by name, paged with `?limit=` (1-500, default 100) and `?cursor=`
(the next page's cursor in `X-Next-Cursor` and `Link`); `?name=` narrows to names containing it
(case-insensitive; a narrowed page may come back short and still carry a cursor). Tags and clients
list active entries unless `?archived=true|include`; tasks list both statuses unless `?status=`.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query

from sandglass.http.etag import parse_if_match, with_etag
from sandglass.http.pagination import Cursor, Limit, map_page
from sandglass.http.resolver import create_app
from sandglass.http.tenant import tenant
from sandglass.models import Empty
from sandglass.models.catalog import (
    Client,
    ClientCreate,
    ClientUpdate,
    Tag,
    TagCreate,
    TagUpdate,
    Task,
    TaskCreate,
    TaskStatus,
    TaskUpdate,
    client_view,
    domain_fields,
    tag_view,
    task_view,
)
from sandglass.services.catalog import ClientService, TagService, TaskService

app = create_app()

IfMatch = Annotated[Optional[str], Header(alias="If-Match")]
Archived = Annotated[Literal["false", "true", "include"], Query(description="Active entries (false), archived ones (true) or both")]
NameQuery = Annotated[Optional[str], Query(min_length=1, max_length=100, description="Names containing this, case-insensitively")]

# one service per container, built on the first request (not at import: cold start)
tags = cache(TagService)
clients = cache(ClientService)
tasks = cache(TaskService)


# --- tags --------------------------------------------------------------------------------------------
@app.get("/tags", tags=["Tags"], summary="List tags (active unless ?archived=true|include)")
def list_tags(archived: Archived = "false", name: NameQuery = None, limit: Limit = 100, cursor: Cursor = None) -> Response[dict[str, Tag]]:
    found, next_cursor = tags().list(tenant(app), archived=archived, name=name, limit=limit, cursor=cursor)
    return map_page(app, {tag.id: tag_view(tag) for tag in found}, next_cursor)


@app.post("/tags", tags=["Tags"], summary="Create a tag (organization Administrators; names unique case-insensitively)")
def create_tag(body: TagCreate) -> Response[Tag]:
    return with_etag(tag_view(tags().create(tenant(app), domain_fields(body, partial=False))))


@app.get("/tags/<tagId>", tags=["Tags"], summary="Get a tag")
def get_tag(tagId: str) -> Response[Tag]:
    return with_etag(tag_view(tags().get(tenant(app), tagId)))


@app.put("/tags/<tagId>", tags=["Tags"], summary="Rename, archive or unarchive a tag (organization Administrators)")
def put_tag(tagId: str, body: TagUpdate, if_match: IfMatch = None) -> Response[Tag]:
    return with_etag(tag_view(tags().update(tenant(app), tagId, domain_fields(body, partial=True), parse_if_match(if_match))))


@app.delete("/tags/<tagId>", tags=["Tags"], summary="Delete a tag (organization Administrators); its name is free again")
def delete_tag(tagId: str, if_match: IfMatch = None) -> Empty:
    tags().delete(tenant(app), tagId, parse_if_match(if_match))
    return {}


# --- clients -----------------------------------------------------------------------------------------
@app.get("/clients", tags=["Clients"], summary="List clients (active unless ?archived=true|include)")
def list_clients(archived: Archived = "false", name: NameQuery = None, limit: Limit = 100, cursor: Cursor = None) -> Response[dict[str, Client]]:
    found, next_cursor = clients().list(tenant(app), archived=archived, name=name, limit=limit, cursor=cursor)
    return map_page(app, {client.id: client_view(client) for client in found}, next_cursor)


@app.post("/clients", tags=["Clients"], summary="Create a client (organization Administrators; names unique case-insensitively)")
def create_client(body: ClientCreate) -> Response[Client]:
    return with_etag(client_view(clients().create(tenant(app), domain_fields(body, partial=False))))


@app.get("/clients/<clientId>", tags=["Clients"], summary="Get a client")
def get_client(clientId: str) -> Response[Client]:
    return with_etag(client_view(clients().get(tenant(app), clientId)))


@app.put("/clients/<clientId>", tags=["Clients"],
         summary="Update a client (organization Administrators); archiving it with ?archiveProjects / ?markTasksAsDone cascades")
def put_client(clientId: str, body: ClientUpdate, if_match: IfMatch = None,
               archiveProjects: Annotated[bool, Query(description="When archiving: archive the client's projects too")] = False,
               markTasksAsDone: Annotated[bool, Query(description="When archiving: mark the tasks of its projects DONE")] = False) -> Response[Client]:
    updated = clients().update(tenant(app), clientId, domain_fields(body, partial=True), parse_if_match(if_match),
                               archive_projects=archiveProjects, mark_tasks_done=markTasksAsDone)
    return with_etag(client_view(updated))


@app.delete("/clients/<clientId>", tags=["Clients"], summary="Delete a client (organization Administrators); its projects keep no client")
def delete_client(clientId: str, if_match: IfMatch = None) -> Empty:
    clients().delete(tenant(app), clientId, parse_if_match(if_match))
    return {}


# --- tasks -------------------------------------------------------------------------------------------
@app.get("/projects/<projectId>/tasks", tags=["Tasks"], summary="List a project's tasks (its members)")
def list_tasks(projectId: str, status: Annotated[Optional[TaskStatus], Query()] = None, name: NameQuery = None, limit: Limit = 100,
               cursor: Cursor = None) -> Response[dict[str, Task]]:
    found, next_cursor = tasks().list(tenant(app), projectId, status=status, name=name, limit=limit, cursor=cursor)
    return map_page(app, {task.id: task_view(task) for task in found}, next_cursor)


@app.post("/projects/<projectId>/tasks", tags=["Tasks"], summary="Create a task (the project's Administrators; names unique per project)")
def create_task(projectId: str, body: TaskCreate) -> Response[Task]:
    return with_etag(task_view(tasks().create(tenant(app), projectId, domain_fields(body, partial=False))))


@app.get("/projects/<projectId>/tasks/<taskId>", tags=["Tasks"], summary="Get a task")
def get_task(projectId: str, taskId: str) -> Response[Task]:
    return with_etag(task_view(tasks().get(tenant(app), projectId, taskId)))


@app.put("/projects/<projectId>/tasks/<taskId>", tags=["Tasks"], summary="Update a task, or mark it DONE (the project's Administrators)")
def put_task(projectId: str, taskId: str, body: TaskUpdate, if_match: IfMatch = None) -> Response[Task]:
    return with_etag(task_view(tasks().update(tenant(app), projectId, taskId, domain_fields(body, partial=True), parse_if_match(if_match))))


@app.delete("/projects/<projectId>/tasks/<taskId>", tags=["Tasks"], summary="Delete a task (the project's Administrators)")
def delete_task(projectId: str, taskId: str, if_match: IfMatch = None) -> Empty:
    tasks().delete(tenant(app), projectId, taskId, parse_if_match(if_match))
    return {}


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
