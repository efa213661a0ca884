"""Tags: list (name, strict-name-search, excluded-ids, archived, sorting), get, create, update, delete."""

from typing import Any, Optional

from pydantic import Field

from sandglass import ids
from sandglass.dialects.clockify.models import ClockifyModel, parsed
from sandglass.dialects.clockify.wire import LenientBool
from sandglass.entities.catalog import Tag as DomainTag
from sandglass.models.catalog import TagCreate, TagUpdate


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


def _fields(body: TagRequest) -> dict[str, Any]:
    return {name: value for name, value in (("name", body.name), ("archived", body.archived)) if value is not None}


def create_request(body: TagRequest) -> TagCreate:
    """A POST body as the catalog's create request (which validates it: models.catalog)."""
    return parsed(TagCreate, _fields(body))


def update_request(body: TagRequest) -> TagUpdate:
    """A PUT body as the catalog's update request (the fields it sends)."""
    return parsed(TagUpdate, _fields(body))


def excluding(tags: list[DomainTag], excluded_short_ids: list[str]) -> list[DomainTag]:
    excluded = {value.lower() for value in excluded_short_ids}
    return [tag for tag in tags if ids.short_id(tag.id) not in excluded]
