"""Who is calling, for which organization: built from the authorizer's context only."""

from __future__ import annotations

from msgspec import Struct

from sandglass.errors import Forbidden

ADMINISTRATOR = "Administrator"
USER = "User"
# Reads everything an Administrator reads, writes nothing (every write answers 403).
AUDITOR = "Auditor"
ORGANIZATION_ROLES = (ADMINISTRATOR, AUDITOR, USER)

# A member's lifecycle (the user item's `status`) and an organization's (its item's `status`).
INVITED = "INVITED"
ACTIVE = "ACTIVE"
DELETED = "DELETED"


AUDITOR_READ_ONLY = "Auditors read everything in the organization and change nothing"

# The authorizer context's `credential`: what authenticated the request.
SESSION_CREDENTIAL = "bearer"
API_KEY_CREDENTIAL = "api-key"


class Caller(Struct, frozen=True):
    """The authenticated account, whatever organization the request targets."""

    email: str
    subject: str


class TenantContext(Struct, frozen=True):
    """The caller as a member of the organization the request targets."""

    org_id: str
    domain: str
    user_id: str
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        """May write anything in the organization."""
        return self.role == ADMINISTRATOR

    @property
    def reads_all(self) -> bool:
        """May read everything in the organization (Administrators and Auditors)."""
        return self.role in (ADMINISTRATOR, AUDITOR)

    @property
    def can_write(self) -> bool:
        """Auditors write nothing; everyone else writes what their role allows."""
        return self.role != AUDITOR

    def reading(self) -> "TenantContext":
        """This caller with read access to the whole organization and no write access: for a read
        that an access rule outside the role already allowed (e.g. a group's manager reading the
        group's timesheets on the 4me surface)."""
        return TenantContext(org_id=self.org_id, domain=self.domain, user_id=self.user_id, email=self.email, role=AUDITOR)

    def require_reads_all(self) -> None:
        if not self.reads_all:
            raise Forbidden("Only organization Administrators and Auditors can read this")

    def require_writer(self) -> None:
        if not self.can_write:
            raise Forbidden(AUDITOR_READ_ONLY, code="READ_ONLY_ROLE")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Only organization Administrators can do this")
