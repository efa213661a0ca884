"""Organization members (users), their preferences, and the organization's admin counter.

Item shapes (all under PK ``ORG#<orgId>``):
- user:        SK ``USER#<userId>`` (keys.user) — id, email, name, role, archived, avatar, phone, title,
               status (INVITED|ACTIVE|DELETED), createdAt, invitedAt, invitedBy, version.
               A deleted user keeps a tombstone (status DELETED, archived) until its purge ends.
- preferences: keys.user_preferences — the stored document and version; indexed in GSI_USER under
               keys.user_partition(org, userId) / keys.PREFERENCES_USER_SORT.
- organization item (keys.organization) carries ``adminCount``: the number of non-archived
  Administrators. Every change of who is an active Administrator updates it in the same
  transaction; a decrement is conditioned on ``adminCount > 1``, so the last one cannot go.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandglass import keys
from sandglass.context import DELETED
from sandglass.entities.jobs import PurgeJob
from sandglass.entities.organizations import Organization
from sandglass.entities.people import Member, SavedPreferences
from sandglass.errors import Conflict, NotFound
from sandglass.repositories.billing import claim_seat, release_seat
from sandglass.repositories import int_ids
from sandglass.repositories.jobs import job_to_item
from sandglass.repositories.members import ADMIN_ATTRIBUTES, PROFILE_ATTRIBUTES, member_from_item, member_to_item, membership_item
from sandglass.repositories.organizations import organization_from_item
from sandglass.storage import table as db
from sandglass.storage.table import Page, Table
from sandglass.timefmt import iso
from sandglass.storage.transaction import UnitOfWork

LAST_ADMIN = "The organization must keep at least one active Administrator"
INTERNAL = keys.KEY_ATTRIBUTES


class AlreadyMember(Conflict):
    """The invited email is already a member (the user item exists)."""


class UserRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads (entities) -------------------------------------------------------------------
    def get(self, org_id: str, user_id: str) -> Member | None:
        """The member (not deleted), or None."""
        item = self.item(org_id, user_id)
        return member_from_item(item) if item is not None else None

    def members_page(self, org_id: str, limit: int, cursor: str | None) -> tuple[list[Member], str | None]:
        page = self.page(org_id, limit, cursor)
        return [member_from_item(item) for item in page.items], page.cursor

    # --- reads (raw items: for the rooms that still read the item; use get) -----------------
    def item(self, org_id: str, user_id: str) -> dict[str, Any] | None:
        item = self.table.get(keys.user(org_id, user_id))
        if not item or item.get("status") == DELETED:
            return None
        return item

    def page(self, org_id: str, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(
            org_id=org_id, scope="users",
            key_condition=db.key_condition(sort="prefix"),
            values={":pk": keys.org_pk(org_id), ":prefix": keys.USER_SK_PREFIX, ":deleted": DELETED},
            names={"#s": "status"}, filter_expression="#s <> :deleted",
            limit=limit, cursor=cursor,
        )

    def get_many(self, org_id: str, user_ids: list[str]) -> dict[str, Member]:
        """Members by id in one BatchGetItem (per 100); absent and deleted ones are left out."""
        if not user_ids:
            return {}
        found = self.table.batch_get([keys.user(org_id, user_id) for user_id in dict.fromkeys(user_ids)], consistent=True)
        return {item["id"]: member_from_item(item) for item in found if item.get("status") != DELETED}

    def active_administrators(self, org_id: str) -> list[Member]:
        """Every non-archived Administrator (a paged Query of the members): who hears of new requests."""
        found: list[Member] = []
        for items in self.table.query_all(key_condition=db.key_condition(sort="prefix"),
                                          values={":pk": keys.org_pk(org_id), ":prefix": keys.USER_SK_PREFIX, ":admin": "Administrator",
                                                  ":true": True},
                                          names={"#r": "role", "#a": "archived"}, filter_expression="#r = :admin AND #a <> :true"):
            found.extend(member_from_item(item) for item in items if item.get("status") != DELETED)
        return found

    def preferences_and_org(self, org_id: str, user_id: str) -> tuple[SavedPreferences | None, Organization | None]:
        """The member's saved preferences (None: never saved) and the organization (None: deleted), in one BatchGetItem."""
        found = {item[keys.SK]: item for item in self.table.batch_get([keys.user_preferences(org_id, user_id), keys.organization(org_id)])}
        organization = found.get(keys.organization(org_id)[keys.SK])
        if organization is not None and organization.get("status") == DELETED:
            organization = None
        saved = found.get(keys.user_preferences(org_id, user_id)[keys.SK])
        return (SavedPreferences(document=saved.get("document") or {}, version=int(saved["version"])) if saved is not None else None,
                organization_from_item(organization) if organization else None)

    # --- writes ---------------------------------------------------------------------------
    def invite(self, org_id: str, member: Member) -> None:
        """The user item (unique by its email-derived id), the account membership and, for an
        Administrator, the admin counter: one transaction."""
        user = member_to_item(member)
        ops = [
            db.put({**keys.user(org_id, user["id"]), **user}, "attribute_not_exists(PK)", fail=AlreadyMember("Already a member")),
            db.put(membership_item(user["email"], org_id, user["id"])),
        ]
        if member.number is not None:
            ops.append(db.put(int_ids.alias_item(org_id, "person", member.number, member.id), "attribute_not_exists(PK)",
                              fail=Conflict(f"The integer id {member.number} is taken; retry", code=int_ids.INT_ID_TAKEN)))
        if user["role"] == "Administrator":
            ops.append(_admin_count(org_id, +1))
        ops.append(claim_seat(org_id))  # 409 past a paid plan's seats (repositories/billing.py)
        self.table.transact(ops)

    def next_number(self, org_id: str) -> int:
        """A new member's integer id (repositories/int_ids.py)."""
        return int_ids.IntIdRepository(self.table).mint(org_id, "person")

    def reinvite(self, org_id: str, user_id: str, now: datetime, by: str) -> Member:
        return member_from_item(self.table.update(
            keys.user(org_id, user_id), "SET invitedAt = :now, invitedBy = :by, #v = #v + :one",
            {"#v": "version", "#s": "status"}, {":now": iso(now), ":by": by, ":one": 1, ":deleted": DELETED},
            condition="attribute_exists(PK) AND #s <> :deleted",
            fail=Conflict("This user is being removed from the organization; invite them again in a moment", code="USER_BEING_DELETED"),
        ))

    def update(self, org_id: str, before: Member, after: Member, expected_version: int, stale: Exception) -> Member:
        """Store what changed from `before` to `after` if the member is still at `expected_version`;
        the organization's admin counter moves with them in the same transaction."""
        user_id, admin_delta = after.id, int(after.active_admin) - int(before.active_admin)
        old, new = member_to_item(before), member_to_item(after)
        changes = {name: new.get(name) for name in (*PROFILE_ATTRIBUTES, *ADMIN_ATTRIBUTES) if new.get(name) != old.get(name)}
        expression, names, values = db.versioned_set(changes, expected_version)
        names["#s"] = "status"
        values[":deleted"] = DELETED
        condition = "attribute_exists(PK) AND #v = :expected AND #s <> :deleted"
        if admin_delta == 0:
            return member_from_item(self.table.update(keys.user(org_id, user_id), expression, names, values, condition=condition, fail=stale))
        self.table.transact([
            db.update(keys.user(org_id, user_id), expression, names, values, condition=condition, fail=stale),
            _admin_count(org_id, admin_delta),
        ])
        item = self.table.get(keys.user(org_id, user_id))
        if item is None:
            raise NotFound("User not found")
        return member_from_item(item)

    def stage_exists(self, tx: UnitOfWork, org_id: str, user_id: str) -> None:
        """The user is (still) a member, not deleted, when another write commits (their cost rates...)."""
        tx.check(keys.user(org_id, user_id), "attribute_exists(PK) AND #s <> :deleted", {"#s": "status"}, {":deleted": DELETED},
                 fail=NotFound("User not found"))

    def tombstone(self, org_id: str, member: Member, now: datetime, by: str) -> None:
        """They cannot sign in from now on (archived, membership gone); their data goes in pages."""
        user = {"id": member.id, "email": member.email, "version": member.version}
        now_text = iso(now)
        ops = [
            db.update(keys.user(org_id, user["id"]), "SET #s = :deleted, archived = :true, deletedAt = :now, deletedBy = :by, #v = #v + :one",
                      {"#s": "status", "#v": "version"},
                      {":deleted": DELETED, ":true": True, ":now": now_text, ":by": by, ":one": 1, ":expected": user["version"]},
                      condition="attribute_exists(PK) AND #v = :expected AND #s <> :deleted",
                      fail=Conflict("The user was changed by another request; retry")),
            db.delete(keys.membership(user["email"], org_id)),
            db.put(job_to_item(PurgeJob(kind=keys.PURGE_USER, org_id=org_id, target=member.id, user_id=member.id, requested_at=now, requested_by=by)),
                   "attribute_not_exists(PK)", fail=Conflict("The user is already being deleted")),
        ]
        if member.active_admin:
            ops.append(_admin_count(org_id, -1))
        ops.append(release_seat(org_id))
        self.table.transact(ops)

    def save_preferences(self, org_id: str, user_id: str, document: dict[str, Any], seen_version: int | None) -> None:
        item = {**keys.user_preferences(org_id, user_id),
                **keys.index_keys(keys.GSI_USER, keys.user_partition(org_id, user_id), keys.PREFERENCES_USER_SORT),
                "userId": user_id, "document": document, "version": (seen_version or 0) + 1}
        stale = Conflict("The preferences were changed by another request; retry", code="PREFERENCES_CHANGED")
        if seen_version is None:
            self.table.put(item, "attribute_not_exists(PK)", fail=stale)
        else:
            self.table.put(item, "#v = :seen", {"#v": "version"}, {":seen": seen_version}, fail=stale)

    # --- purge ----------------------------------------------------------------------------
    def purge_page(self, org_id: str, user_id: str, page_size: int) -> bool:
        """Delete one page of everything indexed under the user's GSI1 partition; True when none is left."""
        for items in self.table.query_all(key_condition=db.key_condition(keys.GSI_USER), values={":pk": keys.user_partition(org_id, user_id)},
                                          index=keys.GSI_USER, page_size=page_size):
            if items:
                self.table.batch_delete([{keys.PK: item[keys.PK], keys.SK: item[keys.SK]} for item in items] + int_ids.alias_keys(items))
                return False
            return True
        return True

    def remove_tombstone(self, org_id: str, user_id: str) -> None:
        self.table.delete(keys.user(org_id, user_id), "#s = :deleted", {"#s": "status"}, {":deleted": DELETED},
                          fail=Conflict("The user was restored meanwhile"))


def _admin_count(org_id: str, delta: int) -> db.Op:
    if delta > 0:
        return db.update(keys.organization(org_id), "SET adminCount = if_not_exists(adminCount, :zero) + :delta",
                         values={":zero": 0, ":delta": delta}, condition="attribute_exists(PK)",
                         fail=NotFound("Organization not found"))
    return db.update(keys.organization(org_id), "SET adminCount = adminCount - :delta", values={":delta": -delta, ":min": -delta},
                     condition="adminCount > :min", fail=Conflict(LAST_ADMIN, code="LAST_ADMINISTRATOR"))
