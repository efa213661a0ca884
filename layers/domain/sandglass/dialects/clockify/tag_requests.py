"""Tag requests in: a Clockify tag body (POST, PUT) as the catalog's create or update request."""

from typing import Any, Optional

from pydantic import Field

from sandglass.dialects.clockify.models import ClockifyModel, parsed
from sandglass.dialects.clockify.wire import LenientBool
from sandglass.models.catalog import TagCreate, TagUpdate


class TagRequest(ClockifyModel):
    """POST `{name}`; PUT `{name, archived}` (a field left out stays as it is)."""

    name: Optional[str] = Field(None, max_length=100)
    archived: LenientBool = None


def _fields(body: TagRequest) -> dict[str, Any]:
    return {name: value for name, value in (("name", body.name), ("archived", body.archived)) if value is not None}


def create_request(body: TagRequest) -> TagCreate:
    """A POST body as the catalog's create request (which validates it: models.catalog)."""
    return parsed(TagCreate, _fields(body))


def update_request(body: TagRequest) -> TagUpdate:
    """A PUT body as the catalog's update request (the fields it sends)."""
    return parsed(TagUpdate, _fields(body))
