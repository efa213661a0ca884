"""Workspace rules: sign-up, settings, rename, deletion, and what an account can see.

A settings change is published to the settings listeners (the schedules' due index, members' lock
versions) as a `SettingsChanged` event once it is stored; the composition root subscribes them.
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec.structs import replace

from sandglass import ids
from sandglass.clock import Clock, CurrentClock
from sandglass.context import ACTIVE, ADMINISTRATOR, Caller, TenantContext
from sandglass.entities.organizations import (
    Organization,
    OrganizationSettings,
    SettingsChanged,
    SettingsListener,
)
from sandglass.errors import Conflict, stale_write
from sandglass.models.organization import (
    Organization as OrganizationView,
)
from sandglass.models.organization import (
    OrganizationCreate,
    OrganizationSummary,
    OrganizationUpdate,
    organization_view,
    updated_settings,
)
from sandglass.ports.throttle import ThrottleKeys
from sandglass.repositories.int_ids import FIRST as FIRST_NUMBER
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.services.directory import OrganizationDirectory
from sandglass.services.members import new_member
from sandglass.timefmt import iso


def mark_organization_step(settings: OrganizationSettings, update: OrganizationUpdate) -> OrganizationSettings:
    """Editing any setting completes the onboarding's `organization` step, unless the same request
    says something about that step itself."""
    edited = update.model_fields_set - {"onboarding"}
    names_step = update.onboarding is not None and "organization" in update.onboarding.model_fields_set
    if not edited or names_step:
        return settings
    onboarding = tuple((step, replace(state, done=True) if step == "organization" else state) for step, state in settings.onboarding)
    return replace(settings, onboarding=onboarding)


def watermark_move(before: OrganizationSettings, after: OrganizationSettings) -> str | None:
    """`back` (weeks reopened), `forward`, or None when the lock watermark did not move."""
    old, new = (before.locking.year, before.locking.week), (after.locking.year, after.locking.week)
    if old == new:
        return None
    return "back" if None not in (*old, *new) and new < old else "forward"


class OrganizationService(OrganizationDirectory):
    """The organization's reads (OrganizationDirectory) and every write."""

    def __init__(self, repository: OrganizationRepository | None = None, clock: Clock | None = None,
                 listeners: Sequence[SettingsListener] = (), offboarding_url: str | None = None,
                 throttle_keys: ThrottleKeys | None = None):
        self.repository = repository or OrganizationRepository()
        self.throttle_keys = throttle_keys
        self.clock = clock or CurrentClock()
        self.listeners = tuple(listeners)
        self.offboarding_url = offboarding_url

    def get(self, tenant: TenantContext) -> OrganizationView:
        return organization_view(self.get_entity(tenant))

    def list_for(self, caller: Caller) -> list[OrganizationSummary]:
        return [OrganizationSummary(active=True, domain=org.domain, name=org.name) for org in self.repository.organizations_of(caller.email)]

    def create(self, caller: Caller, request: OrganizationCreate, display_name: str | None = None, org_id: str | None = None) -> OrganizationView:
        """A new organization with the caller as its Administrator (`org_id`: the local stack's demo
        organization has a fixed one; the API always takes a new one)."""
        now = self.clock.now()
        settings = OrganizationSettings(name=request.name, notes=request.notes, currency=request.currency, time_zone=request.timeZone)
        organization = Organization(id=org_id or ids.new_id(), domain=request.domain, settings=settings, created_at=now, created_by=caller.email)
        admin = new_member(organization.id, caller.email, name=display_name or caller.email.split("@")[0], role=ADMINISTRATOR, now=now,
                           status=ACTIVE, number=FIRST_NUMBER)
        if self.throttle_keys is not None:  # its edge rate-limit key first: a workspace without one would be refused at the edge
            self.throttle_keys.ensure(organization.id)
        self.repository.create(organization, admin)
        return organization_view(organization)  # created at version 1: its ETag, like every later read

    def update(self, tenant: TenantContext, request: OrganizationUpdate, if_match: int | None = None) -> OrganizationView:
        tenant.require_admin()
        before = self.repository.require(tenant.org_id)
        settings = mark_organization_step(updated_settings(before.settings, request), request)
        expected = before.version if if_match is None else if_match
        after = self.repository.update_settings(tenant.org_id, settings, expected, stale_write("organization", if_match))
        now = self.clock.now()
        self._audit_watermark(tenant, before.settings, after.settings, now)
        event = SettingsChanged(before=before, after=after, at=now, by=tenant.user_id)
        for listener in self.listeners:
            listener.settings_changed(event)
        return organization_view(after)

    def _audit_watermark(self, tenant: TenantContext, before: OrganizationSettings, after: OrganizationSettings, now) -> None:
        """An Administrator moving the lock watermark (back, to reopen weeks auto-lock closed, or
        forward) leaves a change record: who, when, from and to."""
        direction = watermark_move(before, after)
        if direction is None:
            return
        self.repository.record_watermark_change(tenant.org_id, {
            "id": ids.new_id(), "changedAt": iso(now), "changedBy": tenant.user_id, "direction": direction,
            "from": {"year": before.locking.year, "week": before.locking.week}, "to": {"year": after.locking.year, "week": after.locking.week}})

    def rename(self, tenant: TenantContext, new_domain: str) -> str:
        tenant.require_admin()
        stored = self.repository.require(tenant.org_id)
        if stored.domain == new_domain:
            raise Conflict(f"The organization already uses the domain '{new_domain}'", code="DOMAIN_UNCHANGED")
        self.repository.rename(tenant.org_id, stored.domain, new_domain, stored.version)
        return new_domain

    def delete(self, tenant: TenantContext) -> tuple[str, str | None]:
        """Tombstone now (every later request answers 404, the domain is free), purge later in pages."""
        tenant.require_admin()
        stored = self.repository.require(tenant.org_id)
        now = self.clock.now()
        self.repository.tombstone(tenant.org_id, stored.domain, stored.version, requested_at=now, requested_by=tenant.user_id,
                                  created_at=stored.created_at if stored.created_at is not None else now)
        return stored.domain, self.offboarding_url
