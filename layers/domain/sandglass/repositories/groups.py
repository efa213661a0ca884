"""Groups of people and each person's group history.

Item shapes (under PK ``ORG#<orgId>``, so the organization purge removes them with the rest):
- group: SK ``GROUP#<id>`` (keys.group) — id, name, managerId, substituteId (only when set), version,
  createdAt/By, updatedAt/By;
- membership: SK ``GROUPMEMBER#<userId>#<yyyy-mm-dd>`` (keys.group_membership) — userId, groupId (absent:
  the person leaves every group that day), from; GSI1 in the person's user partition, so their purge removes
  it. A person's history is one Query of their prefix; the
  organization's, one Query of ``GROUPMEMBER#`` (a few items per person, never activities).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sandglass import keys
from sandglass.entities.groups import Group, GroupMembership
from sandglass.errors import Conflict, DomainError, NotFound, ValidationFailed
from sandglass.repositories import int_ids
from sandglass.storage import table as db
from sandglass.storage.table import Page, Table
from sandglass.storage.transaction import UnitOfWork
from sandglass.timefmt import iso, parse


def from_item(item: dict[str, Any]) -> Group:
    return Group(id=item["id"], name=item["name"], manager_id=item.get("managerId"), substitute_id=item.get("substituteId"),
                 version=int(item.get("version", 1)), created_at=parse(item["createdAt"]) if item.get("createdAt") else None,
                 updated_at=parse(item["updatedAt"]) if item.get("updatedAt") else None,
                 number=int(item["number"]) if item.get("number") is not None else None)


def to_item(org_id: str, group: Group, actor: str) -> dict[str, Any]:
    item = {"id": group.id, "name": group.name, "managerId": group.manager_id, "substituteId": group.substitute_id,
            "version": group.version, "createdAt": iso(group.created_at) if group.created_at else None,
            "updatedAt": iso(group.updated_at) if group.updated_at else None, "updatedBy": actor, "number": group.number}
    return {**{name: value for name, value in item.items() if value is not None}, **keys.group(org_id, group.id)}


def membership_from_item(item: dict[str, Any]) -> GroupMembership:
    return GroupMembership(user_id=item["userId"], group_id=item.get("groupId"), from_day=date.fromisoformat(item["from"]))


class GroupRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads ------------------------------------------------------------------------------
    def get(self, org_id: str, group_id: str) -> Group | None:
        item = self.table.get(keys.group(org_id, group_id))
        return from_item(item) if item else None

    def page(self, org_id: str, limit: int, cursor: str | None) -> tuple[list[Group], str | None]:
        page: Page = self.table.query_page(org_id=org_id, scope="groups", key_condition=db.key_condition(None, "prefix"),
                                           values={":pk": keys.org_pk(org_id), ":prefix": keys.GROUP_SK_PREFIX}, limit=limit, cursor=cursor)
        return [from_item(item) for item in page.items], page.cursor

    def memberships(self, org_id: str, user_id: str | None = None) -> list[GroupMembership]:
        """The organization's group history (or one person's), oldest first per person."""
        found = []
        for items in self.table.query_all(key_condition=db.key_condition(None, "prefix"),
                                          values={":pk": keys.org_pk(org_id), ":prefix": keys.group_memberships_prefix(user_id)}):
            found += [membership_from_item(item) for item in items]
        return found

    # --- writes -----------------------------------------------------------------------------
    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.table)

    def next_number(self, org_id: str) -> int:
        """A new group's integer id (repositories/int_ids.py)."""
        return int_ids.IntIdRepository(self.table).mint(org_id, "group")

    def stage_create(self, tx: UnitOfWork, org_id: str, group: Group, actor: str) -> None:
        tx.put(to_item(org_id, group, actor), "attribute_not_exists(PK)", fail=Conflict("A group with this id already exists"))
        int_ids.stage_alias(tx, org_id, "group", group.number, group.id)

    def stage_replace(self, tx: UnitOfWork, org_id: str, group: Group, expected_version: int, actor: str, *, stale: DomainError) -> None:
        tx.put(to_item(org_id, group, actor), "#v = :expected", {"#v": "version"}, {":expected": expected_version}, fail=stale)

    def stage_delete(self, tx: UnitOfWork, org_id: str, group: Group, *, stale: DomainError) -> None:
        tx.delete(keys.group(org_id, group.id), "#v = :expected", {"#v": "version"}, {":expected": group.version}, fail=stale)
        int_ids.stage_alias_removal(tx, org_id, "group", group.number, group.id)

    def stage_membership(self, tx: UnitOfWork, org_id: str, membership: GroupMembership, actor: str) -> None:
        day = membership.from_day.isoformat()
        item = {"userId": membership.user_id, "from": day, "updatedBy": actor, **keys.group_membership(org_id, membership.user_id, day),
                **keys.index_keys(keys.GSI_USER, keys.user_partition(org_id, membership.user_id), keys.group_membership_user_sort(day))}
        if membership.group_id is not None:
            item["groupId"] = membership.group_id
            tx.check(keys.group(org_id, membership.group_id), "attribute_exists(PK)", fail=NotFound("Group not found"))
        tx.put(item)

    def stage_member_exists(self, tx: UnitOfWork, org_id: str, user_id: str, field: str) -> None:
        """`user_id` is an active member of the organization when the write commits."""
        tx.check(keys.user(org_id, user_id), "attribute_exists(PK) AND (attribute_not_exists(#s) OR #s <> :deleted)",
                 {"#s": "status"}, {":deleted": "DELETED"}, fail=ValidationFailed.field(field, "Not a member of this organization"))
