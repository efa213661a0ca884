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
from sandglass.repositories.jobs import job_item
from sandglass.storage import table as db
from sandglass.storage.table import Op as WriteCondition
from sandglass.storage.table import Page, Table
from sandglass.storage.transaction import UnitOfWork

PROJECT_ADMINISTRATOR = "Administrator"
INTERNAL = keys.KEY_ATTRIBUTES
_PROJECT_SORT = keys.gsi_sk(keys.GSI_PROJECT)


def project_item(org_id: str, project: dict[str, Any]) -> dict[str, Any]:
    return {**keys.project(org_id, project["id"]), **project,
            **keys.index_keys(keys.GSI_PROJECT, keys.project_list_partition(org_id),
                              keys.project_list_sort(project["id"], project["name"], bool(project.get("archived"))))}


def member_item(org_id: str, member: dict[str, Any]) -> dict[str, Any]:
    project_id, user_id, member_id = member["projectId"], member["userId"], member["id"]
    return {**keys.project_member(org_id, project_id, member_id), **member,
            **keys.index_keys(keys.GSI_USER, keys.user_partition(org_id, user_id), keys.project_membership_user_sort(project_id)),
            **keys.index_keys(keys.GSI_PROJECT, keys.project_partition(org_id, project_id), keys.project_member_gsi_sort(member_id))}


