"""Workflow requests: a member asks, an Administrator resolves, the effect lands with the answer.

Kinds (``type``) and who may ask
--------------------------------
- TIMESHEET_UNLOCK (POST /requests/timesheets/{year}/{week}/unlock): any member, for their own ISO
  week, which must be locked for them now (else 409 WEEK_NOT_LOCKED).
- TIMESHEET_APPROVAL (.../approvals): any member, for their own week once it has started; an
  approved week cannot be submitted again (409 WEEK_ALREADY_APPROVED).
- PROJECT_MEMBER_ROLE (POST /requests/projects/{projectId}/members/{memberId}/role): a member of the
  project (or an organization Administrator) asks for a member's role to become ``role``.
- PROJECT_MEMBERS (POST /requests/projects/{projectId}/members): a member of the project (or an
  organization Administrator) proposes active users to add to it.
- PROJECT_ASSIGNMENT (POST /requests/projects/request-assignment): any member asks to join
  ``projectIds`` (optional: the resolver may choose).
- IMPERSONATION (POST /requests/impersonation, an addition: the reference only resolves them):
  a member lets support sign in as themselves; an Administrator may ask it for any member.

New requests are PENDING. A PENDING request of the same kind for the same target (member and week;
membership and role; project and users; requester and projects; impersonated member) is returned
instead of a second one: a marker item written with the request under attribute_not_exists
(repositories/requests.py) keeps that true under concurrency.

Resolution (PUT /requests/{id}/..., body status RESOLVED or REJECTED)
----------------------------------------------------------------------
- Organization Administrators resolve every kind; a project's Administrators resolve role changes
  and member assignments of their project, and project assignments whose projects they all
  administer. Nobody resolves their own request unless they are the organization's only active
  Administrator. Others get 403 on their own requests and 404 on anybody else's.
- Resolving a request that is no longer PENDING is 409 REQUEST_ALREADY_RESOLVED; the route must
  match the kind (409 WRONG_REQUEST_TYPE names the right one).
- RESOLVED applies the effect in the same transaction as the status change (conditioned on the
  request still being PENDING, so two resolvers cannot both apply it):
  unlock: an unlock window on the member's week until now + ``unlockWindowHours`` (organization
  setting, default 48), withdrawing the week's approval if it had one; approval: the week marked
  approved and locked for the member; role: the membership's role set; members: the users who are
  still active and not yet members added as project Users; assignment: the requester added to
  ``projectIds`` (the body's, else the requested ones); impersonation: a one-time sign-in grant for
  the member, valid 15 minutes, whose token goes to the support address (SUPPORT_EMAIL) through the
  notifier and never into a response. A change racing the resolution (locks, memberships) makes it
  re-read and retry. REJECTED changes nothing but the request.
- Administrators hear of new requests, requesters of the answer (the notifier port); delivery
  happens after the commit and never fails the request.

Reading: GET /requests lists newest first, filtered by status, type and createdBy; Administrators
see every request, other members their own. GET /requests/{id}: Administrators, the requester, and
for project requests the project's Administrators.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Mapping, Optional

from sandglass import ids
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed, detail
from sandglass.repositories.locks import LOCKS_CHANGED, LockRepository, WeekLock
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.projects import PROJECT_ADMINISTRATOR, ProjectRepository, new_membership
from sandglass.repositories.requests import PENDING, DuplicatePending, RequestRepository
from sandglass.repositories.users import UserRepository
from sandglass.schedule import local_date, monday_of_iso_week, week_label
from sandglass.services.locks import lock_reason, lock_zone
from sandglass.timefmt import MAX_YEAR, MIN_YEAR, iso, parse

logger = logging.getLogger("sandglass.requests")

UNLOCK, APPROVAL = "TIMESHEET_UNLOCK", "TIMESHEET_APPROVAL"
ROLE, MEMBERS, ASSIGNMENT, IMPERSONATION = "PROJECT_MEMBER_ROLE", "PROJECT_MEMBERS", "PROJECT_ASSIGNMENT", "IMPERSONATION"
RESOLVED, REJECTED = "RESOLVED", "REJECTED"
DEFAULT_UNLOCK_WINDOW_HOURS = 48
SIGN_IN_VALIDITY = timedelta(minutes=15)
ATTEMPTS = 4
# Conflicts a resolution re-reads and retries on: what its effect read changed before it committed.
_RETRYABLE = frozenset({LOCKS_CHANGED, "ALREADY_MEMBER", "USER_CHANGED"})

COMMON_FIELDS = ("createdAt", "createdBy", "id", "resolvedAt", "resolvedBy", "status", "type")
TYPE_FIELDS = {
    UNLOCK: ("year", "week", "unlockedTo"),
    APPROVAL: ("year", "week"),
    ROLE: ("projectId", "memberId", "userId", "role"),
    MEMBERS: ("projectId", "userIds"),
    ASSIGNMENT: ("projectIds",),
    IMPERSONATION: ("userId", "reason"),
}
RESOLVE_PATHS = {
    UNLOCK: "/requests/{requestId}/timesheets/unlock",
    APPROVAL: "/requests/{requestId}/timesheets/approvals",
    ROLE: "/requests/{requestId}/projects/members/role",
    MEMBERS: "/requests/{requestId}/projects/members",
    ASSIGNMENT: "/requests/{requestId}/projects/assign",
    IMPERSONATION: "/requests/{requestId}",
}
LABELS = {UNLOCK: "timesheet unlock", APPROVAL: "timesheet approval", ROLE: "project role change", MEMBERS: "project member assignment",
          ASSIGNMENT: "project assignment", IMPERSONATION: "support sign-in (impersonation)"}


def view(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request as the API shows it: the common fields and its kind's own."""
    shown = {name: request.get(name) for name in COMMON_FIELDS + TYPE_FIELDS[request["type"]]}
    for name in ("year", "week"):
        if name in shown and shown[name] is not None:
            shown[name] = int(shown[name])
    for name in ("userIds", "projectIds"):
        if name in shown:
            shown[name] = list(shown[name] or [])
    if "reason" in shown:
        shown["reason"] = shown["reason"] or ""
    return shown


