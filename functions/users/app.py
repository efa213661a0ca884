"""Users routes: the member directory and invitations, preferences, cost rates.

Lists are Sandtime's ID-keyed maps, paged with `?limit=` (1-500, default 100) and `?cursor=`;
the next page's cursor comes back in `X-Next-Cursor` and a `Link: <...>; rel="next"` header.
"""

from __future__ import annotations

from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from sandglass.composition.groups import groups
from sandglass.composition.users import users
from sandglass.http.etag import parse_if_match, with_etag
from sandglass.http.pagination import Cursor, Limit, map_page
from sandglass.http.resolver import create_app
from sandglass.http.tenant import tenant
from sandglass.models import Empty
from sandglass.models.groups import Group, GroupCreate, GroupMember, GroupPlacement, GroupUpdate, group_view, member_view
from sandglass.models.rates import CostRate, RateCreate, RateUpdate, cost_rate_view
from sandglass.models.users import (
    Preferences,
    PreferencesUpdate,
    User,
    UserInvite,
    UserUpdate,
    user_view,
)

app = create_app()


# one service per container, built on the first request (not at import: cold start)
service = users

ME = "me"


def _user(user_id: str) -> str:
    """`/users/me/...` is the caller (their id is also in GET /auth)."""
    return tenant(app).user_id if user_id == ME else user_id


@app.get("/users", tags=["Users"], summary="List the organization's users")
def list_users(limit: Limit = 100, cursor: Cursor = None) -> Response[dict[str, User]]:
    found, next_cursor = service().list(tenant(app), limit, cursor)
    return map_page(app, {member.id: user_view(member) for member in found}, next_cursor)


@app.post("/users", tags=["Users"], summary="Invite a user (Administrators); an existing member is re-invited")
def invite_user(body: UserInvite) -> Response[User]:
    return with_etag(user_view(service().invite(tenant(app), body)))


@app.get("/users/<userId>", tags=["Users"], summary="Get a user (`/users/me`: yourself; `me` works on every /users/{userId} route)")
def get_user(userId: str) -> Response[User]:
    return with_etag(user_view(service().get(tenant(app), _user(userId))))


@app.put("/users/<userId>", tags=["Users"], summary="Update a user (own profile; role and archived: Administrators)")
def put_user(userId: str, body: UserUpdate, if_match: Annotated[Optional[str], Header(alias="If-Match")] = None) -> Response[User]:
    return with_etag(user_view(service().update(tenant(app), _user(userId), body, parse_if_match(if_match))))


@app.delete("/users/<userId>", tags=["Users"], summary="Remove a user (Administrators); their data is purged asynchronously")
def delete_user(userId: str) -> Empty:
    service().delete(tenant(app), _user(userId))
    return {}


@app.get("/users/<userId>/preferences", tags=["Users"], summary="Get your preferences")
def get_preferences(userId: str) -> Preferences:
    return service().get_preferences(tenant(app), _user(userId))


@app.put("/users/<userId>/preferences", tags=["Users"], summary="Update your preferences (nested objects merge)")
def put_preferences(userId: str, body: PreferencesUpdate) -> Preferences:
    return service().update_preferences(tenant(app), _user(userId), body)


@app.get("/users/<userId>/rates/cost", tags=["Users"], summary="List a user's cost rates")
def list_cost(userId: str, limit: Limit = 100, cursor: Cursor = None) -> Response[dict[str, CostRate]]:
    found, next_cursor = service().list_cost(tenant(app), _user(userId), limit, cursor)
    return map_page(app, {window.id: cost_rate_view(window) for window in found}, next_cursor)


@app.post("/users/<userId>/rates/cost", tags=["Users"], summary="Create a cost rate window (Administrators)")
def create_cost(userId: str, body: RateCreate) -> CostRate:
    return cost_rate_view(service().create_cost(tenant(app), _user(userId), body))


@app.get("/users/<userId>/rates/cost/<costId>", tags=["Users"], summary="Get a cost rate window")
def get_cost(userId: str, costId: str) -> CostRate:
    return cost_rate_view(service().get_cost(tenant(app), _user(userId), costId))


@app.put("/users/<userId>/rates/cost/<costId>", tags=["Users"], summary="Update a cost rate window (Administrators)")
def put_cost(userId: str, costId: str, body: RateUpdate) -> CostRate:
    return cost_rate_view(service().update_cost(tenant(app), _user(userId), costId, body))


@app.delete("/users/<userId>/rates/cost/<costId>", tags=["Users"], summary="Delete a cost rate window (Administrators)")
def delete_cost(userId: str, costId: str) -> Empty:
    service().delete_cost(tenant(app), _user(userId), costId)
    return {}


# --- groups of people (a manager and a substitute each; a person's group history by day) -----------
IfMatch = Annotated[Optional[str], Header(alias="If-Match")]


@app.get("/groups", tags=["Groups"], summary="List the organization's groups of people (ID-keyed map; paged by limit and cursor)")
def list_groups(limit: Limit = 100, cursor: Cursor = None) -> Response[dict[str, Group]]:
    found, next_cursor = groups().list(tenant(app), limit, cursor)
    return map_page(app, {group.id: group_view(group) for group in found}, next_cursor)


@app.post("/groups", tags=["Groups"], summary="Create a group (Administrators)")
def post_group(body: GroupCreate) -> Response[Group]:
    return with_etag(group_view(groups().create(tenant(app), body.name, body.managerId, body.substituteId)))


@app.get("/groups/<groupId>", tags=["Groups"], summary="Get a group")
def get_group(groupId: str) -> Response[Group]:
    return with_etag(group_view(groups().get(tenant(app), groupId)))


@app.put("/groups/<groupId>", tags=["Groups"], summary="Update a group (Administrators; any subset of fields; null clears a leader)")
def put_group(groupId: str, body: GroupUpdate, if_match: IfMatch = None) -> Response[Group]:
    changes = body.model_dump(exclude_unset=True)
    return with_etag(group_view(groups().update(tenant(app), groupId, changes, parse_if_match(if_match))))


@app.delete("/groups/<groupId>", tags=["Groups"], summary="Delete a group (Administrators); the memberships' history is kept")
def delete_group(groupId: str, if_match: IfMatch = None) -> Empty:
    groups().delete(tenant(app), groupId, parse_if_match(if_match))
    return {}


@app.get("/groups/<groupId>/members", tags=["Groups"], summary="The group's membership history: who joined it from which day")
def list_group_members(groupId: str) -> list[GroupMember]:
    return [member_view(m).model_dump(by_alias=True, mode="json") for m in groups().members(tenant(app), groupId)]


@app.put("/groups/<groupId>/members/<userId>", tags=["Groups"],
         summary="Put a member in the group from a day (Administrators); their previous group ends the day before")
def put_group_member(groupId: str, userId: str, body: GroupPlacement) -> GroupMember:
    placed = groups().place(tenant(app), groupId, _user(userId), body.from_)
    return member_view(placed).model_dump(by_alias=True, mode="json")


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
