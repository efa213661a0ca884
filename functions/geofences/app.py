"""Geofences routes: definitions (Administrators manage, every member reads) and the enter/exit
events members' devices send. The rules live in sandglass.services.geofences."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path

from sandglass.http.etag import parse_if_match, with_etag
from sandglass.http.pagination import Cursor, Limit, map_page
from sandglass.http.resolver import create_app
from sandglass.http.tenant import tenant
from sandglass.models import Empty
from sandglass.models.activities import Activity, activity_view
from sandglass.models.geofences import Geofence, GeofenceCreate, GeofenceEvent, GeofenceUpdate, geofence_view
from sandglass.services.geofences import GeofenceService

app = create_app()

JSON = "application/json"

# one service per container, built on the first request (not at import: cold start)
service = cache(GeofenceService)

GeofenceId = Annotated[str, Path(max_length=64, description="The geofence identifier (UUID)")]
IfMatch = Annotated[Optional[str], Header(alias="If-Match")]


@app.get("/geofences", tags=["Geofences"], summary="List geofences (ID-keyed map; paged by limit and cursor)")
def list_geofences(limit: Limit = 100, cursor: Cursor = None) -> Response[dict[str, Geofence]]:
    found, cursor = service().list(tenant(app), limit, cursor)
    return map_page(app, {geofence.id: geofence_view(geofence) for geofence in found}, cursor)


@app.post("/geofences", tags=["Geofences"], summary="Create a geofence (Administrators)")
def post_geofence(body: GeofenceCreate) -> Response[Geofence]:
    return with_etag(geofence_view(service().create(tenant(app), body)))


@app.get("/geofences/<geofenceId>", tags=["Geofences"], summary="Get a geofence")
def get_geofence(geofenceId: GeofenceId) -> Response[Geofence]:
    return with_etag(geofence_view(service().get(tenant(app), geofenceId)))


@app.put("/geofences/<geofenceId>", tags=["Geofences"], summary="Update a geofence (Administrators; any subset of fields)")
def put_geofence(geofenceId: GeofenceId, body: GeofenceUpdate, if_match: IfMatch = None) -> Response[Geofence]:
    return with_etag(geofence_view(service().update(tenant(app), geofenceId, body, parse_if_match(if_match))))


@app.delete("/geofences/<geofenceId>", tags=["Geofences"], summary="Delete a geofence (Administrators)")
def delete_geofence(geofenceId: GeofenceId, if_match: IfMatch = None) -> Empty:
    service().delete(tenant(app), geofenceId, parse_if_match(if_match))
    return {}


@app.post("/geofencing/enter", tags=["Geofences"], summary="A device entered: run the nearest containing geofence's enter action (null if none)")
def post_enter(body: GeofenceEvent) -> Response[Optional[Activity]]:
    started = service().enter(tenant(app), body)
    return Response(status_code=200, content_type=JSON, body=activity_view(started) if started is not None else None)


@app.post("/geofencing/exit", tags=["Geofences"], summary="A device left: stop the timer the geofence being left started")
def post_exit(body: GeofenceEvent) -> Response[list[Activity]]:
    return Response(status_code=200, content_type=JSON, body=[activity_view(activity) for activity in service().exit(tenant(app), body)])


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
