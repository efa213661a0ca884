"""Workspace rules: sign-up, settings, rename, deletion, and what an account can see."""

from __future__ import annotations

import os
from typing import Any

from pydantic import ValidationError

from sandglass import ids
from sandglass.clock import Clock, get_clock
from sandglass.context import ACTIVE, ADMINISTRATOR, Caller, TenantContext
from sandglass.errors import Conflict, invalid_request, stale_write
from sandglass.models.organization import (
    Organization,
    OrganizationCreate,
    OrganizationSettings,
    OrganizationSummary,
    OrganizationUpdate,
)
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.services.members import deep_merge, new_member
from sandglass.timefmt import iso

SETTINGS_FIELDS = tuple(OrganizationSettings.model_fields)


def organization_view(item: dict[str, Any]) -> Organization:
    view = Organization.model_validate({field: item[field] for field in (*SETTINGS_FIELDS, "id", "plan") if field in item})
    return view.at_version(item.get("version"))



class OrganizationService:
    def __init__(self, repository: OrganizationRepository | None = None, clock: Clock | None = None):
        self.repository = repository or OrganizationRepository()
        self.clock = clock or get_clock()

    def get(self, tenant: TenantContext) -> Organization:
        return organization_view(self.repository.require(tenant.org_id))

    def organizations_of(self, caller: Caller) -> list[Organization]:
        """Every active organization the caller may enter, with its settings (the order of their memberships)."""
        return [organization_view(org) for org in self.repository.organizations_of(caller.email)]

    def list_for(self, caller: Caller) -> list[OrganizationSummary]:
        return [OrganizationSummary(active=True, domain=org["domain"], name=org["name"]) for org in self.repository.organizations_of(caller.email)]

    def create(self, caller: Caller, request: OrganizationCreate, display_name: str | None = None, org_id: str | None = None) -> Organization:
        """A new organization with the caller as its Administrator (`org_id`: the local stack's demo
        organization has a fixed one; the API always takes a new one)."""
        now = iso(self.clock.now())
        org_id = org_id or ids.new_id()
        settings = OrganizationSettings(name=request.name, notes=request.notes, currency=request.currency, timeZone=request.timeZone)
        org = {"id": org_id, "domain": request.domain, "plan": "free", "createdAt": now, "createdBy": caller.email, **settings.model_dump(mode="json")}
        admin = new_member(org_id, caller.email, name=display_name or caller.email.split("@")[0], role=ADMINISTRATOR, now=now, status=ACTIVE)
        self.repository.create(org, admin)
        return organization_view({**org, "version": 1})  # created at version 1: its ETag, like every later read

    def update(self, tenant: TenantContext, request: OrganizationUpdate, if_match: int | None = None) -> Organization:
        tenant.require_admin()
        stored = self.repository.require(tenant.org_id)
        current = {field: stored[field] for field in SETTINGS_FIELDS if field in stored}
        patch = request.model_dump(mode="json", exclude_unset=True)
        if set(patch) - {"onboarding"} and "organization" not in (patch.get("onboarding") or {}):
            # the settings were edited: the organization step of the onboarding is done
            patch = deep_merge(patch, {"onboarding": {"organization": {"done": True}}})
        try:
            settings = OrganizationSettings.model_validate(deep_merge(current, patch))
        except ValidationError as error:
            raise invalid_request(error.errors(), "body") from None
        expected = int(stored["version"]) if if_match is None else if_match
        updated = self.repository.update_settings(tenant.org_id, settings.model_dump(mode="json"), expected, stale_write("organization", if_match))
        from sandglass.services import schedules  # the auto-lock / reminders due index follows the settings

        if schedules.schedule_changed(current, updated):
            schedules.sync_schedules(updated, self.clock.now())
        from sandglass.repositories.locks import LockRepository
        from sandglass.services import locks  # members' lock versions follow the auto-lock watermark

        locks.after_settings_change(LockRepository(self.repository.table), tenant.org_id, current, updated)
        self._audit_watermark(tenant, current, updated)
        return organization_view(updated)

    def _audit_watermark(self, tenant: TenantContext, before: dict[str, Any], after: dict[str, Any]) -> None:
        """An Administrator moving the lock watermark (back, to reopen weeks auto-lock closed, or
        forward) leaves a change record: who, when, from and to."""
        def week(settings: dict[str, Any]) -> tuple[Any, Any]:
            locking = settings.get("lockingTimesheets") or {}
            return locking.get("year"), locking.get("week")

        old, new = week(before), week(after)
        if old == new:
            return
        direction = "back" if None not in (*old, *new) and tuple(new) < tuple(old) else "forward"
        self.repository.record_watermark_change(tenant.org_id, {
            "id": ids.new_id(), "changedAt": iso(self.clock.now()), "changedBy": tenant.user_id, "direction": direction,
            "from": {"year": old[0], "week": old[1]}, "to": {"year": new[0], "week": new[1]}})

    def rename(self, tenant: TenantContext, new_domain: str) -> str:
        tenant.require_admin()
        stored = self.repository.require(tenant.org_id)
        if stored["domain"] == new_domain:
            raise Conflict(f"The organization already uses the domain '{new_domain}'", code="DOMAIN_UNCHANGED")
        self.repository.rename(tenant.org_id, stored["domain"], new_domain, int(stored["version"]))
        return new_domain

    def delete(self, tenant: TenantContext) -> tuple[str, str | None]:
        """Tombstone now (every later request answers 404, the domain is free), purge later in pages."""
        tenant.require_admin()
        stored = self.repository.require(tenant.org_id)
        now = iso(self.clock.now())
        self.repository.tombstone(tenant.org_id, stored["domain"], int(stored["version"]), now,
                                  createdAt=stored.get("createdAt", now), requestedAt=now, requestedBy=tenant.user_id)
        return stored["domain"], os.environ.get("OFFBOARDING_URL") or None
