"""The request kinds: for each, what it asks (its fields and the checks of asking), who may
resolve it besides organization Administrators, and what its approval does.

A kind's ``ask`` validates and reads (raising the API's errors) and returns a ``Draft``; its
``approve`` reads what the effect needs, decides, and stages the effect into the resolution's unit
of work, returning the resolved request and what to do once it has committed. Both take the
``Workspace``: the repositories, the configured support address and the notifier.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import ClassVar, TypedDict

from msgspec import Struct, field
from msgspec.structs import replace

from sandglass import ids
from sandglass.calendar import check_iso_week
from sandglass.context import TenantContext
from sandglass.entities.locks import LockState, WeekApproval, WeekLock
from sandglass.entities.organizations import Organization
from sandglass.entities.people import Member
from sandglass.entities.workflows import APPROVAL, ASSIGNMENT, IMPERSONATION, MEMBERS, ROLE, UNLOCK, SignInGrant, WorkflowRequest
from sandglass.errors import Conflict, Forbidden, NotFound, ValidationFailed, detail
from sandglass.ports.notifier import Notification
from sandglass.repositories import UnitOfWork
from sandglass.repositories.locks import LockRepository
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.projects import ProjectRepository, new_membership
from sandglass.repositories.requests import RequestRepository
from sandglass.repositories.users import UserRepository
from sandglass.schedule import local_date, monday_of_iso_week, week_label
from sandglass.services.lock_rules import lock_reason, lock_zone, next_week_lock
from sandglass.services.project_access import ProjectAccess, read_project_access
from sandglass.timefmt import iso

SIGN_IN_VALIDITY = timedelta(minutes=15)


def target_digest(*parts: str) -> str:
    """What makes two requests of a kind duplicates, as a fixed-length key part."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class Workspace(Struct):
    """What the kinds read and write through, one table for all."""

    requests: RequestRepository
    locks: LockRepository
    projects: ProjectRepository
    users: UserRepository
    organizations: OrganizationRepository
    support_address: Callable[[], str]  # 409 SUPPORT_NOT_CONFIGURED when the deployment has none
    send: Callable[[Notification], None]  # never raises

    def visible_project(self, tenant: TenantContext, project_id: str) -> str:
        """The project id when the caller may see it (services/project_access.py: an organization
        Administrator or Auditor, or a member of it), else 404 as if it did not exist."""
        return self.project_access(tenant, project_id).project.id

    def project_access(self, tenant: TenantContext, project_id: str, member_id: str | None = None) -> ProjectAccess:
        """The caller's access to the project (services/project_access.py), with the membership `member_id`
        names (None when it names none); ids in any case."""
        canonical = ids.canonical_id(project_id)
        if canonical is None:
            raise NotFound("Project not found")
        return read_project_access(self.projects, tenant, canonical, ids.canonical_id(member_id))

    def require_projects(self, tenant: TenantContext, project_ids: list[str]) -> None:
        found = self.projects.get_projects(tenant.org_id, project_ids)
        missing = [position for position, project_id in enumerate(project_ids) if project_id not in found]
        if missing:
            raise ValidationFailed("Every project must exist in the organization",
                                   details=[detail(f"projectIds.{position}", "No project with this id") for position in missing])

    def administers(self, tenant: TenantContext, project_ids: list[str]) -> bool:
        if not project_ids:
            return False
        members = self.projects.memberships(tenant.org_id, [(project_id, tenant.user_id) for project_id in project_ids])
        return all((membership := members.get((project_id, tenant.user_id))) is not None and membership.administers
                   for project_id in project_ids)

    def active_user(self, org_id: str, user_id: str | None) -> Member | None:
        user = self.users.get(org_id, user_id) if user_id else None
        return None if user is None or user.archived else user

    def stage_joins(self, tx: UnitOfWork, tenant: TenantContext, pairs: list[tuple[str, str]], now: datetime) -> None:
        """Project User memberships for the (project, user) pairs whose user is active and not yet a member."""
        existing = self.projects.memberships(tenant.org_id, pairs)
        users = self.users.get_many(tenant.org_id, [user_id for _, user_id in pairs])
        for project_id, user_id in pairs:
            if (project_id, user_id) not in existing and user_id in users and not users[user_id].archived:
                self.projects.stage_membership(tx, tenant.org_id, new_membership(project_id, user_id, "User", tenant.user_id, now))