def target_digest(*parts: str) -> str:
    """What makes two requests of a kind duplicates, as a fixed-length key part."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class RequestService:
    def __init__(self, repository: RequestRepository | None = None, clock: Clock | None = None, notifier=None):
        self.repository = repository or RequestRepository()
        table = self.repository.table
        self.locks = LockRepository(table)
        self.projects = ProjectRepository(table)
        self.users = UserRepository(table)
        self.organizations = OrganizationRepository(table)
        self._clock = clock
        self._notifier = notifier

    @property
    def notifier(self):
        if self._notifier is not None:
            return self._notifier
        from sandglass.notifications import notifier_from_env

        return notifier_from_env()

    def _now(self) -> datetime:
        now = (self._clock or get_clock()).now().astimezone(timezone.utc)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    # --- creating ------------------------------------------------------------------------------------
    def request_unlock(self, tenant: TenantContext, year: int, week: int) -> dict[str, Any]:
        _check_week(year, week)
        organization = self.organizations.require(tenant.org_id)
        states = self.locks.read(tenant.org_id, [tenant.user_id])
        now = self._now()
        days = _week_days(year, week)
        if all(lock_reason(day, organization, states.organization, states.of(tenant.user_id), now) is None for day in days):
            raise Conflict(f"Your timesheet of week {week_label(year, week)} is not locked: there is nothing to unlock", code="WEEK_NOT_LOCKED")
        return self._create(tenant, UNLOCK, target_digest(tenant.user_id, week_label(year, week)), {"year": year, "week": week, "unlockedTo": None})

    def request_approval(self, tenant: TenantContext, year: int, week: int) -> dict[str, Any]:
        _check_week(year, week)
        organization = self.organizations.require(tenant.org_id)
        if monday_of_iso_week(year, week) > local_date(self._now(), lock_zone(organization)):
            raise ValidationFailed.field("week", f"Week {week_label(year, week)} has not started yet: submit it for approval once it has", "path")
        member = self.locks.read(tenant.org_id, [tenant.user_id]).of(tenant.user_id)
        if (year, week) in member.approvals:
            raise Conflict(f"Your timesheet of week {week_label(year, week)} is already approved", code="WEEK_ALREADY_APPROVED")
        return self._create(tenant, APPROVAL, target_digest(tenant.user_id, week_label(year, week)), {"year": year, "week": week})

    def request_role(self, tenant: TenantContext, project_id: str, member_id: str, role: str) -> dict[str, Any]:
        project_id = self._visible_project(tenant, project_id)
        member_id = ids.canonical_id(member_id)
        member = None if member_id is None else self.projects.project_with_memberships(tenant.org_id, project_id, caller_id=None, member_id=member_id)[2]
        if member is None:
            raise NotFound("Project member not found")
        if member.get("role") == role:
            raise Conflict(f"This member's role on the project is already {role}", code="ROLE_UNCHANGED")
        return self._create(tenant, ROLE, target_digest(member_id, role),
                            {"projectId": project_id, "memberId": member_id, "userId": member["userId"], "role": role},
                            self.projects.member_exists_conditions(tenant.org_id, project_id, member_id))

    def request_members(self, tenant: TenantContext, project_id: str, user_ids: list[str]) -> dict[str, Any]:
        project_id = self._visible_project(tenant, project_id)
        user_ids = _unique(user_ids)
        users = self.users.get_many(tenant.org_id, user_ids)
        unknown = [position for position, user_id in enumerate(user_ids) if user_id not in users or users[user_id].get("archived")]
        if unknown:
            raise ValidationFailed("Every user must be an active member of the organization",
                                   details=[detail(f"userIds.{position}", "No active user with this id in the organization", "body")
                                            for position in unknown])
        members = self.projects.memberships(tenant.org_id, [(project_id, user_id) for user_id in user_ids])
        if all((project_id, user_id) in members for user_id in user_ids):
            raise Conflict("Every one of these users is already a member of the project", code="ALREADY_MEMBERS")
        return self._create(tenant, MEMBERS, target_digest(project_id, *sorted(user_ids)), {"projectId": project_id, "userIds": user_ids})

    def request_assignment(self, tenant: TenantContext, project_ids: Optional[list[str]]) -> dict[str, Any]:
        project_ids = _unique(project_ids or [])
        self._existing_projects(tenant, project_ids)
        if project_ids:
            members = self.projects.memberships(tenant.org_id, [(project_id, tenant.user_id) for project_id in project_ids])
            if all((project_id, tenant.user_id) in members for project_id in project_ids):
                raise Conflict("You are already a member of every one of these projects", code="ALREADY_MEMBERS")
        return self._create(tenant, ASSIGNMENT, target_digest(tenant.user_id, *sorted(project_ids)), {"projectIds": project_ids})

    def request_impersonation(self, tenant: TenantContext, user_id: Optional[str], reason: str) -> dict[str, Any]:
        self._support_address()
        target = tenant.user_id if user_id is None else ids.canonical_id(user_id)
        if target != tenant.user_id and not tenant.is_admin:
            raise Forbidden("Members may let support sign in as themselves only; Administrators may ask it for anyone")
        user = self.users.get(tenant.org_id, target) if target else None
        if user is None or user.get("archived"):
            raise NotFound("User not found")
        return self._create(tenant, IMPERSONATION, target_digest(target), {"userId": target, "reason": reason})

    def _create(self, tenant: TenantContext, kind: str, digest: str, fields: dict[str, Any], conditions=()) -> dict[str, Any]:
        for _ in range(ATTEMPTS):
            request = {"id": ids.new_id(), "type": kind, "status": PENDING, "createdAt": iso(self._now()), "createdBy": tenant.user_id,
                       "resolvedAt": None, "resolvedBy": None, **fields}
            try:
                self.repository.create(tenant.org_id, request, digest, conditions)
            except DuplicatePending:
                existing_id = self.repository.pending_id(tenant.org_id, kind, digest)
                existing = self.repository.get(tenant.org_id, existing_id) if existing_id else None
                if existing is not None and existing["status"] == PENDING:
                    return view(existing)
                continue  # resolved between our write and our read: ask anew
            self._tell_administrators(tenant, request)
            return view(request)
        raise Conflict("The same request kept being created and resolved concurrently; retry", code="TRANSACTION_CONFLICT")

    # --- reading -------------------------------------------------------------------------------------
    def get(self, tenant: TenantContext, request_id: str) -> dict[str, Any]:
        return view(self._readable(tenant, request_id))

    def list(self, tenant: TenantContext, status: str | None, kind: str | None, created_by: str | None, limit: int,
             cursor: str | None) -> tuple[dict[str, Any], str | None]:
        if created_by is not None:
            created_by = ids.canonical_id(created_by)
            if created_by is None:
                raise ValidationFailed.field("createdBy", "Expected a user id (UUID)", "query")
        filters = {name: value for name, value in (("status", status), ("type", kind)) if value is not None}
        if not tenant.reads_all:
            if created_by not in (None, tenant.user_id):
                return {}, None  # a member lists their own requests only
            created_by = tenant.user_id
        page = self.repository.page(tenant.org_id, created_by, filters, limit, cursor)
        return {item["id"]: view(item) for item in page.items}, page.cursor

    def _readable(self, tenant: TenantContext, request_id: str) -> dict[str, Any]:
        canonical = ids.canonical_id(request_id)
        request = self.repository.get(tenant.org_id, canonical) if canonical else None
        if request is None or not (tenant.reads_all or request["createdBy"] == tenant.user_id or self._administers(tenant, _projects_of(request))):
            raise NotFound("Request not found")
        return request

    # --- resolving -----------------------------------------------------------------------------------
    def resolve(self, tenant: TenantContext, request_id: str, kind: str, status: str, project_ids: Optional[list[str]] = None) -> dict[str, Any]:
        request = self._readable(tenant, request_id)
        if request["type"] != kind:
            raise Conflict(f"This is a {LABELS[request['type']]} request: resolve it with PUT {RESOLVE_PATHS[request['type']]}",
                           code="WRONG_REQUEST_TYPE")
        if project_ids is not None:
            project_ids = _unique(project_ids)
        self._require_resolver(tenant, request, project_ids)
        for _ in range(ATTEMPTS):
            if request["status"] != PENDING:
                raise Conflict(f"The request is already {request['status']}", code="REQUEST_ALREADY_RESOLVED")
            now = self._now()
            changes: dict[str, Any] = {"status": status, "resolvedAt": iso(now), "resolvedBy": tenant.user_id}
            ops, after = [], None
            if status == RESOLVED:
                ops, effect_changes, after = self._effect(tenant, request, now, project_ids)
                changes.update(effect_changes)
            try:
                self.repository.transact(self.repository.resolve_ops(tenant.org_id, request, changes) + ops)
            except Conflict as error:
                if error.code not in _RETRYABLE:
                    raise
                request = self._readable(tenant, request["id"])
                continue
            resolved = {**request, **changes}
            if after is not None:
                after()
            self._tell_requester(tenant, resolved)
            return view(resolved)
        raise Conflict("What this request changes kept changing meanwhile; retry", code="TRANSACTION_CONFLICT")

    def _require_resolver(self, tenant: TenantContext, request: Mapping[str, Any], project_ids: Optional[list[str]]) -> None:
        own = request["createdBy"] == tenant.user_id
        if not tenant.is_admin:
            projects = project_ids if request["type"] == ASSIGNMENT and project_ids else _projects_of(request)
            if not self._administers(tenant, projects):
                if own:
                    raise Forbidden("Only organization Administrators, or the project's Administrators, resolve requests")
                raise NotFound("Request not found")
        if own:
            organization = self.organizations.require(tenant.org_id)
            if not (tenant.is_admin and int(organization.get("adminCount", 0)) <= 1):
                raise Forbidden("You cannot resolve your own request: another Administrator has to", code="OWN_REQUEST")

    def _effect(self, tenant: TenantContext, request: Mapping[str, Any], now: datetime,
                project_ids: Optional[list[str]]) -> tuple[list, dict[str, Any], Callable[[], None] | None]:
        """(writes, request field changes, what to do once committed) of a RESOLVED answer."""
        kind = request["type"]
        if kind in (UNLOCK, APPROVAL):
            return self._week_effect(tenant, request, now)
        if kind == ROLE:
            project, _, member = self.projects.project_with_memberships(tenant.org_id, request["projectId"], caller_id=None,
                                                                       member_id=request["memberId"])
            if project is None or member is None:
                raise Conflict("The member is no longer on the project: reject the request instead", code="MEMBER_GONE")
            return [self.projects.role_op(tenant.org_id, member, request["role"], iso(now))], {}, None
        if kind == MEMBERS:
            if self.projects.get(tenant.org_id, request["projectId"]) is None:
                raise Conflict("The project no longer exists: reject the request instead", code="PROJECT_GONE")
            return self._join_ops(tenant, [(request["projectId"], user_id) for user_id in request["userIds"]], now), {}, None
        if kind == ASSIGNMENT:
            chosen = project_ids if project_ids is not None else list(request.get("projectIds") or [])
            if not chosen:
                raise ValidationFailed.field("projectIds", "Name the projects to assign the requester to (the request named none)")
            self._existing_projects(tenant, chosen)
            requester = self.users.get(tenant.org_id, request["createdBy"])
            if requester is None or requester.get("archived"):
                raise Conflict("The requester is no longer an active member: reject the request instead", code="REQUESTER_GONE")
            return self._join_ops(tenant, [(project_id, request["createdBy"]) for project_id in chosen], now), {"projectIds": chosen}, None
        return self._impersonation_effect(tenant, request, now)

    def _week_effect(self, tenant: TenantContext, request: Mapping[str, Any], now: datetime):
        user_id, year, week = request["createdBy"], int(request["year"]), int(request["week"])
        seen = self.locks.read(tenant.org_id, [user_id]).of(user_id)
        existing = seen.weeks.get((year, week))
        lock_id = existing.id if existing else ids.new_id()
        created = existing.created_at if existing else iso(now)
        if request["type"] == UNLOCK:
            organization = self.organizations.require(tenant.org_id)
            until = now + timedelta(hours=int(organization.get("unlockWindowHours") or DEFAULT_UNLOCK_WINDOW_HOURS))
            lock = WeekLock(lock_id, user_id, year, week, until, created, iso(now))
            ops = self.locks.week_ops(tenant.org_id, lock, seen, new=existing is None, withdraw_approval=(year, week) in seen.approvals)
            return ops, {"unlockedTo": iso(until)}, None
        lock = WeekLock(lock_id, user_id, year, week, None, created, iso(now))
        approval = {"requestId": request["id"], "approvedAt": iso(now), "approvedBy": tenant.user_id}
        return self.locks.week_ops(tenant.org_id, lock, seen, new=existing is None, approval=approval), {}, None

    def _join_ops(self, tenant: TenantContext, pairs: list[tuple[str, str]], now: datetime) -> list:
        """Project User memberships for the (project, user) pairs whose user is active and not yet a member."""
        existing = self.projects.memberships(tenant.org_id, pairs)
        users = self.users.get_many(tenant.org_id, [user_id for _, user_id in pairs])
        joining = [new_membership(project_id, user_id, "User", tenant.user_id, iso(now)) for project_id, user_id in pairs
                   if (project_id, user_id) not in existing and user_id in users and not users[user_id].get("archived")]
        return self.projects.join_ops(tenant.org_id, joining)

    def _impersonation_effect(self, tenant: TenantContext, request: Mapping[str, Any], now: datetime):
        import secrets

        support = self._support_address()
        user = self.users.get(tenant.org_id, request["userId"])
        if user is None or user.get("archived"):
            raise Conflict("The member is no longer active: reject the request instead", code="USER_GONE")
        token = secrets.token_urlsafe(32)
        expires = now + SIGN_IN_VALIDITY
        grant = {"userId": user["id"], "email": user["email"], "requestId": request["id"], "createdAt": iso(now),
                 "validUntil": iso(expires), "expiresAt": int(expires.timestamp())}
        organization = self.organizations.require(tenant.org_id)

        def deliver() -> None:
            from sandglass.notifications import Notification

            self._send(Notification(
                to=support, kind="impersonation-grant",
                subject=f"One-time sign-in as {user['email']} ({organization.get('name') or tenant.domain})",
                text=(f"Request {request['id']} was approved. Exchange this one-time token within 15 minutes (until {iso(expires)}): "
                      f"POST /api/auth/impersonation with X-Organization: {tenant.domain} and body {{\"token\": \"{token}\"}}.\n{token}"),
                data={"token": token, "organization": tenant.domain, "userId": user["id"], "requestId": request["id"], "validUntil": iso(expires)}))

        return [self.repository.grant_op(tenant.org_id, token_digest(token), grant)], {}, deliver

    # --- the support sign-in (POST /auth/impersonation) ----------------------------------------------------
    def sign_in(self, domain: str | None, token: str) -> dict[str, Any]:
        """Exchange a one-time grant token for a bearer token acting as the member, in this
        organization only, until the grant's end. Every failure is the same 401: it must not tell a
        guesser which part was wrong."""
        from sandglass.services.auth import issue_token
        from sandglass.settings import get_settings

        refused = Unauthorized("The sign-in token is invalid, expired or already used", code="INVALID_SIGN_IN_TOKEN")
        org_id = self.organizations.org_id_for_domain(domain.strip().lower()) if domain else None
        if org_id is None:
            raise refused
        grant = self.repository.consume_grant(org_id, token_digest(token))
        now = self._now()
        if grant is None or parse(grant["validUntil"]) <= now:
            raise refused
        user = self.users.get(org_id, grant["userId"])
        if user is None or user.get("archived"):
            raise refused
        if not get_settings().jwt_secret:
            raise Conflict("This deployment verifies tokens from an external identity provider only: support sign-in is unavailable",
                           code="SIGN_IN_UNAVAILABLE")
        until = parse(grant["validUntil"])
        # scoped to the member in the organization that granted it (services/auth.py checks both on every call)
        scope = {"org": org_id, "userId": user["id"], "act": {"sub": "support", "requestId": grant["requestId"]}}
        bearer = issue_token(user["email"], ttl=until - now, now=now, extra_claims=scope)
        return {"token": bearer, "expiresAt": iso(until), "userId": user["id"], "email": user["email"]}

    # --- helpers -------------------------------------------------------------------------------------
    def _visible_project(self, tenant: TenantContext, project_id: str) -> str:
        """The project id when the caller may ask about it (an organization Administrator, or a
        member of it), else 404 as if it did not exist."""
        canonical = ids.canonical_id(project_id)
        if canonical is None:
            raise NotFound("Project not found")
        project, membership, _ = self.projects.project_with_memberships(tenant.org_id, canonical, caller_id=None if tenant.is_admin else tenant.user_id,
                                                                        member_id=None)
        if project is None or not (tenant.is_admin or (membership and not membership.get("archived"))):
            raise NotFound("Project not found")
        return canonical

    def _existing_projects(self, tenant: TenantContext, project_ids: list[str]) -> None:
        found = self.projects.get_projects(tenant.org_id, project_ids)
        missing = [position for position, project_id in enumerate(project_ids) if project_id not in found]
        if missing:
            raise ValidationFailed("Every project must exist in the organization",
                                   details=[detail(f"projectIds.{position}", "No project with this id") for position in missing])

    def _administers(self, tenant: TenantContext, project_ids: list[str]) -> bool:
        if not project_ids:
            return False
        members = self.projects.memberships(tenant.org_id, [(project_id, tenant.user_id) for project_id in project_ids])
        return all((membership := members.get((project_id, tenant.user_id))) is not None and membership.get("role") == PROJECT_ADMINISTRATOR
                   and not membership.get("archived") for project_id in project_ids)

    @staticmethod
    def _support_address() -> str:
        from sandglass.settings import get_settings

        address = get_settings().support_email
        if not address:
            raise Conflict("Support sign-in is not configured for this deployment (no SUPPORT_EMAIL)", code="SUPPORT_NOT_CONFIGURED")
        return address

    def _tell_administrators(self, tenant: TenantContext, request: Mapping[str, Any]) -> None:
        from sandglass.notifications import Notification

        try:
            administrators = self.users.active_administrators(tenant.org_id)
        except Exception:  # noqa: BLE001 - the request stands; a lost notice is logged, not an error
            logger.exception("could not list the administrators to notify", extra={"requestId": request["id"]})
            return
        what = _describe(request)
        for administrator in administrators:
            if administrator["id"] == request["createdBy"]:
                continue
            self._send(Notification(to=administrator["email"], kind="request-created", subject=f"New {LABELS[request['type']]} request",
                                    text=f"{tenant.email} asks for {what}. Resolve it with PUT /api{RESOLVE_PATHS[request['type']].format(requestId=request['id'])}.",
                                    data={"requestId": request["id"], "type": request["type"], "organization": tenant.domain}))

    def _tell_requester(self, tenant: TenantContext, request: Mapping[str, Any]) -> None:
        from sandglass.notifications import Notification

        requester = self.users.get(tenant.org_id, request["createdBy"])
        if requester is None:
            return
        outcome = "approved" if request["status"] == RESOLVED else "rejected"
        text = f"Your request for {_describe(request)} was {outcome} by {tenant.email}."
        if request["type"] == UNLOCK and request["status"] == RESOLVED:
            text += f" The week is open for changes until {request['unlockedTo']}."
        self._send(Notification(to=requester["email"], kind="request-resolved", subject=f"Your {LABELS[request['type']]} request was {outcome}",
                                text=text, data={"requestId": request["id"], "type": request["type"], "status": request["status"]}))

    def _send(self, notification) -> None:
        try:
            self.notifier.send(notification)
        except Exception:  # noqa: BLE001 - delivery never undoes a committed answer
            logger.exception("notification not delivered", extra={"to": notification.to, "kind": notification.kind})


def _projects_of(request: Mapping[str, Any]) -> list[str]:
    if request["type"] in (ROLE, MEMBERS):
        return [request["projectId"]]
    if request["type"] == ASSIGNMENT:
        return list(request.get("projectIds") or [])
    return []


def _describe(request: Mapping[str, Any]) -> str:
    kind = request["type"]
    if kind in (UNLOCK, APPROVAL):
        verb = "unlocking" if kind == UNLOCK else "approval of"
        return f"{verb} the timesheet of week {week_label(int(request['year']), int(request['week']))}"
    if kind == ROLE:
        return f"the role {request['role']} for member {request['memberId']} of project {request['projectId']}"
    if kind == MEMBERS:
        return f"adding {len(request['userIds'])} user(s) to project {request['projectId']}"
    if kind == ASSIGNMENT:
        return f"joining {len(request.get('projectIds') or [])} project(s)" if request.get("projectIds") else "being assigned to projects"
    return f"a support sign-in as user {request['userId']}"


def _check_week(year: int, week: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed.field("year", f"The year must fall between {MIN_YEAR} and {MAX_YEAR}", "path")
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValidationFailed.field("week", f"{year} has no ISO week {week}", "path") from None


def _week_days(year: int, week: int) -> list[date]:
    monday = monday_of_iso_week(year, week)
    return [monday + timedelta(days=offset) for offset in range(7)]

