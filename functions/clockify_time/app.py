"""Clockify v1: time entries and timers (docs/clockify.md).

Every rule (locks, rates, one running timer, rights, validation) is the activity service's; these
handlers translate ids and shapes only.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from msgspec.structs import replace

from sandglass import keys
from sandglass.dialects.clockify import paging, tags, tasks, time_entries, wire
from sandglass.dialects.clockify.resolver import create_app, query_values
from sandglass.dialects.clockify.tenant import Directory, activity_id, find_id, project_id, reference_id, workspace
from sandglass.entities.activities import Activity
from sandglass.entities.projects import Project
from sandglass.errors import BadRequest, NotFound
from sandglass.services.activities import MAX_LIMIT, ActivityQuery, ActivityService
from sandglass.services.catalog import ClientService, TagService, TaskService
from sandglass.services.project_access import visible_project

app = create_app()
JSON = "application/json"
TAG = "Clockify"
MAX_READS = 20  # pages of MAX_LIMIT entries one list request may read
IN_PROGRESS_DEFAULT, IN_PROGRESS_MAX = 10, 1000

service = cache(ActivityService)

WorkspaceId = Annotated[str, Path(description="The workspace's 24-hex id")]
EntryId = Annotated[str, Path(description="The time entry's 24-hex id")]
UserId = Annotated[str, Path(description="The user's 24-hex id (the same in every workspace)")]
Flag = Annotated[Optional[str], Query(description="true|false|1|0")]


class _Mapper:
    """Activities -> Clockify entries of one workspace (person ids; projects, their clients, tasks
    and tags when hydrated, each read once per request)."""

    def __init__(self, tenant, workspace_id: str, hydrated: bool = False):
        self.tenant, self.workspace_id, self.hydrated = tenant, workspace_id.lower(), hydrated
        self.directory = Directory(tenant)
        self._projects: dict[str, Project | None] = {}
        self._clients: dict[str, str] = {}
        self._tasks: dict[str, tasks.Task | None] = {}
        self._tags: dict[str, tags.Tag] | None = None

    def _client_name(self, uuid: str | None) -> str:
        if uuid and uuid not in self._clients:
            try:
                self._clients[uuid] = ClientService().get(self.tenant, uuid).name
            except NotFound:
                self._clients[uuid] = ""
        return self._clients.get(uuid or "", "")

    def _task(self, project: Project, uuid: str) -> tasks.Task | None:
        if uuid not in self._tasks:
            try:
                task = TaskService().get(self.tenant, project.id, uuid)
                self._tasks[uuid] = tasks.to_clockify(task, project.billable, self.directory.person)
            except NotFound:
                self._tasks[uuid] = None
        return self._tasks[uuid]

    def _tag_list(self, uuids) -> list[tags.Tag]:
        if not uuids:
            return []
        if self._tags is None:
            self._tags = {tag.id: tags.to_clockify(tag, self.workspace_id) for tag in TagService().all(self.tenant)}
        return [self._tags[uuid] for uuid in uuids or () if uuid in self._tags]

    def _project(self, uuid: str) -> Project | None:
        if uuid not in self._projects:
            try:
                self._projects[uuid] = visible_project(self.tenant, uuid)
            except NotFound:
                self._projects[uuid] = None
        return self._projects[uuid]

    def entry(self, activity: Activity, *, with_rates: bool = False) -> dict:
        """`with_rates`: the rates it kept at its start (a read of one entry shows them)."""
        project = self._project(activity.project_id) if self.hydrated and activity.project_id else None
        embedded = {} if project is None else {
            "client_name": self._client_name(project.client_id), "tags": self._tag_list(activity.tag_ids),
            "task": self._task(project, activity.task_id) if activity.task_id else None}
        entry = time_entries.to_clockify(activity, self.workspace_id, self.directory.person(activity.user_id),
                                         rates=activity.rate_snapshot if with_rates else None, project=project, **embedded)
        return entry.model_dump(exclude=None if self.hydrated else time_entries.HYDRATED_ONLY)


def _references(tenant, body: time_entries.TimeEntryRequest) -> tuple[str | None, str | None, list[str]]:
    """The project, task and tags (UUIDs) a body names."""
    if body.start is None and body.end is not None:
        raise BadRequest("start is required with end")
    task = reference_id(tenant, keys.TASK_SK_PREFIX, body.taskId, "taskId") if body.taskId else None
    tag_ids = [reference_id(tenant, keys.TAG_SK_PREFIX, tag, "tagIds") for tag in body.tagIds or ()]
    project = project_id(tenant, body.projectId) if body.projectId else None
    return project, task, tag_ids


def _create(workspaceId: str, body: time_entries.TimeEntryRequest, for_user: str | None = None) -> Response:
    tenant = workspace(app)
    project, task, tag_ids = _references(tenant, body)
    mapper = _Mapper(tenant, workspaceId)
    member = mapper.directory.member(for_user) if for_user is not None else None
    result = service().create(tenant, time_entries.create_request(body, project, task, tag_ids, user_id=member))
    return Response(201, JSON, mapper.entry(result.activity))


@app.post("/v1/workspaces/<workspaceId>/time-entries", tags=[TAG], operation_id="createTimeEntry",
          summary="Add a new time entry (no end: start a timer)")
def post_time_entry(workspaceId: WorkspaceId, body: time_entries.TimeEntryRequest) -> Response[time_entries.TimeEntry]:
    return _create(workspaceId, body)


@app.post("/v1/workspaces/<workspaceId>/user/<userId>/time-entries", tags=[TAG], operation_id="createForOthers",
          summary="Add a new time entry for another user")
def post_time_entry_for(workspaceId: WorkspaceId, userId: UserId, body: time_entries.TimeEntryRequest,
                        from_entry: Annotated[Optional[str], Query(alias="from-entry")] = None) -> Response[time_entries.TimeEntry]:
    return _create(workspaceId, body, for_user=userId)


@app.get("/v1/workspaces/<workspaceId>/time-entries/status/in-progress", tags=[TAG], operation_id="getInProgressTimeEntries",
         summary="Get all in-progress time entries on the workspace")
def get_in_progress(workspaceId: WorkspaceId, page: Annotated[Optional[str], Query()] = None,
                    page_size: Annotated[Optional[str], Query(alias="page-size")] = None) -> Response[list[time_entries.TimeEntry]]:
    tenant = workspace(app)
    request = paging.page_request(page, page_size, default_size=IN_PROGRESS_DEFAULT, max_size=IN_PROGRESS_MAX)
    found = _read(tenant, ActivityQuery(pending=True, limit=MAX_LIMIT), request.end + 1)
    mapper = _Mapper(tenant, workspaceId)
    return Response(200, JSON, [mapper.entry(activity) for activity in request.slice(found)], headers=paging.headers(request, len(found)))


@app.get("/v1/workspaces/<workspaceId>/time-entries/<id>", tags=[TAG], operation_id="getTimeEntry", summary="Get a specific time entry on the workspace")
def get_time_entry(workspaceId: WorkspaceId, id: EntryId, hydrated: Flag = None) -> time_entries.TimeEntry:
    tenant = workspace(app)
    result = service().get(tenant, activity_id(tenant, id))
    return _Mapper(tenant, workspaceId, bool(wire.query_flag(hydrated, "hydrated"))).entry(result.activity, with_rates=True)


@app.put("/v1/workspaces/<workspaceId>/time-entries/<id>", tags=[TAG], operation_id="updateTimeEntry",
         summary="Update a time entry (full replacement; start required)")
def put_time_entry(workspaceId: WorkspaceId, id: EntryId, body: time_entries.TimeEntryRequest) -> time_entries.TimeEntry:
    tenant = workspace(app)
    if body.start is None:
        raise BadRequest("start is required")
    uuid = activity_id(tenant, id)
    current = service().get(tenant, uuid).activity
    project, task, tag_ids = _references(tenant, body)
    if body.end is None and not current.running:
        raise BadRequest("end is required: a stopped time entry cannot run again")
    result = service().update(tenant, uuid, time_entries.update_request(body, project, task, tag_ids))
    return _Mapper(tenant, workspaceId).entry(result.activity)


@app.delete("/v1/workspaces/<workspaceId>/time-entries/<id>", tags=[TAG], operation_id="deleteTimeEntry", summary="Delete a time entry (204)")
def delete_time_entry(workspaceId: WorkspaceId, id: EntryId) -> Response[None]:
    tenant = workspace(app)
    service().delete(tenant, activity_id(tenant, id))
    return Response(204, None, "")


@app.patch("/v1/workspaces/<workspaceId>/user/<userId>/time-entries", tags=[TAG], operation_id="stopRunningTimeEntry",
           summary="Stop the user's running timer")
def patch_stop(workspaceId: WorkspaceId, userId: UserId, body: time_entries.StopRequest) -> time_entries.TimeEntry:
    tenant = workspace(app)
    mapper = _Mapper(tenant, workspaceId)
    member = mapper.directory.member(userId)
    running = service().running(tenant, member)
    if running is None:
        raise NotFound("No time entry is running")
    result = service().update(tenant, running.activity.id, time_entries.stop_request(body))
    return mapper.entry(result.activity)


def _read(tenant, query: ActivityQuery, wanted: int, keep=lambda activity: True) -> list[Activity]:
    """Up to `wanted` entries of the query that `keep` keeps, reading pages of the service's list."""
    found: list[Activity] = []
    cursor = None
    for _ in range(MAX_READS):
        page = service().list(tenant, replace(query, cursor=cursor))
        found.extend(activity for activity in page.activities.values() if keep(activity))
        cursor = page.cursor
        if not cursor or len(found) >= wanted:
            break
    return found


