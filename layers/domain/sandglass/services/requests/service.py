"""The lifecycle every request kind shares: create (one PENDING request per kind and target),
read, resolve (status change and effect in one unit of work), and the support sign-in that an
approved impersonation request enables. The kinds themselves live in kinds.py."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Optional

from msgspec.structs import replace

from sandglass import ids
from sandglass.clock import Clock
from sandglass.context import TenantContext
from sandglass.entities.workflows import PENDING, RESOLVED, SupportSession, WorkflowRequest
from sandglass.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from sandglass.ports.notifier import Notification, Notifier
from sandglass.repositories import UnitOfWork
from sandglass.repositories.locks import LOCKS_CHANGED, LockRepository
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.projects import ProjectRepository
from sandglass.repositories.requests import DuplicatePending, RequestRepository
from sandglass.repositories.users import UserRepository
from sandglass.services.auth import issue_token
from sandglass.services.requests.kinds import (APPROVAL, ASSIGNMENT, IMPERSONATION, KINDS, MEMBERS, ROLE, UNLOCK, Draft, Effect,
                                               RequestKind, Workspace, token_digest, unique)
from sandglass.settings import get_settings
from sandglass.timefmt import iso, utc_ms

logger = logging.getLogger("sandglass.requests")

ATTEMPTS = 4
# Conflicts a resolution re-reads and retries on: what its effect read changed before it committed.
_RETRYABLE = frozenset({LOCKS_CHANGED, "ALREADY_MEMBER", "USER_CHANGED"})


def resolution(request: WorkflowRequest, status: str, resolver: str, now: datetime) -> WorkflowRequest:
    """The request as answered (the effect may add to it); 409 unless it is still PENDING."""
    if not request.pending:
        raise Conflict(f"The request is already {request.status}", code="REQUEST_ALREADY_RESOLVED")
    return replace(request, status=status, resolved_at=now, resolved_by=resolver)


def wrong_route(request: WorkflowRequest, kind: str) -> Conflict | None:
    """409 WRONG_REQUEST_TYPE (naming the right route) when a request is resolved on another kind's route."""
    if request.kind == kind:
        return None
    right = KINDS[request.kind]
    return Conflict(f"This is a {right.label} request: resolve it with PUT {right.resolve_path}", code="WRONG_REQUEST_TYPE")


