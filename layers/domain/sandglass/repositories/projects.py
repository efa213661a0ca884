"""Projects and project memberships (reads shared with the Activities rules).

Item shapes (all under PK ``ORG#<orgId>``):
- project:  SK ``PROJECT#<projectId>`` — id, name, notes, billable, archived, avatar, version.
- member:   SK ``PROJECT#<projectId>#MEMBER#<memberId>`` with memberId = ids.project_member_id(projectId, userId)
            — id, projectId, userId, role (Administrator|User), archived, assignedBy, title, notes, tags, version;
            GSI1PK = keys.user_partition(org, userId), GSI1SK = ``PROJECT#<projectId>``;
            GSI2PK = keys.project_partition(org, projectId), GSI2SK = ``MEMBER#<memberId>``.
- listing:  project items also carry GSI2PK = keys.project_list_partition(org) and
            GSI2SK = keys.project_list_sort(projectId, name, archived) (a sparse listing of projects).
- activities (written by the Activities code) carry GSI2PK = keys.project_partition(org, projectId) and
  GSI2SK starting with ``ACT#``; revenue rates and their lock carry GSI2 keys too (repositories/rates.py),
  so a project's purge is a paged Query of its GSI2 partition.
"""

from __future__ import annotations

from typing import Any

from sandglass import ids, keys
from sandglass.errors import Conflict, NotFound, ValidationFailed
from sandglass.storage import table as db
from sandglass.storage.table import Page, Table

PROJECT_ADMINISTRATOR = "Administrator"
INTERNAL = (keys.PK, keys.SK, "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")


def project_item(org_id: str, project: dict[str, Any]) -> dict[str, Any]:
    return {**keys.project(org_id, project["id"]), **project,
            "GSI2PK": keys.project_list_partition(org_id),
            "GSI2SK": keys.project_list_sort(project["id"], project["name"], bool(project.get("archived")))}


def member_item(org_id: str, member: dict[str, Any]) -> dict[str, Any]:
    project_id, user_id, member_id = member["projectId"], member["userId"], member["id"]
    return {**keys.project_member(org_id, project_id, member_id), **member,
            "GSI1PK": keys.user_partition(org_id, user_id), "GSI1SK": f"{keys.PROJECT_SK_PREFIX}{project_id}",
            "GSI2PK": keys.project_partition(org_id, project_id), "GSI2SK": keys.project_member_gsi_sort(member_id)}


def public(item: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in item.items() if name not in INTERNAL}


class ProjectRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def get(self, org_id: str, project_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.project(org_id, project_id))

    def membership(self, org_id: str, project_id: str, user_id: str) -> dict[str, Any] | None:
        """The user's membership of the project, or None (one GetItem)."""
        return self.table.get(keys.project_member(org_id, project_id, ids.project_member_id(project_id, user_id)))

    def memberships_of_user(self, org_id: str, user_id: str) -> list[dict[str, Any]]:
        """Every project membership of one user (one Query per page of GSI_USER)."""
        found: list[dict[str, Any]] = []
        for items in self.table.query_all(
            key_condition="GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
            values={":pk": keys.user_partition(org_id, user_id), ":prefix": keys.PROJECT_SK_PREFIX},
            index=keys.GSI_USER,
        ):
            found.extend(items)
        return found

    def administered_project_ids(self, org_id: str, user_id: str) -> list[str]:
        return [m["projectId"] for m in self.memberships_of_user(org_id, user_id) if m.get("role") == PROJECT_ADMINISTRATOR and not m.get("archived")]

    # --- reads (projects routes) -------------------------------------------------------------
    def get_many(self, item_keys: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
        """Several items in one BatchGetItem, by SK (all keys are in the organization's partition)."""
        unique = {key[keys.SK]: key for key in item_keys}
        if not unique:
            return {}
        return {item[keys.SK]: item for item in self.table.batch_get(list(unique.values()))}

    def page_projects(self, org_id: str, archived: str, limit: int, cursor: str | None) -> Page:
        """One Query of the sparse listing: `archived` is "false" (active), "true" (archived only) or "include"."""
        prefix = {"false": keys.PROJECT_LIST_ACTIVE, "true": keys.PROJECT_LIST_ARCHIVED}.get(archived)
        condition = "GSI2PK = :pk" + (" AND begins_with(GSI2SK, :prefix)" if prefix else "")
        values: dict[str, Any] = {":pk": keys.project_list_partition(org_id)}
        if prefix:
            values[":prefix"] = prefix
        return self.table.query_page(org_id=org_id, scope=f"projects:{archived}", key_condition=condition, values=values,
                                     index=keys.GSI_PROJECT, limit=limit, cursor=cursor)

    def page_memberships_of_user(self, org_id: str, user_id: str, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(org_id=org_id, scope=f"memberships:{user_id}",
                                     key_condition="GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
                                     values={":pk": keys.user_partition(org_id, user_id), ":prefix": keys.PROJECT_SK_PREFIX},
                                     index=keys.GSI_USER, limit=limit, cursor=cursor)

    def page_members(self, org_id: str, project_id: str, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(org_id=org_id, scope=f"members:{project_id}",
                                     key_condition="GSI2PK = :pk AND begins_with(GSI2SK, :prefix)",
                                     values={":pk": keys.project_partition(org_id, project_id), ":prefix": keys.PROJECT_MEMBER_GSI_SK_PREFIX},
                                     index=keys.GSI_PROJECT, limit=limit, cursor=cursor)

    def has_activities(self, org_id: str, project_id: str) -> bool:
        """Does any activity hang off the project? One Query, Limit 1."""
        page = self.table.query_page(org_id=org_id, scope="has-activities",
                                     key_condition="GSI2PK = :pk AND begins_with(GSI2SK, :prefix)",
                                     values={":pk": keys.project_partition(org_id, project_id), ":prefix": keys.PROJECT_ACTIVITY_GSI_SK_PREFIX},
                                     index=keys.GSI_PROJECT, limit=1)
        return bool(page.items)

    # --- writes ------------------------------------------------------------------------------
    def create(self, org_id: str, project: dict[str, Any], creator: dict[str, Any]) -> None:
        """The project and its creator's Administrator membership, atomically."""
        self.table.transact([
            db.put(project_item(org_id, project), "attribute_not_exists(PK)"),
            db.put(member_item(org_id, creator), "attribute_not_exists(PK)"),
        ])

    def update(self, org_id: str, stored: dict[str, Any], changes: dict[str, Any], expected_version: int, stale: Exception) -> dict[str, Any]:
        merged = {**public(stored), **changes}
        expression, names, values = db.versioned_set(changes, expected_version)
        names["#s"] = "GSI2SK"
        values[":sort"] = keys.project_list_sort(stored["id"], merged["name"], bool(merged.get("archived")))
        return self.table.update(keys.project(org_id, stored["id"]), expression + ", #s = :sort", names, values,
                                 condition="attribute_exists(PK) AND #v = :expected", fail=stale)

    def tombstone(self, org_id: str, project_id: str, expected_version: int, job: dict[str, Any]) -> None:
        """Remove the project at once (unreadable, no new activity can reference it) and queue the
        paged removal of its members, rates (and activities when cascading), atomically."""
        self.table.transact([
            db.delete(keys.project(org_id, project_id), "attribute_exists(PK) AND #v = :expected", {"#v": "version"},
                      {":expected": expected_version}, fail=Conflict("The project was changed by another request; retry")),
            db.put(job, "attribute_not_exists(PK)", fail=Conflict("The project is already being deleted")),
        ])

    def add_member(self, org_id: str, member: dict[str, Any]) -> None:
        """Membership is unique per (project, user) by its derived id; the project and the user must exist."""
        self.table.transact([
            db.put(member_item(org_id, member), "attribute_not_exists(PK)",
                   fail=Conflict("The user is already a member of this project", code="ALREADY_MEMBER")),
            db.check(keys.project(org_id, member["projectId"]), "attribute_exists(PK)", fail=NotFound("Project not found")),
            db.check(keys.user(org_id, member["userId"]), "attribute_exists(PK) AND #a = :false", {"#a": "archived"}, {":false": False},
                     fail=ValidationFailed.field("userId", "No active user with this id in the organization")),
        ])

    def update_member(self, org_id: str, stored: dict[str, Any], changes: dict[str, Any], expected_version: int, stale: Exception) -> dict[str, Any]:
        expression, names, values = db.versioned_set(changes, expected_version)
        return self.table.update(keys.project_member(org_id, stored["projectId"], stored["id"]), expression,
                                 names, values, condition="attribute_exists(PK) AND #v = :expected", fail=stale)

    def remove_member(self, org_id: str, stored: dict[str, Any], rate_ops: list[db.Op]) -> None:
        if len(rate_ops) > 99:
            raise Conflict("This member has too many revenue rate windows to remove at once; delete some of them first")
        self.table.transact([
            db.delete(keys.project_member(org_id, stored["projectId"], stored["id"]), "attribute_exists(PK) AND #v = :expected",
                      {"#v": "version"}, {":expected": int(stored["version"])},
                      fail=Conflict("The member was changed by another request; retry")),
            *rate_ops,
        ])

    # --- purge -------------------------------------------------------------------------------
    def purge_page(self, org_id: str, project_id: str, include_activities: bool, page_size: int) -> bool:
        """Delete one page of the project's GSI2 partition. Returns True when nothing is left to delete.
        Without `include_activities`, activities are kept (a delete raced with a new activity never loses time)."""
        params: dict[str, Any] = {"key_condition": "GSI2PK = :pk", "values": {":pk": keys.project_partition(org_id, project_id)},
                                  "index": keys.GSI_PROJECT, "page_size": page_size}
        if not include_activities:
            params["filter_expression"] = "NOT begins_with(GSI2SK, :act)"
            params["values"] = {**params["values"], ":act": keys.PROJECT_ACTIVITY_GSI_SK_PREFIX}
        for items in self.table.query_all(**params):
            if items:
                self.table.batch_delete([{keys.PK: item[keys.PK], keys.SK: item[keys.SK]} for item in items])
                return False
        return True