def new_membership(project_id: str, user_id: str, role: str, assigned_by: str, now: str, *, title: str | None = None,
                   notes: str | None = None, tags=()) -> dict[str, Any]:
    """A project membership as it is first stored (its id derived from project and user)."""
    return {"id": ids.project_member_id(project_id, user_id), "projectId": project_id, "userId": user_id, "role": role, "archived": False,
            "assignedBy": assigned_by, "title": title, "notes": notes, "tags": list(tags), "createdAt": now, "version": 1}


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
            key_condition=db.key_condition(keys.GSI_USER, "prefix"),
            values={":pk": keys.user_partition(org_id, user_id), ":prefix": keys.PROJECT_SK_PREFIX},
            index=keys.GSI_USER,
        ):
            found.extend(items)
        return found

    def administered_project_ids(self, org_id: str, user_id: str) -> list[str]:
        return [m["projectId"] for m in self.memberships_of_user(org_id, user_id) if m.get("role") == PROJECT_ADMINISTRATOR and not m.get("archived")]

    # --- reads (projects routes) -------------------------------------------------------------
    def project_with_memberships(self, org_id: str, project_id: str, *, caller_id: str | None,
                                 member_id: str | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None]:
        """(project, the caller's membership, the membership `member_id`) in one BatchGetItem;
        None for any that does not exist (or was not asked for)."""
        wanted = {"project": keys.project(org_id, project_id)}
        if caller_id is not None:
            wanted["caller"] = keys.project_member(org_id, project_id, ids.project_member_id(project_id, caller_id))
        if member_id is not None:
            wanted["member"] = keys.project_member(org_id, project_id, member_id)
        found = {item[keys.SK]: item for item in self.table.batch_get(list({key[keys.SK]: key for key in wanted.values()}.values()))}
        pick = lambda name: found.get(wanted[name][keys.SK]) if name in wanted else None  # noqa: E731
        return pick("project"), pick("caller"), pick("member")

    def get_projects(self, org_id: str, project_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Several projects by id in one BatchGetItem (per 100); absent ones are left out."""
        unique = {project_id: keys.project(org_id, project_id) for project_id in project_ids}
        if not unique:
            return {}
        return {item["id"]: item for item in self.table.batch_get(list(unique.values()))}

    def memberships(self, org_id: str, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Memberships by (projectId, userId) in one BatchGetItem (per 100); absent ones are left out."""
        wanted = {pair: keys.project_member(org_id, pair[0], ids.project_member_id(*pair)) for pair in pairs}
        if not wanted:
            return {}
        return {(item["projectId"], item["userId"]): item for item in self.table.batch_get(list(wanted.values()), consistent=True)}

    def add_member_ops(self, org_id: str, member: dict[str, Any]) -> list[WriteCondition]:
        """add_member's writes, for a caller's own transaction (a workflow request's resolution)."""
        return [
            db.put(member_item(org_id, member), "attribute_not_exists(PK)",
                   fail=Conflict("The user was added to the project meanwhile; retry", code="ALREADY_MEMBER")),
            db.check(keys.project(org_id, member["projectId"]), "attribute_exists(PK)", fail=NotFound("Project not found")),
            db.check(keys.user(org_id, member["userId"]), "attribute_exists(PK) AND #a = :false", {"#a": "archived"}, {":false": False},
                     fail=Conflict("The user was archived or removed meanwhile; retry", code="USER_CHANGED")),
        ]

    def join_ops(self, org_id: str, members: list[dict[str, Any]]) -> list[WriteCondition]:
        """add_member_ops of several memberships for one transaction: each project and each user
        is checked once (a transaction may touch an item only once)."""
        ops, checked = [], set()
        for member in members:
            put, project_exists, user_exists = self.add_member_ops(org_id, member)
            ops.append(put)
            for key, check in ((("project", member["projectId"]), project_exists), (("user", member["userId"]), user_exists)):
                if key not in checked:
                    checked.add(key)
                    ops.append(check)
        return ops

    def role_op(self, org_id: str, stored: dict[str, Any], role: str, now: str) -> WriteCondition:
        """Set a membership's role, for a caller's transaction; the membership must still exist."""
        return db.update(keys.project_member(org_id, stored["projectId"], stored["id"]), "SET #r = :role, updatedAt = :now ADD #v :one",
                         {"#r": "role", "#v": "version"}, {":role": role, ":now": now, ":one": 1}, "attribute_exists(PK)",
                         fail=Conflict("The member left the project meanwhile", code="MEMBER_GONE"))

    def member_exists_conditions(self, org_id: str, project_id: str, member_id: str) -> list[WriteCondition]:
        """The project and the membership still exist: for another write's transaction (rate windows)."""
        return [
            db.check(keys.project(org_id, project_id), "attribute_exists(PK)", fail=NotFound("Project not found")),
            db.check(keys.project_member(org_id, project_id, member_id), "attribute_exists(PK)", fail=NotFound("Project member not found")),
        ]

    def page_projects(self, org_id: str, archived: str, limit: int, cursor: str | None) -> Page:
        """One Query of the sparse listing: `archived` is "false" (active), "true" (archived only) or "include"."""
        prefix = {"false": keys.PROJECT_LIST_ACTIVE, "true": keys.PROJECT_LIST_ARCHIVED}.get(archived)
        condition = db.key_condition(keys.GSI_PROJECT, "prefix" if prefix else None)
        values: dict[str, Any] = {":pk": keys.project_list_partition(org_id)}
        if prefix:
            values[":prefix"] = prefix
        return self.table.query_page(org_id=org_id, scope=f"projects:{archived}", key_condition=condition, values=values,
                                     index=keys.GSI_PROJECT, limit=limit, cursor=cursor)

    def page_memberships_of_user(self, org_id: str, user_id: str, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(org_id=org_id, scope=f"memberships:{user_id}",
                                     key_condition=db.key_condition(keys.GSI_USER, "prefix"),
                                     values={":pk": keys.user_partition(org_id, user_id), ":prefix": keys.PROJECT_SK_PREFIX},
                                     index=keys.GSI_USER, limit=limit, cursor=cursor)

    def page_members(self, org_id: str, project_id: str, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(org_id=org_id, scope=f"members:{project_id}",
                                     key_condition=db.key_condition(keys.GSI_PROJECT, "prefix"),
                                     values={":pk": keys.project_partition(org_id, project_id), ":prefix": keys.PROJECT_MEMBER_GSI_SK_PREFIX},
                                     index=keys.GSI_PROJECT, limit=limit, cursor=cursor)

    def has_activities(self, org_id: str, project_id: str) -> bool:
        """Does any activity hang off the project? One Query, Limit 1."""
        page = self.table.query_page(org_id=org_id, scope="has-activities",
                                     key_condition=db.key_condition(keys.GSI_PROJECT, "prefix"),
                                     values={":pk": keys.project_partition(org_id, project_id), ":prefix": keys.PROJECT_ACTIVITY_GSI_SK_PREFIX},
                                     index=keys.GSI_PROJECT, limit=1)
        return bool(page.items)

    # --- writes ------------------------------------------------------------------------------
    def create(self, org_id: str, project: dict[str, Any], creator: dict[str, Any]) -> None:
        """The project and its creator's Administrator membership, atomically."""
        tx = UnitOfWork(self.table)
        self.stage_create(tx, org_id, project, creator)
        tx.commit()

    def stage_create(self, tx: UnitOfWork, org_id: str, project: dict[str, Any], creator: dict[str, Any]) -> None:
        tx.put(project_item(org_id, project), "attribute_not_exists(PK)")
        tx.put(member_item(org_id, creator), "attribute_not_exists(PK)")

    def update(self, org_id: str, stored: dict[str, Any], changes: dict[str, Any], expected_version: int, stale: Exception) -> dict[str, Any]:
        merged = {**public(stored), **changes}
        expression, names, values = db.versioned_set(changes, expected_version)
        names["#s"] = _PROJECT_SORT
        values[":sort"] = keys.project_list_sort(stored["id"], merged["name"], bool(merged.get("archived")))
        return self.table.update(keys.project(org_id, stored["id"]), expression + ", #s = :sort", names, values,
                                 condition="attribute_exists(PK) AND #v = :expected", fail=stale)

    def stage_update(self, tx: UnitOfWork, org_id: str, stored: dict[str, Any], changes: dict[str, Any], expected_version: int,
                     stale: Exception) -> dict[str, Any]:
        """update's write for a caller's transaction (with a client's check); returns the project as it will be."""
        merged = {**stored, **changes, "version": expected_version + 1}
        expression, names, values = db.versioned_set(changes, expected_version)
        names["#s"] = _PROJECT_SORT
        values[":sort"] = keys.project_list_sort(stored["id"], merged["name"], bool(merged.get("archived")))
        tx.update(keys.project(org_id, stored["id"]), expression + ", #s = :sort", names, values,
                  condition="attribute_exists(PK) AND #v = :expected", fail=stale)
        return public(merged)

    # --- a client's projects (services/catalog.py cascades) -----------------------------------
    def projects_of_client(self, org_id: str, client_id: str):
        """Every project filed under the client: the listing's pages, filtered (jobs and cascades only)."""
        for items in self.table.query_all(key_condition=db.key_condition(keys.GSI_PROJECT), values={":pk": keys.project_list_partition(org_id),
                                          ":client": client_id}, filter_expression="clientId = :client", index=keys.GSI_PROJECT):
            yield from items

    def stage_archive(self, tx: UnitOfWork, org_id: str, project: dict[str, Any]) -> None:
        tx.update(keys.project(org_id, project["id"]), "SET archived = :true, #s = :sort ADD #v :one", {"#s": _PROJECT_SORT, "#v": "version"},
                  {":true": True, ":sort": keys.project_list_sort(project["id"], project["name"], True), ":one": 1}, "attribute_exists(PK)",
                  fail=Conflict("A project of the client was deleted meanwhile; retry"))

    def stage_clear_client(self, tx: UnitOfWork, org_id: str, project: dict[str, Any], client_id: str) -> None:
        tx.update(keys.project(org_id, project["id"]), "REMOVE clientId ADD #v :one", {"#v": "version"}, {":client": client_id, ":one": 1},
                  "attribute_exists(PK) AND clientId = :client", fail=Conflict("A project of the client changed meanwhile; retry"))

    def tombstone(self, org_id: str, project_id: str, expected_version: int, *, cascade: bool, **job_details: Any) -> None:
        """Remove the project at once (unreadable, no new activity can reference it) and queue the
        paged removal of its members, rates (and activities when cascading), atomically. Without
        `cascade` the project must not have been marked as holding activities meanwhile
        (ActivityRepository.note_project_used marks it before its first activity is written)."""
        condition = "attribute_exists(PK) AND #v = :expected"
        if not cascade:
            condition += " AND attribute_not_exists(hasActivities)"
        self.table.transact([
            db.delete(keys.project(org_id, project_id), condition, {"#v": "version"}, {":expected": expected_version},
                      fail=Conflict("The project was changed by another request (an activity may just have been recorded on it); reload and retry")),
            db.put(job_item(keys.PURGE_PROJECT, org_id, project_id, projectId=project_id, cascade=cascade, **job_details),
                   "attribute_not_exists(PK)", fail=Conflict("The project is already being deleted")),
        ])

    def add_member(self, org_id: str, member: dict[str, Any]) -> None:
        """Membership is unique per (project, user) by its derived id; the project and the user must exist."""
        put, project_exists, user_exists = self.add_member_ops(org_id, member)
        put.on_condition_failed = Conflict("The user is already a member of this project", code="ALREADY_MEMBER")
        user_exists.on_condition_failed = ValidationFailed.field("userId", "No active user with this id in the organization")
        self.table.transact([put, project_exists, user_exists])

    def update_member(self, org_id: str, stored: dict[str, Any], changes: dict[str, Any], expected_version: int, stale: Exception) -> dict[str, Any]:
        expression, names, values = db.versioned_set(changes, expected_version)
        return self.table.update(keys.project_member(org_id, stored["projectId"], stored["id"]), expression,
                                 names, values, condition="attribute_exists(PK) AND #v = :expected", fail=stale)

    def remove_member(self, org_id: str, stored: dict[str, Any], rate_ops: list[WriteCondition]) -> None:
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
        params: dict[str, Any] = {"key_condition": db.key_condition(keys.GSI_PROJECT), "values": {":pk": keys.project_partition(org_id, project_id)},
                                  "index": keys.GSI_PROJECT, "page_size": page_size}
        if not include_activities:
            params["filter_expression"] = f"NOT begins_with({_PROJECT_SORT}, :act)"
            params["values"] = {**params["values"], ":act": keys.PROJECT_ACTIVITY_GSI_SK_PREFIX}
        for items in self.table.query_all(**params):
            if items:
                self.table.batch_delete([{keys.PK: item[keys.PK], keys.SK: item[keys.SK]} for item in items])
                return False
        return True
