"""Activities routes: time entries, running timers and administrators' corrections.

Thin handlers: validate (pydantic), one ActivityService call, shape the response (ETag, paging
headers). The rules live in sandglass.services.activities.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query

from sandglass.http.etag import etag, parse_if_match
from sandglass.http.pagination import map_page
from sandglass.http.resolver import create_app
from sandglass.http.tenant import tenant
from sandglass.models import Empty
from sandglass.models.activities import Activity, ActivityCreate, ActivityUpdate, activity_view
from sandglass.models.common import EntityId, InstantBound
from sandglass.models.rerates import RerateApplied, RerateRequest, RerateView, rerate_applied_view, rerate_view
from sandglass.services.activities import DEFAULT_LIMIT, MAX_LIMIT, ActivityQuery, ActivityResult, ActivityService
from sandglass.services.rerate import RerateService
from sandglass.observability import count

app = create_app()

JSON = "application/json"


# one service per container, built on the first request (not at import: cold start)
service = cache(ActivityService)


def _entity(result: ActivityResult) -> Response[Activity]:
    headers = {"ETag": etag(result.version)}
    if result.overlapping:  # the organization's overlapPolicy is warn
        headers["X-Overlapping-Activities"] = ",".join(result.overlapping)
    return Response(status_code=200, content_type=JSON, body=activity_view(result.activity), headers=headers)


ActivityId = Annotated[str, Path(max_length=64, description="The activity identifier (UUID)")]
IfMatch = Annotated[Optional[str], Header(alias="If-Match")]


LIST_DESCRIPTION = (
    "Activities with `from <= startedAt < to`, in start order, paged by `limit` and the `X-Next-Cursor` cursor. "
    "Without filters a User (or project Administrator) gets their own entries. An organization Administrator "
    "without `from` and `to` gets every entry of the organization, newest first, month by month (an entry just "
    "recorded for another month never vanishes from the default list); with `from` and/or `to`, the organization's "
    "entries in that window in start order, at most 12 months per request. `userId` and `projectId` narrow to a "
    "member's or a project's entries."
)


@app.get("/activities", tags=["Activities"], summary="List activities (ID-keyed map, start order; paged by limit and cursor)",
         description=LIST_DESCRIPTION)
def list_activities(
    from_: Annotated[Optional[InstantBound], Query(alias="from", description="ISO-8601 instant with an offset; startedAt >= from")] = None,
    to: Annotated[Optional[InstantBound], Query(description="ISO-8601 instant with an offset; startedAt < to")] = None,
    user_id: Annotated[Optional[EntityId], Query(alias="userId")] = None,
    project_id: Annotated[Optional[EntityId], Query(alias="projectId")] = None,
    pending: Annotated[Optional[Literal["true", "false"]], Query(description="true: running timers only; false: stopped entries only")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[Optional[str], Query(max_length=4096)] = None,
) -> Response[dict[str, Activity]]:
    query = ActivityQuery(lower=from_, upper=to, user_id=user_id, project_id=project_id,
                          pending=None if pending is None else pending == "true", limit=limit, cursor=cursor)
    result = service().list(tenant(app), query)
    echoed = app.current_event.query_string_parameters or {}
    views = {activity_id: activity_view(activity) for activity_id, activity in result.activities.items()}
    return map_page(app, views, result.cursor, {name: echoed.get(name) for name in ("from", "to", "userId", "projectId", "pending")} | {"limit": str(limit)})


@app.post("/activities", tags=["Activities"], summary="Create an activity, or start a timer with pending: true")
def post_activity(
    body: ActivityCreate,
    idempotency_key: Annotated[Optional[str], Header(alias="Idempotency-Key")] = None,
) -> Response[Activity]:
    result = service().create(tenant(app), body, idempotency_key)
    if result.activity.running:
        count("TimerStarts")
    return _entity(result)


@app.post("/activities/rerate/preview", tags=["Activities"],
          summary="Preview a re-rate (Administrators): the entries whose kept rates differ from the windows in force, old and new amounts")
def post_rerate_preview(body: RerateRequest) -> RerateView:
    return rerate_view(RerateService(service().repository).preview(tenant(app), body))


@app.post("/activities/rerate/apply", tags=["Activities"],
          summary="Apply a re-rate (Administrators): entries keep the rates in force now; locked or approved periods need force: true")
def post_rerate_apply(body: RerateRequest) -> RerateApplied:
    return rerate_applied_view(RerateService(service().repository).apply(tenant(app), body))


@app.get("/activities/<activityId>", tags=["Activities"], summary="Get an activity")
def get_activity(activityId: ActivityId) -> Response[Activity]:
    return _entity(service().get(tenant(app), activityId))


@app.put("/activities/<activityId>", tags=["Activities"], summary="Update an activity (endedAt stops a running timer)")
def put_activity(activityId: ActivityId, body: ActivityUpdate, if_match: IfMatch = None) -> Response[Activity]:
    return _entity(service().update(tenant(app), activityId, body, parse_if_match(if_match)))


@app.delete("/activities/<activityId>", tags=["Activities"], summary="Delete an activity")
def delete_activity(activityId: ActivityId, if_match: IfMatch = None) -> Empty:
    service().delete(tenant(app), activityId, parse_if_match(if_match))
    return {}


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