class KindFields(TypedDict, total=False):
    """The WorkflowRequest fields a kind sets when asked (entities/workflows.py)."""

    year: int
    week: int
    project_id: str
    member_id: str
    user_id: str
    role: str
    user_ids: tuple[str, ...]
    project_ids: tuple[str, ...]
    reason: str


class Draft(Struct, frozen=True):
    """A request about to be created: its kind's fields, what makes it a duplicate, and the
    conditions its creation commits under (beyond the one-pending-per-target marker)."""

    fields: KindFields
    digest: str
    guard: Callable[[UnitOfWork], None] | None = None


class Effect(Struct, frozen=True):
    """An approval staged: the request as resolved, and what to do once it committed."""

    request: WorkflowRequest
    after: Callable[[], None] | None = field(default=None)


class RequestKind:
    name: ClassVar[str]
    label: ClassVar[str]  # what the notices call it
    resolve_path: ClassVar[str]  # the route that resolves it

    def resolver_projects(self, request: WorkflowRequest, chosen: list[str] | None) -> list[str]:
        """Projects whose Administrators may resolve (and read) the request besides organization Administrators."""
        return []

    def describe(self, request: WorkflowRequest) -> str:
        raise NotImplementedError

    def approve(self, space: Workspace, tx: UnitOfWork, tenant: TenantContext, request: WorkflowRequest, now: datetime,
                chosen: list[str] | None) -> Effect:
        raise NotImplementedError


# --- timesheets -----------------------------------------------------------------------------------

def _week_days(year: int, week: int) -> list[date]:
    monday = monday_of_iso_week(year, week)
    return [monday + timedelta(days=offset) for offset in range(7)]


class _WeekKind(RequestKind):
    def ask(self, space: Workspace, tenant: TenantContext, year: int, week: int, now: datetime) -> Draft:
        """The caller's own ISO week, if the kind accepts it (`_check`): one pending request per member and week."""
        check_iso_week(year, week)
        self._check(space, tenant, space.organizations.require(tenant.org_id), year, week, now)
        return Draft({"year": year, "week": week}, target_digest(tenant.user_id, week_label(year, week)))

    def _check(self, space: Workspace, tenant: TenantContext, organization: Organization, year: int, week: int, now: datetime) -> None:
        raise NotImplementedError

    def _seen(self, space: Workspace, tenant: TenantContext, request: WorkflowRequest) -> tuple[LockState, WeekLock | None]:
        seen = space.locks.read(tenant.org_id, [request.created_by]).of(request.created_by)
        return seen, seen.weeks.get((request.year, request.week))


class TimesheetUnlock(_WeekKind):
    """Any member, for their own ISO week, which must be locked for them now. Approved: an unlock
    window until now + ``unlockWindowHours`` (default 48), withdrawing the week's approval."""

    name, label, resolve_path = UNLOCK, "timesheet unlock", "/requests/{requestId}/timesheets/unlock"

    def _check(self, space: Workspace, tenant: TenantContext, organization: Organization, year: int, week: int, now: datetime) -> None:
        states = space.locks.read(tenant.org_id, [tenant.user_id])
        if all(lock_reason(day, organization.settings, states.organization, states.of(tenant.user_id), now) is None for day in _week_days(year, week)):
            raise Conflict(f"Your timesheet of week {week_label(year, week)} is not locked: there is nothing to unlock", code="WEEK_NOT_LOCKED")

    def describe(self, request: WorkflowRequest) -> str:
        return f"unlocking the timesheet of week {week_label(request.year, request.week)}"

    def approve(self, space, tx, tenant, request, now, chosen) -> Effect:
        seen, existing = self._seen(space, tenant, request)
        organization = space.organizations.require(tenant.org_id)
        until = now + timedelta(hours=organization.settings.unlock_window_hours)
        lock = next_week_lock(existing, request.created_by, request.year, request.week, until, now)
        space.locks.stage_week(tx, tenant.org_id, lock, seen, new=existing is None, withdraw_approval=(request.year, request.week) in seen.approvals)
        return Effect(replace(request, unlocked_to=until))


