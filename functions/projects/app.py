"""Projects routes: projects, project members, member revenue rates.

Lists are Sandtime's ID-keyed maps, paged with `?limit=` (1-500, default 100) and `?cursor=`;
the next page's cursor comes back in `X-Next-Cursor` and a `Link: <...>; rel="next"` header.
`GET /projects` lists active projects; `?archived=true` lists archived ones, `?archived=include` both.
`DELETE /projects/{id}` refuses (409) a project that has activities; `?cascade=true` (organization
Administrators) deletes it with its activities, asynchronously.
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
from sandglass.models.projects import (
    MemberCreate,
    MemberUpdate,
    Project,
    ProjectCreate,
    ProjectMember,
    ProjectUpdate,
)
from sandglass.models.rates import RateCreate, RateUpdate, RevenueRate
from sandglass.services.project_rates import ProjectRateService
from sandglass.services.projects import ProjectService

app = create_app()

IfMatch = Annotated[Optional[str], Header(alias="If-Match")]


# one service per container, built on the first request (not at import: cold start)
service = cache(ProjectService)
revenue = cache(ProjectRateService)


@app.get("/projects", tags=["Projects"], summary="List projects (active unless ?archived=true|include)")
def list_projects(archived: Annotated[Literal["false", "true", "include"], Query()] = "false", limit: Limit = 100, cursor: Cursor = None) -> Response[dict[str, Project]]:
    return map_page(app, *service().list(tenant(app), archived, limit, cursor))


@app.post("/projects", tags=["Projects"], summary="Create a project (Administrators); the creator becomes its Administrator")
def create_project(body: ProjectCreate) -> Response[Project]:
    return with_etag(service().create(tenant(app), body))


@app.get("/projects/<projectId>", tags=["Projects"], summary="Get a project")
def get_project(projectId: str) -> Response[Project]:
    return with_etag(service().get(tenant(app), projectId))


@app.put("/projects/<projectId>", tags=["Projects"], summary="Update a project")
def put_project(projectId: str, body: ProjectUpdate, if_match: IfMatch = None) -> Response[Project]:
    return with_etag(service().update(tenant(app), projectId, body, parse_if_match(if_match)))


@app.delete("/projects/<projectId>", tags=["Projects"], summary="Delete a project (409 if it has activities, unless ?cascade=true)")
def delete_project(projectId: str, cascade: Annotated[bool, Query()] = False) -> Empty:
    service().delete(tenant(app), projectId, cascade)
    return {}


@app.get("/projects/<projectId>/members", tags=["Projects"], summary="List project members")
def list_members(projectId: str, limit: Limit = 100, cursor: Cursor = None) -> Response[dict[str, ProjectMember]]:
    return map_page(app, *service().list_members(tenant(app), projectId, limit, cursor))


@app.post("/projects/<projectId>/members", tags=["Projects"], summary="Add a user to the project")
def create_member(projectId: str, body: MemberCreate) -> Response[ProjectMember]:
    return with_etag(service().add_member(tenant(app), projectId, body))


@app.get("/projects/<projectId>/members/<memberId>", tags=["Projects"], summary="Get a project member")
def get_member(projectId: str, memberId: str) -> Response[ProjectMember]:
    return with_etag(service().get_member(tenant(app), projectId, memberId))


@app.put("/projects/<projectId>/members/<memberId>", tags=["Projects"], summary="Update a project member")
def put_member(projectId: str, memberId: str, body: MemberUpdate, if_match: IfMatch = None) -> Response[ProjectMember]:
    return with_etag(service().update_member(tenant(app), projectId, memberId, body, parse_if_match(if_match)))


@app.delete("/projects/<projectId>/members/<memberId>", tags=["Projects"], summary="Remove a member (and their revenue rates)")
def delete_member(projectId: str, memberId: str) -> Empty:
    service().remove_member(tenant(app), projectId, memberId)
    return {}


@app.get("/projects/<projectId>/members/<memberId>/rates/revenue", tags=["Projects"], summary="List a member's revenue rates")
def list_revenue(projectId: str, memberId: str, limit: Limit = 100, cursor: Cursor = None) -> Response[dict[str, RevenueRate]]:
    return map_page(app, *revenue().list_revenue(tenant(app), projectId, memberId, limit, cursor))


@app.post("/projects/<projectId>/members/<memberId>/rates/revenue", tags=["Projects"], summary="Create a revenue rate window")
def create_revenue(projectId: str, memberId: str, body: RateCreate) -> RevenueRate:
    return revenue().create_revenue(tenant(app), projectId, memberId, body)


@app.get("/projects/<projectId>/members/<memberId>/rates/revenue/<revenueId>", tags=["Projects"], summary="Get a revenue rate window")
def get_revenue(projectId: str, memberId: str, revenueId: str) -> RevenueRate:
    return revenue().get_revenue(tenant(app), projectId, memberId, revenueId)


@app.put("/projects/<projectId>/members/<memberId>/rates/revenue/<revenueId>", tags=["Projects"], summary="Update a revenue rate window")
def put_revenue(projectId: str, memberId: str, revenueId: str, body: RateUpdate) -> RevenueRate:
    return revenue().update_revenue(tenant(app), projectId, memberId, revenueId, body)


@app.delete("/projects/<projectId>/members/<memberId>/rates/revenue/<revenueId>", tags=["Projects"], summary="Delete a revenue rate window")
def delete_revenue(projectId: str, memberId: str, revenueId: str) -> Empty:
    revenue().delete_revenue(tenant(app), projectId, memberId, revenueId)
    return {}


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
