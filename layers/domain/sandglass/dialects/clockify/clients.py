"""Clients: list (name, archived, sorting), get, create, update (archive cascades), delete.

Sandglass keeps a client's currency as an ISO 4217 code: it goes out as `currencyCode`; Clockify's
`currencyId` (an id of a workspace currency entity Sandglass does not have) goes out null and is
ignored in.
"""

from typing import Any, Optional

from pydantic import Field

from sandglass import ids
from sandglass.dialects.clockify.models import ClockifyModel, parsed
from sandglass.dialects.clockify.wire import LenientBool
from sandglass.entities.catalog import Client as DomainClient
from sandglass.models.catalog import ClientCreate, ClientUpdate


class ClockifyClient(ClockifyModel):
    """Named apart from the Sandtime `Client` (one OpenAPI component name per model)."""

    id: str
    name: str
    email: Optional[str] = None
    ccEmails: list[str] = []
    address: Optional[str] = None
    note: Optional[str] = None
    archived: bool
    currencyId: Optional[str] = None
    currencyCode: Optional[str] = None
    workspaceId: str


Client = ClockifyClient

class ClientRequest(ClockifyModel):
    """POST `{name, email, address, note}`; PUT adds `archived`, `ccEmails` (at most 3), `currencyId`."""

    name: Optional[str] = Field(None, max_length=100)
    email: Optional[str] = None
    address: Optional[str] = Field(None, max_length=3000)
    note: Optional[str] = Field(None, max_length=3000)
    archived: LenientBool = None
    ccEmails: Optional[list[str]] = Field(None, max_length=3)


def to_clockify(client: DomainClient, workspace_id: str) -> Client:
    return Client(id=ids.short_id(client.id), name=client.name, email=client.email, ccEmails=list(client.cc_emails), address=client.address,
                  note=client.note, archived=client.archived, currencyCode=client.currency, workspaceId=workspace_id)


def _fields(body: ClientRequest) -> dict[str, Any]:
    """The fields the body sets; "" clears an optional text, as Clockify's web app sends it."""
    fields: dict[str, Any] = {}
    if body.name is not None:
        fields["name"] = body.name
    for name in ("email", "address", "note"):
        value = getattr(body, name)
        if value is not None:
            fields[name] = value or None
    if body.archived is not None:
        fields["archived"] = body.archived
    if body.ccEmails is not None:
        fields["ccEmails"] = body.ccEmails
    return fields


def create_request(body: ClientRequest) -> ClientCreate:
    """A POST body as the catalog's create request (which validates it: models.catalog)."""
    return parsed(ClientCreate, _fields(body))


def update_request(body: ClientRequest) -> ClientUpdate:
    """A PUT body as the catalog's update request (the fields it sends)."""
    return parsed(ClientUpdate, _fields(body))
