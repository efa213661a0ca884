"""Workflow requests: a member asks for something, an Administrator resolves it.

One entity for every kind; the kind (``services/requests/kinds.py``) says which of the optional
fields it uses, who may resolve it and what its approval does.
"""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct


PENDING, RESOLVED, REJECTED = "PENDING", "RESOLVED", "REJECTED"
# the kinds (``WorkflowRequest.kind``)
UNLOCK, APPROVAL = "TIMESHEET_UNLOCK", "TIMESHEET_APPROVAL"
ROLE, MEMBERS, ASSIGNMENT, IMPERSONATION = "PROJECT_MEMBER_ROLE", "PROJECT_MEMBERS", "PROJECT_ASSIGNMENT", "IMPERSONATION"


class WorkflowRequest(Struct, frozen=True, kw_only=True):
    id: str
    kind: str  # TIMESHEET_UNLOCK, TIMESHEET_APPROVAL, PROJECT_MEMBER_ROLE, PROJECT_MEMBERS, PROJECT_ASSIGNMENT, IMPERSONATION
    status: str = PENDING
    created_at: datetime
    created_by: str  # the requester's user id
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    target_digest: str = ""  # what makes two PENDING requests of a kind duplicates (fixed length)
    # the kind's own fields (unused ones stay None or empty)
    year: int | None = None  # ISO week-numbering year (timesheet kinds)
    week: int | None = None
    unlocked_to: datetime | None = None  # end of the unlock window a resolution opened
    project_id: str | None = None  # role change, project members
    member_id: str | None = None  # role change: the project membership
    user_id: str | None = None  # role change: the member's user; impersonation: who support signs in as
    role: str | None = None  # role change: the wanted project role
    user_ids: tuple[str, ...] = ()  # project members: users to add
    project_ids: tuple[str, ...] = ()  # project assignment: requested, once resolved the assigned projects
    reason: str | None = None  # impersonation

    @property
    def pending(self) -> bool:
        return self.status == PENDING


class SignInGrant(Struct, frozen=True, kw_only=True):
    """A one-time support sign-in as a member, issued by an approved impersonation request."""

    user_id: str
    email: str
    request_id: str
    created_at: datetime
    valid_until: datetime


class SupportSession(Struct, frozen=True, kw_only=True):
    """What exchanging a sign-in grant's token yields: a bearer token acting as the member until `expires_at`."""

    token: str
    expires_at: datetime
    user_id: str
    email: str
