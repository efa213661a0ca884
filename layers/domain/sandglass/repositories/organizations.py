"""Organizations, their domains, members' sign-in records and account memberships.

The organization item (keys.organization) holds the settings document at its top level, in the
same camelCase names the API shows (name, notes, currency, timeZone, coreHours{start,end},
holidays{country,excluded}, rounding{enabled,interval ms,mode}, lockingTimesheets{enabled,
timeZone,year,week}, onboarding{<step>:{done,viewed}}, reminders{enabled,weekday,time},
autoLock{graceHours}, maxActivityHours, unlockWindowHours, overlapPolicy, weekStart when not
Monday), plus id, domain, plan,
status, version, createdAt, createdBy and adminCount (read into the entity; only the member
writes change it). `organization_from_item` / `settings_to_item`
map it to and from the typed entity (sandglass.entities.organizations).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sandglass import keys
from sandglass.context import ACTIVE, DELETED
from sandglass.entities.jobs import PurgeJob
from sandglass.entities.organizations import (
    FREE_PLAN,
    ONBOARDING_STEPS,
    CoreHours,
    Holidays,
    Locking,
    OnboardingStep,
    Organization,
    OrganizationSettings,
    Reminders,
    Rounding,
)
from sandglass.entities.people import Member
from sandglass.errors import Conflict, NotFound
from sandglass.repositories import int_ids
from sandglass.repositories.access import AccessRepository
from sandglass.repositories.jobs import job_to_item
from sandglass.repositories.members import member_to_item, membership_item
from sandglass.storage import table as db
from sandglass.storage.table import Table
from sandglass.timefmt import hhmm, iso, parse


class OrganizationRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads (entities) -------------------------------------------------------------------
    def get(self, org_id: str) -> Organization | None:
        """The active organization, or None (absent, or deleted)."""
        return active_organization(self.table.get(keys.organization(org_id)))

    def currency(self, org_id: str) -> str:
        """The organization's currency (USD for an absent one)."""
        organization = self.get(org_id)
        return organization.settings.currency if organization is not None else "USD"

    def require(self, org_id: str) -> Organization:
        """The active organization, or 404."""
        organization = self.get(org_id)
        if organization is None:
            raise NotFound("Organization not found")
        return organization

    # --- reads (by domain, member, account) ------------------------------------------------
    def org_id_for_domain(self, domain: str) -> str | None:
        return AccessRepository(self.table).org_id_for_domain(domain)

    def member(self, org_id: str, user_id: str) -> dict[str, Any] | None:
        return AccessRepository(self.table).member(org_id, user_id)

    def organizations_of(self, email: str) -> list[Organization]:
        """Active organizations an account belongs to and may enter (its member item there is not
        archived, as the authorizer requires): the account's memberships (one Query per page, every
        page) plus BatchGets of the organizations and member items (100 keys per call)."""
        memberships = [item for items in self.table.query_all(key_condition=db.key_condition(sort="prefix"),
                                                                values={":pk": keys.account_pk(email), ":prefix": keys.MEMBERSHIP_SK_PREFIX},
                                                                consistent=True)
                       for item in items]
        org_ids = [item["orgId"] for item in memberships]
        if not org_ids:
            return []
        wanted = {item["orgId"]: (keys.organization(item["orgId"]), keys.user(item["orgId"], item["userId"])) for item in memberships}
        found = {(item[keys.PK], item[keys.SK]): item for item in self.table.batch_get([key for pair in wanted.values() for key in pair])}

        def entitled(org_id: str) -> bool:
            org_key, member_key = wanted[org_id]
            org = found.get((org_key[keys.PK], org_key[keys.SK]))
            member = found.get((member_key[keys.PK], member_key[keys.SK]))
            return bool(org and org.get("status") == ACTIVE and member and not member.get("archived"))

        return [organization_from_item(found[(keys.org_pk(org_id), keys.organization(org_id)[keys.SK])]) for org_id in org_ids if entitled(org_id)]

    # --- writes ---------------------------------------------------------------------------
    def create(self, organization: Organization, first_admin: Member) -> None:
        """Organization, its domain marker, its first Administrator and the account membership, atomically."""
        org_id, domain = organization.id, organization.domain
        org, admin = organization_to_item(organization), member_to_item(first_admin)
        self.table.transact([
            db.put({**keys.domain(domain), "orgId": org_id}, "attribute_not_exists(PK)",
                   fail=Conflict(f"The domain '{domain}' is already taken", code="DOMAIN_TAKEN")),
            # adminCount: active Administrators (repositories/users.py keeps it, so the last one cannot go)
            db.put({**keys.organization(org_id), **org, "status": ACTIVE, "version": 1, "adminCount": 1}, "attribute_not_exists(PK)"),
            db.put({**keys.user(org_id, admin["id"]), **admin}, "attribute_not_exists(PK)"),
            db.put(membership_item(admin["email"], org_id, admin["id"])),
            *int_ids.first_alias_ops(org_id, "person", admin["id"]),
        ])

    def record_watermark_change(self, org_id: str, record: dict[str, Any]) -> None:
        self.table.put({**keys.watermark_change(org_id, record["changedAt"], record["id"]), **record}, "attribute_not_exists(PK)")

    def mark_onboarding_done(self, org_id: str, step: str) -> None:
        """Set ``onboarding.<step>.done`` (the server's record that the step happened), once per
        container and organization: an UpdateItem outside any transaction that leaves the
        settings' version alone (progress, not an edit; a client's If-Match stays valid)."""
        if (org_id, step) in _ONBOARDED:
            return
        try:
            self.table.update(keys.organization(org_id), "SET #o.#step.#done = :true", {"#o": "onboarding", "#step": step, "#done": "done"},
                              {":true": True}, condition="attribute_exists(#o.#step)")
        except Conflict:  # an organization stored without that step: nothing to mark
            pass
        _ONBOARDED.add((org_id, step))

    def update_settings(self, org_id: str, settings: OrganizationSettings, expected_version: int, stale: Exception) -> Organization:
        """Replace the settings document if the organization is still at `expected_version`."""
        expression, names, values = db.versioned_set(settings_to_item(settings), expected_version)
        return organization_from_item(self.table.update(
            keys.organization(org_id),
            expression,
            {**names, "#s": "status"},
            {**values, ":active": ACTIVE},
            condition="#v = :expected AND #s = :active",
            fail=stale,
        ))

    def rename(self, org_id: str, old_domain: str, new_domain: str, expected_version: int) -> None:
        """Move the domain marker and the organization's domain in one transaction."""
        self.table.transact([
            db.put({**keys.domain(new_domain), "orgId": org_id}, "attribute_not_exists(PK)",
                   fail=Conflict(f"The domain '{new_domain}' is already taken", code="DOMAIN_TAKEN")),
            db.delete(keys.domain(old_domain), "orgId = :org", values={":org": org_id}),
            db.update(keys.organization(org_id), "SET #d = :new, #v = #v + :one",
                      {"#d": "domain", "#v": "version", "#s": "status"},
                      {":new": new_domain, ":one": 1, ":expected": expected_version, ":active": ACTIVE},
                      condition="#v = :expected AND #s = :active",
                      fail=Conflict("The organization was changed by another request; retry")),
        ])

    def tombstone(self, org_id: str, domain: str, expected_version: int, *, requested_at: datetime, requested_by: str,
                  created_at: datetime) -> None:
        """Make the organization unreachable at once and queue its purge, atomically."""
        job = PurgeJob(kind=keys.PURGE_ORGANIZATION, org_id=org_id, requested_at=requested_at, requested_by=requested_by,
                       organization_created_at=created_at)
        self.table.transact([
            db.update(keys.organization(org_id), "SET #s = :deleted, deletedAt = :at, #v = #v + :one",
                      {"#s": "status", "#v": "version"},
                      {":deleted": DELETED, ":at": iso(requested_at), ":one": 1, ":expected": expected_version, ":active": ACTIVE},
                      condition="#v = :expected AND #s = :active",
                      fail=Conflict("The organization was changed by another request; retry")),
            db.delete(keys.domain(domain), "orgId = :org", values={":org": org_id}),
            db.put(job_to_item(job), "attribute_not_exists(PK)"),
        ])


