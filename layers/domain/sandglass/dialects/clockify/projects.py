"""Projects: list (filters), get, create, update, delete.

`clientId`/`clientName` are the project's client (the catalog's). Sandglass projects have no color,
visibility or template flag yet: those fields go out as Clockify's defaults (`#03A9F4`,
`public: false`, `template: false`) and are ignored in.
"""

from typing import Any, Optional

from pydantic import Field

from sandglass import ids
from sandglass.dialects.clockify.models import ClockifyModel, Rate, documented_default, parsed
from sandglass.dialects.clockify.wire import LenientBool, OptionalShortId
from sandglass.entities.projects import Project as DomainProject
from sandglass.models.projects import ProjectCreate, ProjectUpdate

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
    estimate: Estimate = Field(default_factory=Estimate, json_schema_extra=documented_default(Estimate))
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


def to_clockify(project: DomainProject, workspace_id: str, memberships: list[ProjectMembership] | None = None,
                client_name: str = "") -> Project:
    """A project as Clockify's Project; `client_name` is its client's."""
    client = project.client_id
    return Project(id=ids.short_id(project.id), name=project.name, workspaceId=workspace_id, billable=project.billable,
                   archived=project.archived, note=project.notes or "", memberships=memberships or [],
                   clientId=ids.short_id(client) if client else "", clientName=client_name if client else "")


def _fields(body: ProjectRequest, client_id: str | None) -> dict[str, Any]:
    """The project fields (the service's request names) a Clockify body sets; `client_id` is the
    UUID of the body's `clientId`."""
    fields: dict[str, Any] = {} if client_id is None else {"clientId": client_id}
    if body.name is not None:
        fields["name"] = body.name
    if body.note is not None:
        fields["notes"] = body.note
    if body.billable is not None:
        fields["billable"] = body.billable
    if body.archived is not None:
        fields["archived"] = body.archived
    return fields


def create_request(body: ProjectRequest, client_id: str | None = None) -> ProjectCreate:
    """A POST body as the project service's create request (billable unless it says otherwise)."""
    fields = _fields(body, client_id)
    fields.setdefault("billable", True)
    return parsed(ProjectCreate, fields)


def update_request(body: ProjectRequest, client_id: str | None = None) -> ProjectUpdate:
    """A PUT body as the project service's update request (absent fields stay as they are)."""
    return parsed(ProjectUpdate, _fields(body, client_id))


def filtered(items: list[DomainProject], *, name: str | None, strict: bool, billable: bool | None, template: bool | None,
             clients: list[str], contains_client: bool | None, sort_order: str | None) -> list[DomainProject]:
    """Clockify's project filters, by name (default order). `clients` (UUIDs) keeps the projects
    of those clients, or (`contains_client` false) the others."""
    if template:
        return []  # no project is a template
    chosen = []
    for item in items:
        if clients and (item.client_id in clients) == (contains_client is False):
            continue
        if name and ((item.name.lower() != name.lower()) if strict else (name.lower() not in item.name.lower())):
            continue
        if billable is not None and item.billable != billable:
            continue
        chosen.append(item)
    chosen.sort(key=lambda item: (item.name.lower(), item.id), reverse=(sort_order or "").upper() == "DESCENDING")
    return chosen