@app.get("/v1/workspaces/<workspaceId>/user/<userId>/time-entries", tags=[TAG], operation_id="getTimeEntries",
         summary="Get a user's time entries, newest first")
def get_time_entries(
    workspaceId: WorkspaceId,
    userId: UserId,
    description: Annotated[Optional[str], Query()] = None,
    start: Annotated[Optional[str], Query(description="ISO-8601; entries starting at or after")] = None,
    end: Annotated[Optional[str], Query(description="ISO-8601; entries starting before")] = None,
    project: Annotated[Optional[str], Query()] = None,
    task: Annotated[Optional[str], Query()] = None,
    tags: Annotated[Optional[str], Query(description="Tag ids, repeated or comma-joined")] = None,
    project_required: Annotated[Optional[str], Query(alias="project-required")] = None,
    task_required: Annotated[Optional[str], Query(alias="task-required")] = None,
    in_progress: Annotated[Optional[str], Query(alias="in-progress")] = None,
    hydrated: Flag = None,
    get_week_before: Annotated[Optional[str], Query(alias="get-week-before")] = None,
    page: Annotated[Optional[str], Query()] = None,
    page_size: Annotated[Optional[str], Query(alias="page-size")] = None,
) -> Response[list[time_entries.TimeEntry]]:
    tenant = workspace(app)
    request = paging.page_request(page, page_size)
    mapper = _Mapper(tenant, workspaceId, bool(wire.query_flag(hydrated, "hydrated")))
    member = mapper.directory.member(userId)
    lower, upper = _instant(start, "start"), _instant(end, "end")
    if get_week_before:
        upper = _instant(get_week_before, "get-week-before")
        lower = upper - timedelta(days=7)
    keep = _entry_filter(tenant, description, task, wire.joined(query_values(app, "tags")), wire.query_flag(task_required, "task-required"),
                         wire.query_flag(project_required, "project-required") or bool(get_week_before))
    found: list[Activity] = []
    if keep is not None:
        query = ActivityQuery(lower=lower, upper=upper, user_id=member, project_id=project_id(tenant, project) if project else None,
                              pending=wire.query_flag(in_progress, "in-progress"), limit=MAX_LIMIT, newest_first=True)
        found = _read(tenant, query, request.end + 1, keep)
    return Response(200, JSON, [mapper.entry(activity) for activity in request.slice(found)], headers=paging.headers(request, len(found)))


