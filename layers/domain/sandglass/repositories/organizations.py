"""Organizations, their domains, members' sign-in records and account memberships."""

from __future__ import annotations

from typing import Any

from sandglass import keys
from sandglass.context import ACTIVE, DELETED
from sandglass.errors import Conflict, NotFound
from sandglass.repositories.jobs import job_item
from sandglass.storage import table as db
from sandglass.storage.table import Table


class OrganizationRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads ----------------------------------------------------------------------------
    def org_id_for_domain(self, domain: str) -> str | None:
        item = self.table.get(keys.domain(domain))
        return item["orgId"] if item else None

    def get(self, org_id: str) -> dict[str, Any] | None:
        item = self.table.get(keys.organization(org_id))
        if not item or item.get("status") != ACTIVE:
            return None
        return item

    def require(self, org_id: str) -> dict[str, Any]:
        item = self.get(org_id)
        if item is None:
            raise NotFound("Organization not found")
        return item

    def member(self, org_id: str, user_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.user(org_id, user_id))

    def organizations_of(self, email: str) -> list[dict[str, Any]]:
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

        return [found[(keys.org_pk(org_id), keys.organization(org_id)[keys.SK])] for org_id in org_ids if entitled(org_id)]

    # --- writes ---------------------------------------------------------------------------
    def create(self, org: dict[str, Any], admin: dict[str, Any]) -> None:
        """Organization, its domain marker, its first Administrator and the account membership, atomically."""
        org_id, domain = org["id"], org["domain"]
        self.table.transact([
            db.put({**keys.domain(domain), "orgId": org_id}, "attribute_not_exists(PK)",
                   fail=Conflict(f"The domain '{domain}' is already taken", code="DOMAIN_TAKEN")),
            # adminCount: active Administrators (repositories/users.py keeps it, so the last one cannot go)
            db.put({**keys.organization(org_id), **org, "status": ACTIVE, "version": 1, "adminCount": 1}, "attribute_not_exists(PK)"),
            db.put({**keys.user(org_id, admin["id"]), **admin, "version": 1}, "attribute_not_exists(PK)"),
            db.put(membership_item(admin["email"], org_id, admin["id"])),
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

    def update_settings(self, org_id: str, settings: dict[str, Any], expected_version: int, stale: Exception) -> dict[str, Any]:
        expression, names, values = db.versioned_set(settings, expected_version)
        return self.table.update(
            keys.organization(org_id),
            expression,
            {**names, "#s": "status"},
            {**values, ":active": ACTIVE},
            condition="#v = :expected AND #s = :active",
            fail=stale,
        )

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

    def tombstone(self, org_id: str, domain: str, expected_version: int, deleted_at: str, **job_details: Any) -> None:
        """Make the organization unreachable at once and queue its purge, atomically."""
        self.table.transact([
            db.update(keys.organization(org_id), "SET #s = :deleted, deletedAt = :at, #v = #v + :one",
                      {"#s": "status", "#v": "version"},
                      {":deleted": DELETED, ":at": deleted_at, ":one": 1, ":expected": expected_version, ":active": ACTIVE},
                      condition="#v = :expected AND #s = :active",
                      fail=Conflict("The organization was changed by another request; retry")),
            db.delete(keys.domain(domain), "orgId = :org", values={":org": org_id}),
            db.put(job_item(keys.PURGE_ORGANIZATION, org_id, **job_details), "attribute_not_exists(PK)"),
        ])


# (org id, onboarding step) pairs this container has marked done (mark_onboarding_done)
_ONBOARDED: set[tuple[str, str]] = set()


def membership_item(email: str, org_id: str, user_id: str) -> dict[str, Any]:
    return {**keys.membership(email, org_id), "orgId": org_id, "userId": user_id, "email": email}