class TimesheetApproval(_WeekKind):
    """Any member, for their own week once it has started and while it is not approved. Approved:
    the week marked approved and locked for the member."""

    name, label, resolve_path = APPROVAL, "timesheet approval", "/requests/{requestId}/timesheets/approvals"

    def _check(self, space: Workspace, tenant: TenantContext, organization: Organization, year: int, week: int, now: datetime) -> None:
        if monday_of_iso_week(year, week) > local_date(now, lock_zone(organization.settings)):
            raise ValidationFailed.field("week", f"Week {week_label(year, week)} has not started yet: submit it for approval once it has", "path")
        if (year, week) in space.locks.read(tenant.org_id, [tenant.user_id]).of(tenant.user_id).approvals:
            raise Conflict(f"Your timesheet of week {week_label(year, week)} is already approved", code="WEEK_ALREADY_APPROVED")

    def describe(self, request: WorkflowRequest) -> str:
        return f"approval of the timesheet of week {week_label(request.year, request.week)}"

    def approve(self, space, tx, tenant, request, now, chosen) -> Effect:
        seen, existing = self._seen(space, tenant, request)
        lock = next_week_lock(existing, request.created_by, request.year, request.week, None, now)
        approval = WeekApproval(request_id=request.id, approved_at=now, approved_by=tenant.user_id)
        space.locks.stage_week(tx, tenant.org_id, lock, seen, new=existing is None, approval=approval)
        return Effect(request)


# --- projects -------------------------------------------------------------------------------------

class ProjectMemberRole(RequestKind):
    """A member of the project (or an organization Administrator) asks for a member's role to
    become ``role``; the project's Administrators may resolve. Approved: the role set."""

    name, label, resolve_path = ROLE, "project role change", "/requests/{requestId}/projects/members/role"

    def ask(self, space: Workspace, tenant: TenantContext, project_id: str, member_id: str, role: str) -> Draft:
        access = space.project_access(tenant, project_id, member_id)
        project_id, member = access.project.id, access.member
        if member is None:
            raise NotFound("Project member not found")
        member_id = member.id
        if member.role == role:
            raise Conflict(f"This member's role on the project is already {role}", code="ROLE_UNCHANGED")

        def guard(tx: UnitOfWork) -> None:
            space.projects.stage_member_exists(tx, tenant.org_id, project_id, member_id)

        return Draft({"project_id": project_id, "member_id": member_id, "user_id": member.user_id, "role": role},
                     target_digest(member_id, role), guard)

    def resolver_projects(self, request, chosen) -> list[str]:
        return [request.project_id]

    def describe(self, request: WorkflowRequest) -> str:
        return f"the role {request.role} for member {request.member_id} of project {request.project_id}"

    def approve(self, space, tx, tenant, request, now, chosen) -> Effect:
        project, _, member = space.projects.project_with_memberships(tenant.org_id, request.project_id, caller_id=None,
                                                                    member_id=request.member_id)
        if project is None or member is None:
            raise Conflict("The member is no longer on the project: reject the request instead", code="MEMBER_GONE")
        space.projects.stage_role(tx, tenant.org_id, member, request.role, now)
        return Effect(request)


class ProjectMembers(RequestKind):
    """A member of the project (or an organization Administrator) proposes active users to add;
    the project's Administrators may resolve. Approved: those still active and not yet members
    added as project Users."""

    name, label, resolve_path = MEMBERS, "project member assignment", "/requests/{requestId}/projects/members"

    def ask(self, space: Workspace, tenant: TenantContext, project_id: str, user_ids: list[str]) -> Draft:
        project_id = space.visible_project(tenant, project_id)
        user_ids = unique(user_ids)
        users = space.users.get_many(tenant.org_id, user_ids)
        unknown = [position for position, user_id in enumerate(user_ids) if user_id not in users or users[user_id].archived]
        if unknown:
            raise ValidationFailed("Every user must be an active member of the organization",
                                   details=[detail(f"userIds.{position}", "No active user with this id in the organization", "body")
                                            for position in unknown])
        members = space.projects.memberships(tenant.org_id, [(project_id, user_id) for user_id in user_ids])
        if all((project_id, user_id) in members for user_id in user_ids):
            raise Conflict("Every one of these users is already a member of the project", code="ALREADY_MEMBERS")
        return Draft({"project_id": project_id, "user_ids": tuple(user_ids)}, target_digest(project_id, *sorted(user_ids)))

    def resolver_projects(self, request, chosen) -> list[str]:
        return [request.project_id]

    def describe(self, request: WorkflowRequest) -> str:
        return f"adding {len(request.user_ids)} user(s) to project {request.project_id}"

    def approve(self, space, tx, tenant, request, now, chosen) -> Effect:
        if space.projects.get(tenant.org_id, request.project_id) is None:
            raise Conflict("The project no longer exists: reject the request instead", code="PROJECT_GONE")
        space.stage_joins(tx, tenant, [(request.project_id, user_id) for user_id in request.user_ids], now)
        return Effect(request)