# (org id, onboarding step) pairs this container has marked done (mark_onboarding_done)
_ONBOARDED: set[tuple[str, str]] = set()


# --- item <-> entity ----------------------------------------------------------------------------

def _time(value: Any, default: time) -> time:
    return time.fromisoformat(str(value)) if value else default


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def settings_from_item(item: dict[str, Any]) -> OrganizationSettings:
    core, holidays, rounding = item.get("coreHours") or {}, item.get("holidays") or {}, item.get("rounding") or {}
    locking, reminders, onboarding = item.get("lockingTimesheets") or {}, item.get("reminders") or {}, item.get("onboarding") or {}
    defaults = OrganizationSettings(name="")
    return OrganizationSettings(
        name=item.get("name") or "",
        notes=item.get("notes") or "",
        currency=item.get("currency") or defaults.currency,
        time_zone=item.get("timeZone") or defaults.time_zone,
        core_hours=CoreHours(start=_time(core.get("start"), defaults.core_hours.start), end=_time(core.get("end"), defaults.core_hours.end)),
        holidays=Holidays(country=holidays.get("country"), excluded=tuple(date.fromisoformat(str(day)) for day in holidays.get("excluded") or ())),
        rounding=Rounding(enabled=bool(rounding.get("enabled", False)),
                          interval=timedelta(milliseconds=int(rounding.get("interval") or defaults.rounding.interval // timedelta(milliseconds=1))),
                          mode=rounding.get("mode") or defaults.rounding.mode),
        locking=Locking(enabled=bool(locking.get("enabled", False)), time_zone=locking.get("timeZone") or None,
                        year=_int(locking.get("year")), week=_int(locking.get("week"))),
        onboarding=tuple((step, OnboardingStep(done=bool((onboarding.get(step) or {}).get("done", False)),
                                               viewed=bool((onboarding.get(step) or {}).get("viewed", False)))) for step in ONBOARDING_STEPS),
        reminders=Reminders(enabled=bool(reminders.get("enabled", False)), weekday=reminders.get("weekday") or defaults.reminders.weekday,
                            at=_time(reminders.get("time"), defaults.reminders.at)),
        auto_lock_grace=timedelta(hours=int((item.get("autoLock") or {}).get("graceHours") or 0)),
        max_activity_hours=int(item.get("maxActivityHours") or defaults.max_activity_hours),
        unlock_window_hours=int(item.get("unlockWindowHours") or defaults.unlock_window_hours),
        overlap_policy=item.get("overlapPolicy") or defaults.overlap_policy,
        week_start=str(item.get("weekStart") or defaults.week_start),
    )


def settings_to_item(settings: OrganizationSettings) -> dict[str, Any]:
    """The settings document as the item stores it (every field, so a write replaces it whole;
    ``weekStart`` only when it is not the default Monday, as no route sets it)."""
    return {
        "name": settings.name,
        "notes": settings.notes,
        "currency": settings.currency,
        "timeZone": settings.time_zone,
        "coreHours": {"start": hhmm(settings.core_hours.start), "end": hhmm(settings.core_hours.end)},
        "holidays": {"country": settings.holidays.country, "excluded": [day.isoformat() for day in settings.holidays.excluded]},
        "rounding": {"enabled": settings.rounding.enabled, "interval": settings.rounding.interval // timedelta(milliseconds=1),
                     "mode": settings.rounding.mode},
        "lockingTimesheets": {"enabled": settings.locking.enabled, "timeZone": settings.locking.time_zone,
                              "week": settings.locking.week, "year": settings.locking.year},
        "onboarding": {step: {"done": state.done, "viewed": state.viewed} for step, state in settings.onboarding},
        "reminders": {"enabled": settings.reminders.enabled, "weekday": settings.reminders.weekday, "time": hhmm(settings.reminders.at)},
        "autoLock": {"graceHours": settings.auto_lock_grace // timedelta(hours=1)},
        "maxActivityHours": settings.max_activity_hours,
        "unlockWindowHours": settings.unlock_window_hours,
        "overlapPolicy": settings.overlap_policy,
        **({"weekStart": settings.week_start} if settings.week_start != OrganizationSettings(name="").week_start else {}),
    }


def organization_from_item(item: dict[str, Any]) -> Organization:
    created_at = item.get("createdAt")
    return Organization(id=item["id"], domain=item.get("domain") or "", settings=settings_from_item(item), plan=item.get("plan") or FREE_PLAN,
                        version=int(item.get("version") or 1), created_at=parse(created_at) if created_at else None,
                        created_by=item.get("createdBy"), admin_count=int(item.get("adminCount") or 0))


def active_organization(item: dict[str, Any] | None) -> Organization | None:
    """The organization of a stored item, or None when there is none or it is not active (deleted)."""
    return organization_from_item(item) if item and item.get("status") == ACTIVE else None


def organization_to_item(organization: Organization) -> dict[str, Any]:
    """The organization's own attributes (no keys, status, version or counters: the writes add those)."""
    item: dict[str, Any] = {"id": organization.id, "domain": organization.domain, "plan": organization.plan, **settings_to_item(organization.settings)}
    if organization.created_at is not None:
        item["createdAt"] = iso(organization.created_at)
    if organization.created_by is not None:
        item["createdBy"] = organization.created_by
    return item
