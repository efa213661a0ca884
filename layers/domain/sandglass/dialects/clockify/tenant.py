"""Who calls, in which workspace, and the 24-hex ids of this surface resolved to the domain's UUIDs.

The workspace is the `{workspaceId}` of the path: the authorizer resolves it among the caller's own
memberships (a workspace they are not in is not found) and hands over the same tenant context as
on the Sandtime surface. A Clockify user id is the person's (ids.person_short_id: the same in
every workspace); the domain's member ids are per organization, so the directory maps both ways.
"""

from __future__ import annotations

from functools import cached_property

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from sandglass import ids, keys
from sandglass.context import TenantContext
from sandglass.entities.people import Member
from sandglass.errors import BadRequest, NotFound
from sandglass.http import tenant as http_tenant
from sandglass.repositories.short_ids import ShortIdRepository
from sandglass.repositories.users import UserRepository

MAX_MEMBER_PAGES = 50


def workspace(app: APIGatewayRestResolver) -> TenantContext:
    """The caller as a member of the path's workspace; 404 `{message, code}` when it is not theirs."""
    try:
        return http_tenant.tenant(app)
    except NotFound:
        raise NotFound("Workspace not found") from None


def entity_id(tenant: TenantContext, sk_prefix: str, short_id: str | None, what: str) -> str:
    """The UUID of the workspace's entity named by a 24-hex id, or 404 `{what} not found`."""
    found = ShortIdRepository().entity_id(tenant.org_id, sk_prefix, short_id) if short_id else None
    if found is None:
        raise NotFound(f"{what} not found")
    return found


def project_id(tenant: TenantContext, short_id: str | None) -> str:
    return entity_id(tenant, keys.PROJECT_SK_PREFIX, short_id, "Project")


def activity_id(tenant: TenantContext, short_id: str | None) -> str:
    return entity_id(tenant, keys.ACTIVITY_SK_PREFIX, short_id, "Time entry")


def find_id(tenant: TenantContext, sk_prefix: str, short_id: str) -> str | None:
    """The UUID of the workspace's entity named by a 24-hex id, or None (a filter naming nothing)."""
    return ShortIdRepository().entity_id(tenant.org_id, sk_prefix, short_id)


def reference_id(tenant: TenantContext, sk_prefix: str, short_id: str, field: str) -> str:
    """The UUID a body's reference (`taskId`, `tagIds`, `clientId`) names; 400 when it names nothing
    in the workspace (a bad reference in a body is bad input, not a missing resource)."""
    found = find_id(tenant, sk_prefix, short_id)
    if found is None:
        raise BadRequest(f"{field}: no {short_id} in the workspace")
    return found


class Directory:
    """The workspace's members by person id, read once per request and only when a member other
    than the caller is involved (the caller's own ids need no read)."""

    def __init__(self, tenant: TenantContext, repository: UserRepository | None = None):
        self.tenant = tenant
        self.repository = repository or UserRepository()
        self.own_person = ids.person_short_id(tenant.email)

    @cached_property
    def members(self) -> list[Member]:
        found: list[Member] = []
        cursor = None
        for _ in range(MAX_MEMBER_PAGES):
            members, cursor = self.repository.members_page(self.tenant.org_id, 1000, cursor)
            found.extend(members)
            if not cursor:
                break
        return found

    @cached_property
    def _by_member(self) -> dict[str, Member]:
        return {member.id: member for member in self.members}

    def person(self, member_id: str) -> str:
        """The person's 24-hex id of a member of this workspace."""
        if member_id == self.tenant.user_id:
            return self.own_person
        member = self._by_member.get(member_id)
        return ids.person_short_id(member.email) if member else ids.short_id(member_id)

    def member(self, person_short_id: str | None) -> str:
        """The member id in this workspace of the person named by a Clockify user id; 404 when none."""
        wanted = (person_short_id or "").lower()
        if wanted == self.own_person:
            return self.tenant.user_id
        if ids.is_short_id(wanted):
            for member in self.members:
                if ids.person_short_id(member.email) == wanted:
                    return member.id
        raise NotFound("User not found")