class ProjectAssignment(RequestKind):
    """Any member asks to join ``projectIds`` (optional: the resolver may choose); Administrators
    of every chosen project may resolve. Approved: the requester added to the chosen projects."""

    name, label, resolve_path = ASSIGNMENT, "project assignment", "/requests/{requestId}/projects/assign"

    def ask(self, space: Workspace, tenant: TenantContext, project_ids: list[str] | None) -> Draft:
        project_ids = unique(project_ids or [])
        space.require_projects(tenant, project_ids)
        if project_ids:
            members = space.projects.memberships(tenant.org_id, [(project_id, tenant.user_id) for project_id in project_ids])
            if all((project_id, tenant.user_id) in members for project_id in project_ids):
                raise Conflict("You are already a member of every one of these projects", code="ALREADY_MEMBERS")
        return Draft({"project_ids": tuple(project_ids)}, target_digest(tenant.user_id, *sorted(project_ids)))

    def resolver_projects(self, request, chosen) -> list[str]:
        return chosen or list(request.project_ids)

    def describe(self, request: WorkflowRequest) -> str:
        return f"joining {len(request.project_ids)} project(s)" if request.project_ids else "being assigned to projects"

    def approve(self, space, tx, tenant, request, now, chosen) -> Effect:
        chosen = chosen if chosen is not None else list(request.project_ids)
        if not chosen:
            raise ValidationFailed.field("projectIds", "Name the projects to assign the requester to (the request named none)")
        space.require_projects(tenant, chosen)
        if space.active_user(tenant.org_id, request.created_by) is None:
            raise Conflict("The requester is no longer an active member: reject the request instead", code="REQUESTER_GONE")
        space.stage_joins(tx, tenant, [(project_id, request.created_by) for project_id in chosen], now)
        return Effect(replace(request, project_ids=tuple(chosen)))


# --- support sign-in ------------------------------------------------------------------------------

class Impersonation(RequestKind):
    """A member lets support sign in as themselves (an Administrator may ask it for anyone).
    Approved: a one-time sign-in grant, valid 15 minutes, whose token goes to the support address
    through the notifier and never into a response."""

    name, label, resolve_path = IMPERSONATION, "support sign-in (impersonation)", "/requests/{requestId}"

    def ask(self, space: Workspace, tenant: TenantContext, user_id: str | None, reason: str) -> Draft:
        space.support_address()
        target = tenant.user_id if user_id is None else ids.canonical_id(user_id)
        if target != tenant.user_id and not tenant.is_admin:
            raise Forbidden("Members may let support sign in as themselves only; Administrators may ask it for anyone")
        if space.active_user(tenant.org_id, target) is None:
            raise NotFound("User not found")
        return Draft({"user_id": target, "reason": reason}, target_digest(target))

    def describe(self, request: WorkflowRequest) -> str:
        return f"a support sign-in as user {request.user_id}"

    def approve(self, space, tx, tenant, request, now, chosen) -> Effect:
        support = space.support_address()
        user = space.active_user(tenant.org_id, request.user_id)
        if user is None:
            raise Conflict("The member is no longer active: reject the request instead", code="USER_GONE")
        token, expires = secrets.token_urlsafe(32), now + SIGN_IN_VALIDITY
        space.requests.stage_grant(tx, tenant.org_id, token_digest(token),
                                   SignInGrant(user_id=user.id, email=user.email, request_id=request.id, created_at=now, valid_until=expires))
        organization = space.organizations.require(tenant.org_id)
        notice = Notification(
            to=support, kind="impersonation-grant",
            subject=f"One-time sign-in as {user.email} ({organization.name or tenant.domain})",
            text=(f"Request {request.id} was approved. Exchange this one-time token within 15 minutes (until {iso(expires)}): "
                  f"POST /api/auth/impersonation with X-Organization: {tenant.domain} and body {{\"token\": \"{token}\"}}.\n{token}"),
            data={"token": token, "organization": tenant.domain, "userId": user.id, "requestId": request.id, "validUntil": iso(expires)})
        return Effect(request, after=lambda: space.send(notice))


KINDS: dict[str, RequestKind] = {kind.name: kind for kind in (TimesheetUnlock(), TimesheetApproval(), ProjectMemberRole(), ProjectMembers(),
                                                               ProjectAssignment(), Impersonation())}