def _entry_filter(tenant, description: str | None, task: str | None, tag_short_ids: list[str], task_required: bool | None,
                  project_required: bool = False):
    """What the list keeps: the description's text, the task, any of the tags, a task at all, a
    project at all (project-required; get-week-before keeps entries with a project or a task);
    None when a task or every tag names nothing in the workspace (no entry can match)."""
    text = (description or "").lower()
    task_uuid = find_id(tenant, keys.TASK_SK_PREFIX, task) if task else None
    tag_uuids = {found for found in (find_id(tenant, keys.TAG_SK_PREFIX, tag) for tag in tag_short_ids) if found}
    if (task and task_uuid is None) or (tag_short_ids and not tag_uuids):
        return None

    def keep(activity: Activity) -> bool:
        return ((not text or text in (activity.name or "").lower()) and (task_uuid is None or activity.task_id == task_uuid)
                and (not tag_uuids or bool(tag_uuids.intersection(activity.tag_ids)))
                and (not task_required or bool(activity.task_id))
                and (not project_required or bool(activity.project_id or activity.task_id)))
    return keep


def _instant(value: str | None, name: str):
    if value is None or value == "":
        return None
    try:
        return wire.parse_instant(value)
    except ValueError as error:
        raise BadRequest(f"{name}: {error}") from None


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
