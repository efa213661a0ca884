"""Tags: list (name, strict-name-search, excluded-ids, archived, sorting), get, create, update, delete."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import Field

from sandglass import ids
from sandglass.dialects.clockify.models import ClockifyModel
from sandglass.dialects.clockify.wire import LenientBool
from sandglass.entities.catalog import Tag as DomainTag


class ClockifyTag(ClockifyModel):
    """Named apart from the Sandtime `Tag` (one OpenAPI component name per model)."""

    id: str
    name: str
    archived: bool
    workspaceId: str


Tag = ClockifyTag

class TagRequest(ClockifyModel):
    """POST `{name}`; PUT `{name, archived}` (a field left out stays as it is)."""

    name: Optional[str] = Field(None, max_length=100)
    archived: LenientBool = None


def to_clockify(tag: DomainTag, workspace_id: str) -> Tag:
    return Tag(id=ids.short_id(tag.id), name=tag.name, archived=tag.archived, workspaceId=workspace_id)


def from_clockify(body: TagRequest) -> dict[str, Any]:
    """The fields the body sets, in the Sandtime models' words (which validate them: models.catalog)."""
    return {name: value for name, value in (("name", body.name), ("archived", body.archived)) if value is not None}


def excluding(tags: list[DomainTag], excluded_short_ids: list[str]) -> list[DomainTag]:
    excluded = {value.lower() for value in excluded_short_ids}
    return [tag for tag in tags if ids.short_id(tag.id) not in excluded]
