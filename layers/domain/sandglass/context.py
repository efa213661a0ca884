"""Who is calling, for which organization: built from the authorizer's context only."""

from __future__ import annotations

from dataclasses import dataclass

ADMINISTRATOR = "Administrator"
USER = "User"

# A member's lifecycle (the user item's `status`) and an organization's (its item's `status`).
INVITED = "INVITED"
ACTIVE = "ACTIVE"
DELETED = "DELETED"


@dataclass(frozen=True)
class Caller:
    """The authenticated account, whatever organization the request targets."""

    email: str
    subject: str


@dataclass(frozen=True)
class TenantContext:
    """The caller as a member of the organization the request targets."""

    org_id: str
    domain: str
    user_id: str
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMINISTRATOR

    def require_admin(self) -> None:
        if not self.is_admin:
            from sandglass.errors import Forbidden

            raise Forbidden("Only organization Administrators can do this")
