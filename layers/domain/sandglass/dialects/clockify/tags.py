"""Tags out: the Clockify view of a tag and the excluded-ids filter (requests in: tag_requests)."""

from sandglass import ids
from sandglass.dialects.clockify.models import ClockifyModel
from sandglass.entities.catalog import Tag as DomainTag


class ClockifyTag(ClockifyModel):
    """Named apart from the Sandtime `Tag` (one OpenAPI component name per model)."""

    id: str
    name: str
    archived: bool
    workspaceId: str


Tag = ClockifyTag


def to_clockify(tag: DomainTag, workspace_id: str) -> Tag:
    return Tag(id=ids.short_id(tag.id), name=tag.name, archived=tag.archived, workspaceId=workspace_id)


def excluding(tags: list[DomainTag], excluded_short_ids: list[str]) -> list[DomainTag]:
    excluded = {value.lower() for value in excluded_short_ids}
    return [tag for tag in tags if ids.short_id(tag.id) not in excluded]
