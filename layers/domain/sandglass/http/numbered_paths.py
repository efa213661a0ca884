"""Sandtime paths name a person, project, group or activity by its integer id too (docs/ids.md).

`/api/activities/17`, `/api/projects/4/members`, `/api/users/2/rates/cost`, `/api/groups/3`: the id
segment right after the collection, when it is an integer id (1-18 ASCII digits), is replaced by the
entity's uuid before the route is matched, with one GetItem of its alias in the caller's
organization. Everything else is untouched: UUID paths cost nothing more and answer exactly as
before, and bodies and query parameters take UUIDs only. An integer the organization does not have
(or another organization's) becomes the nil UUID, which no entity has: the route answers its usual
404, as for any unknown id.
"""

from __future__ import annotations

from typing import Any, Callable

from sandglass.http.tenant import MEMBER
from sandglass.services.int_ids import IntIdService, as_number

COLLECTIONS = {"activities": "activity", "projects": "project", "users": "person", "groups": "group"}
NO_ENTITY = "00000000-0000-0000-0000-000000000000"  # the nil UUID: never minted (ids are version 4 or 5)


def numbered_path(event: dict[str, Any], service: Callable[[], IntIdService]) -> None:
    """Rewrite `event`'s path (and its pathParameters) in place when it names an entity by integer id."""
    path = event.get("path")
    if not isinstance(path, str):
        return
    segments = path.split("/")
    start = 2 if len(segments) > 1 and segments[1] == "api" else 1
    if len(segments) <= start + 1 or segments[start] not in COLLECTIONS or as_number(segments[start + 1]) is None:
        return
    context = ((event.get("requestContext") or {}).get("authorizer")) or {}
    org_id = context.get("orgId")
    if context.get("membership") != MEMBER or not org_id:
        return  # the route answers 403/404 as it does for any id
    number = segments[start + 1]
    found = service().resolve(org_id, COLLECTIONS[segments[start]], number) or NO_ENTITY
    segments[start + 1] = found
    event["path"] = "/".join(segments)
    parameters = event.get("pathParameters")
    if isinstance(parameters, dict):
        event["pathParameters"] = {name: found if value == number else value for name, value in parameters.items()}
