"""Projects: list (filters), get, create, update, delete.

Sandglass projects have no client, color, visibility or template flag yet: those fields go out
as Clockify's defaults (no client, `#03A9F4`, `public: false`, `template: false`) and are ignored in.
"""

from __future__ import annotations

from typing import Any, Optional

from pydantic import Field

from sandglass import ids
from sandglass.dialects.clockify.models import ClockifyModel, Rate
from sandglass.dialects.clockify.wire import LenientBool, OptionalShortId

DEFAULT_COLOR = "#03A9F4"


class Estimate(ClockifyModel):
    estimate: str = "PT0S"
    type: str = "AUTO"


class ProjectMembership(ClockifyModel):
    userId: str
    hourlyRate: Optional[Rate] = None
    costRate: Optional[Rate] = None
    targetId: str
    membershipType: str = "PROJECT"
    membershipStatus: str = "ACTIVE"


class Project(ClockifyModel):
    id: str
    name: str
    hourlyRate: Optional[Rate] = None
    costRate: Optional[Rate] = None
    clientId: str = ""
    clientName: str = ""
    workspaceId: str
    billable: bool
    memberships: list[ProjectMembership] = []
    color: str = DEFAULT_COLOR
    estimate: Estimate = Estimate()
    archived: bool
    duration: Optional[str] = None
    note: str = ""
    template: bool = False
    public: bool = False
    timeEstimate: Optional[dict] = None
    budgetEstimate: Optional[dict] = None
    estimateReset: Optional[dict] = None


class ProjectRequest(ClockifyModel):
    """POST body (and PUT, where every field is optional). Unknown fields are ignored."""

    name: Optional[str] = Field(None, max_length=250)
    clientId: OptionalShortId = None
    color: Optional[str] = None
    billable: LenientBool = None
    isPublic: LenientBool = None
    note: Optional[str] = Field(None, max_length=16384)
    archived: LenientBool = None


def to_clockify(project: dict[str, Any], workspace_id: str, memberships: list[ProjectMembership] | None = None) -> Project:
    """A project (the domain's project view) as Clockify's Project."""
    return Project(id=ids.short_id(project["id"]), name=project["name"], workspaceId=workspace_id, billable=bool(project.get("billable")),
                   archived=bool(project.get("archived")), note=project.get("notes") or "", memberships=memberships or [])


def from_clockify(body: ProjectRequest, *, creating: bool) -> dict[str, Any]:
    """The domain's project fields a Clockify body sets (absent ones stay as they are on update)."""
    fields: dict[str, Any] = {}
    if body.name is not None:
        fields["name"] = body.name
    if body.note is not None:
        fields["notes"] = body.note
    if body.billable is not None:
        fields["billable"] = body.billable
    if body.archived is not None:
        fields["archived"] = body.archived
    if creating:
        fields.setdefault("billable", True)
    return fields



def filtered(items: list[dict[str, Any]], *, name: str | None, strict: bool, billable: bool | None, template: bool | None,
             clients: list[str], contains_client: bool | None, sort_order: str | None) -> list[dict[str, Any]]:
    """Clockify's project filters over the domain's projects, by name (default order)."""
    if template:
        return []  # no project is a template
    if clients and contains_client is not False:
        return []  # no project has a client
    chosen = []
    for item in items:
        if name and ((item["name"].lower() != name.lower()) if strict else (name.lower() not in item["name"].lower())):
            continue
        if billable is not None and bool(item.get("billable")) != billable:
            continue
        chosen.append(item)
    chosen.sort(key=lambda item: (item["name"].lower(), item["id"]), reverse=(sort_order or "").upper() == "DESCENDING")
    return chosen