class RequestService:
    """`notifier` (the port) tells Administrators of new requests and requesters of the answer,
    and carries support sign-in grants to the support address."""

    def __init__(self, repository: RequestRepository, clock: Clock, notifier: Notifier):
        self.repository = repository
        table = self.repository.table
        self.users = UserRepository(table)
        self.organizations = OrganizationRepository(table)
        self.space = Workspace(self.repository, LockRepository(table), ProjectRepository(table), self.users, self.organizations,
                               self._support_address, self._send)
        self._clock = clock
        self.notifier = notifier

    def _now(self) -> datetime:
        return utc_ms(self._clock.now())

    # --- creating ------------------------------------------------------------------------------------
    def request_unlock(self, tenant: TenantContext, year: int, week: int) -> WorkflowRequest:
        return self._create(tenant, KINDS[UNLOCK], KINDS[UNLOCK].ask(self.space, tenant, year, week, self._now()))

    def request_approval(self, tenant: TenantContext, year: int, week: int) -> WorkflowRequest:
        return self._create(tenant, KINDS[APPROVAL], KINDS[APPROVAL].ask(self.space, tenant, year, week, self._now()))

    def request_role(self, tenant: TenantContext, project_id: str, member_id: str, role: str) -> WorkflowRequest:
        return self._create(tenant, KINDS[ROLE], KINDS[ROLE].ask(self.space, tenant, project_id, member_id, role))

    def request_members(self, tenant: TenantContext, project_id: str, user_ids: list[str]) -> WorkflowRequest:
        return self._create(tenant, KINDS[MEMBERS], KINDS[MEMBERS].ask(self.space, tenant, project_id, user_ids))

    def request_assignment(self, tenant: TenantContext, project_ids: Optional[list[str]]) -> WorkflowRequest:
        return self._create(tenant, KINDS[ASSIGNMENT], KINDS[ASSIGNMENT].ask(self.space, tenant, project_ids))

    def request_impersonation(self, tenant: TenantContext, user_id: Optional[str], reason: str) -> WorkflowRequest:
        return self._create(tenant, KINDS[IMPERSONATION], KINDS[IMPERSONATION].ask(self.space, tenant, user_id, reason))

    def _create(self, tenant: TenantContext, kind: RequestKind, draft: Draft) -> WorkflowRequest:
        """A new PENDING request, or the PENDING one of the same kind and target that exists."""
        for _ in range(ATTEMPTS):
            request = WorkflowRequest(id=ids.new_id(), kind=kind.name, created_at=self._now(), created_by=tenant.user_id,
                                      target_digest=draft.digest, **draft.fields)
            tx = UnitOfWork(self.repository.table)
            self.repository.stage_create(tx, tenant.org_id, request)
            if draft.guard is not None:
                draft.guard(tx)
            try:
                tx.commit()
            except DuplicatePending:
                existing = self._pending(tenant, kind.name, draft.digest)
                if existing is not None:
                    return existing
                continue  # resolved between our write and our read: ask anew
            self._tell_administrators(tenant, request)
            return request
        raise Conflict("The same request kept being created and resolved concurrently; retry", code="TRANSACTION_CONFLICT")

    def _pending(self, tenant: TenantContext, kind: str, digest: str) -> WorkflowRequest | None:
        existing_id = self.repository.pending_id(tenant.org_id, kind, digest)
        existing = self.repository.get(tenant.org_id, existing_id) if existing_id else None
        return existing if existing is not None and existing.pending else None

    # --- reading -------------------------------------------------------------------------------------
    def get(self, tenant: TenantContext, request_id: str) -> WorkflowRequest:
        return self._readable(tenant, request_id)

    def list(self, tenant: TenantContext, status: str | None, kind: str | None, created_by: str | None, limit: int,
             cursor: str | None) -> tuple[list[WorkflowRequest], str | None]:
        """A page of requests, newest first (Administrators: everyone's; others: their own)."""
        if created_by is not None:
            created_by = ids.canonical_id(created_by)
            if created_by is None:
                raise ValidationFailed.field("createdBy", "Expected a user id (UUID)", "query")
        filters = {name: value for name, value in (("status", status), ("type", kind)) if value is not None}
        if not tenant.reads_all:
            if created_by not in (None, tenant.user_id):
                return [], None  # a member lists their own requests only
            created_by = tenant.user_id
        page = self.repository.page(tenant.org_id, created_by, filters, limit, cursor)
        return page.requests, page.cursor

    def _readable(self, tenant: TenantContext, request_id: str) -> WorkflowRequest:
        canonical = ids.canonical_id(request_id)
        request = self.repository.get(tenant.org_id, canonical) if canonical else None
        if request is None or not (tenant.reads_all or request.created_by == tenant.user_id
                                   or self.space.administers(tenant, KINDS[request.kind].resolver_projects(request, None))):
            raise NotFound("Request not found")
        return request

    # --- resolving -----------------------------------------------------------------------------------
    def resolve(self, tenant: TenantContext, request_id: str, kind: str, status: str, project_ids: Optional[list[str]] = None) -> WorkflowRequest:
        """Answer a request: RESOLVED applies its kind's effect in the same unit of work as the
        status change (conditioned on the request still being PENDING); a change racing the effect
        (locks, memberships) makes it re-read and retry."""
        request = self._readable(tenant, request_id)
        if (error := wrong_route(request, kind)) is not None:
            raise error
        chosen = unique(project_ids) if project_ids is not None else None
        self._require_resolver(tenant, request, chosen)
        for _ in range(ATTEMPTS):
            tx = UnitOfWork(self.repository.table)
            effect = self._stage_answer(tx, tenant, request, status, chosen)
            try:
                tx.commit()
            except Conflict as error:
                if error.code not in _RETRYABLE:
                    raise
                request = self._readable(tenant, request.id)
                continue
            if effect.after is not None:
                effect.after()
            self._tell_requester(tenant, effect.request)
            return effect.request
        raise Conflict("What this request changes kept changing meanwhile; retry", code="TRANSACTION_CONFLICT")

    def _stage_answer(self, tx: UnitOfWork, tenant: TenantContext, request: WorkflowRequest, status: str,
                      chosen: list[str] | None) -> Effect:
        now = self._now()
        answered = resolution(request, status, tenant.user_id, now)
        effect = KINDS[request.kind].approve(self.space, tx, tenant, answered, now, chosen) if status == RESOLVED else Effect(answered)
        self.repository.stage_resolve(tx, tenant.org_id, effect.request)
        return effect

    def _require_resolver(self, tenant: TenantContext, request: WorkflowRequest, chosen: list[str] | None) -> None:
        """Organization Administrators resolve every kind, a kind's project Administrators theirs;
        nobody their own request unless they are the organization's only active Administrator."""
        own = request.created_by == tenant.user_id
        if not tenant.is_admin and not self.space.administers(tenant, KINDS[request.kind].resolver_projects(request, chosen)):
            if own:
                raise Forbidden("Only organization Administrators, or the project's Administrators, resolve requests")
            raise NotFound("Request not found")
        if own:
            organization = self.organizations.require(tenant.org_id)
            if not (tenant.is_admin and organization.admin_count <= 1):
                raise Forbidden("You cannot resolve your own request: another Administrator has to", code="OWN_REQUEST")

    # --- the support sign-in (POST /auth/impersonation) ----------------------------------------------------
    def sign_in(self, domain: str | None, token: str) -> SupportSession:
        """Exchange a one-time grant token for a bearer token acting as the member, in this
        organization only, until the grant's end. Every failure is the same 401: it must not tell a
        guesser which part was wrong."""
        refused = Unauthorized("The sign-in token is invalid, expired or already used", code="INVALID_SIGN_IN_TOKEN")
        org_id = self.organizations.org_id_for_domain(domain.strip().lower()) if domain else None
        grant = self.repository.consume_grant(org_id, token_digest(token)) if org_id is not None else None
        now = self._now()
        if grant is None or grant.valid_until <= now:
            raise refused
        user = self.space.active_user(org_id, grant.user_id)
        if user is None:
            raise refused
        if not get_settings().jwt_secret:
            raise Conflict("This deployment verifies tokens from an external identity provider only: support sign-in is unavailable",
                           code="SIGN_IN_UNAVAILABLE")
        # scoped to the member in the organization that granted it (services/auth.py checks both on every call)
        scope = {"org": org_id, "userId": user.id, "act": {"sub": "support", "requestId": grant.request_id}}
        bearer = issue_token(user.email, ttl=grant.valid_until - now, now=now, extra_claims=scope)
        return SupportSession(token=bearer, expires_at=grant.valid_until, user_id=user.id, email=user.email)

    # --- notices -------------------------------------------------------------------------------------
    @staticmethod
    def _support_address() -> str:
        address = get_settings().support_email
        if not address:
            raise Conflict("Support sign-in is not configured for this deployment (no SUPPORT_EMAIL)", code="SUPPORT_NOT_CONFIGURED")
        return address

    def _tell_administrators(self, tenant: TenantContext, request: WorkflowRequest) -> None:
        try:
            administrators = self.users.active_administrators(tenant.org_id)
        except Exception:  # noqa: BLE001 - the request stands; a lost notice is logged, not an error
            logger.exception("could not list the administrators to notify", extra={"requestId": request.id})
            return
        kind = KINDS[request.kind]
        for administrator in administrators:
            if administrator.id == request.created_by:
                continue
            self._send(Notification(to=administrator.email, kind="request-created", subject=f"New {kind.label} request",
                                    text=f"{tenant.email} asks for {kind.describe(request)}. Resolve it with PUT /api{kind.resolve_path.format(requestId=request.id)}.",
                                    data={"requestId": request.id, "type": request.kind, "organization": tenant.domain}))

    def _tell_requester(self, tenant: TenantContext, request: WorkflowRequest) -> None:
        requester = self.users.get(tenant.org_id, request.created_by)
        if requester is None:
            return
        kind = KINDS[request.kind]
        outcome = "approved" if request.status == RESOLVED else "rejected"
        text = f"Your request for {kind.describe(request)} was {outcome} by {tenant.email}."
        if request.kind == UNLOCK and request.status == RESOLVED:
            text += f" The week is open for changes until {iso(request.unlocked_to)}."
        self._send(Notification(to=requester.email, kind="request-resolved", subject=f"Your {kind.label} request was {outcome}",
                                text=text, data={"requestId": request.id, "type": request.kind, "status": request.status}))

    def _send(self, notification: Notification) -> None:
        try:
            self.notifier.send(notification)
        except Exception:  # noqa: BLE001 - delivery never undoes a committed answer
            logger.exception("notification not delivered", extra={"to": notification.to, "kind": notification.kind})


__all__ = ["PENDING", "RequestService", "resolution", "wrong_route"]
