"""Reads of who is where: an organization's members (the directory) and the organizations an
account may enter. Apart from the user and organization services, whose writes take the Sandtime
request models, so that a route group that only reads them (the Clockify workspace and user routes)
does not load those models.

- Every member may list and read the organization's members.
- An account sees the active organizations it is a member of, in the order of its memberships.
"""

from __future__ import annotations

from sandglass import ids
from sandglass.context import Caller, TenantContext
from sandglass.entities.organizations import Organization
from sandglass.entities.people import Member
from sandglass.errors import NotFound
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.users import UserRepository


class MemberDirectory:
    def __init__(self, repository: UserRepository | None = None):
        self.repository = repository or UserRepository()

    def _require(self, tenant: TenantContext, user_id: str) -> Member:
        member = self.repository.get(tenant.org_id, user_id) if ids.is_uuid(user_id) else None
        if member is None:
            raise NotFound("User not found")
        return member

    def list(self, tenant: TenantContext, limit: int, cursor: str | None) -> tuple[list[Member], str | None]:
        return self.repository.members_page(tenant.org_id, limit, cursor)

    def get(self, tenant: TenantContext, user_id: str) -> Member:
        return self._require(tenant, user_id)

    def directory(self, tenant: TenantContext, max_pages: int = 50) -> list[Member]:
        """Every member of the organization, every page: the Clockify surface filters and pages by number."""
        found: list[Member] = []
        cursor = None
        for _ in range(max_pages):
            members, cursor = self.repository.members_page(tenant.org_id, 1000, cursor)
            found.extend(members)
            if not cursor:
                break
        return found


class OrganizationDirectory:
    def __init__(self, repository: OrganizationRepository | None = None):
        self.repository = repository or OrganizationRepository()

    def get_entity(self, tenant: TenantContext) -> Organization:
        return self.repository.require(tenant.org_id)

    def organizations_of(self, caller: Caller) -> list[Organization]:
        """Every active organization the caller may enter, with its settings (the order of their memberships)."""
        return self.repository.organizations_of(caller.email)
