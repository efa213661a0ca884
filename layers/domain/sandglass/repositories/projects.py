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

from datetime import datetime
from typing import Any, Generic, TypeVar

from msgspec import Struct
from msgspec.structs import replace

from sandglass import ids, keys
from sandglass.entities.jobs import PurgeJob
from sandglass.entities.projects import PROJECT_ADMINISTRATOR, Project, ProjectMembership
from sandglass.errors import Conflict, DomainError, NotFound, ValidationFailed
from sandglass.repositories import int_ids
from sandglass.repositories.jobs import job_to_item
from sandglass.storage import table as db
from sandglass.storage.table import Op as WriteCondition
from sandglass.storage.table import Page, Table
from sandglass.storage.transaction import UnitOfWork
from sandglass.timefmt import iso, parse_stored

__all__ = ["PROJECT_ADMINISTRATOR", "Listing", "ProjectRepository", "member_item", "membership_from_item", "new_membership",
           "project_from_item", "project_item"]

INTERNAL = keys.KEY_ATTRIBUTES
_PROJECT_SORT = keys.gsi_sk(keys.GSI_PROJECT)
# entity field -> item attribute of what a PUT may change
PROJECT_ATTRIBUTES = {"name": "name", "notes": "notes", "billable": "billable", "archived": "archived", "avatar": "avatar", "client_id": "clientId"}
MEMBERSHIP_ATTRIBUTES = {"role": "role", "title": "title", "notes": "notes", "tags": "tags", "archived": "archived"}

T = TypeVar("T")


class Listing(Struct, Generic[T], frozen=True):
    """One page of entities and the signed cursor of the next one."""

    items: list[T]
    cursor: str | None = None


def project_item(org_id: str, project: dict[str, Any]) -> dict[str, Any]:
    return {**keys.project(org_id, project["id"]), **project,
            **keys.index_keys(keys.GSI_PROJECT, keys.project_list_partition(org_id),
                              keys.project_list_sort(project["id"], project["name"], bool(project.get("archived"))))}


def member_item(org_id: str, member: dict[str, Any]) -> dict[str, Any]:
    project_id, user_id, member_id = member["projectId"], member["userId"], member["id"]
    return {**keys.project_member(org_id, project_id, member_id), **member,
            **keys.index_keys(keys.GSI_USER, keys.user_partition(org_id, user_id), keys.project_membership_user_sort(project_id)),
            **keys.index_keys(keys.GSI_PROJECT, keys.project_partition(org_id, project_id), keys.project_member_gsi_sort(member_id))}


def project_from_item(item: dict[str, Any]) -> Project:
    return Project(id=item["id"], name=item["name"], notes=item.get("notes") or "", billable=bool(item.get("billable", True)),
                   archived=bool(item.get("archived")), avatar=item.get("avatar"), version=int(item.get("version", 1)),
                   created_at=parse_stored(item.get("createdAt")), created_by=item.get("createdBy"), has_activities=bool(item.get("hasActivities")),
                   client_id=item.get("clientId"), number=int(item["number"]) if item.get("number") is not None else None)


def project_to_item(org_id: str, project: Project) -> dict[str, Any]:
    stored = {"id": project.id, "name": project.name, "notes": project.notes, "billable": project.billable, "archived": project.archived,
              "avatar": project.avatar, "createdAt": iso(project.created_at) if project.created_at else None, "createdBy": project.created_by,
              "version": project.version}
    if project.client_id is not None:
        stored["clientId"] = project.client_id
    if project.number is not None:
        stored["number"] = project.number
    return project_item(org_id, stored)


def membership_from_item(item: dict[str, Any]) -> ProjectMembership:
    return ProjectMembership(id=item["id"], project_id=item["projectId"], user_id=item["userId"], role=item.get("role", "User"),
                             archived=bool(item.get("archived")), assigned_by=item.get("assignedBy"), title=item.get("title"),
                             notes=item.get("notes"), tags=tuple(item.get("tags") or ()), version=int(item.get("version", 1)),
                             created_at=parse_stored(item.get("createdAt")))


def membership_to_item(org_id: str, member: ProjectMembership) -> dict[str, Any]:
    stored = {"id": member.id, "projectId": member.project_id, "userId": member.user_id, "role": member.role, "archived": member.archived,
              "assignedBy": member.assigned_by, "title": member.title, "notes": member.notes, "tags": list(member.tags),
              "createdAt": iso(member.created_at) if member.created_at else None, "version": member.version}
    return member_item(org_id, stored)


def new_membership(project_id: str, user_id: str, role: str, assigned_by: str, now: datetime, *, title: str | None = None,
                   notes: str | None = None, tags=()) -> ProjectMembership:
    """A project membership as it is first stored (its id derived from project and user)."""
    return ProjectMembership(id=ids.project_member_id(project_id, user_id), project_id=project_id, user_id=user_id, role=role,
                             assigned_by=assigned_by, title=title, notes=notes, tags=tuple(tags), created_at=now)


def _changes(attributes: dict[str, str], changes: dict[str, Any]) -> dict[str, Any]:
    return {attributes[name]: list(value) if isinstance(value, tuple) else value for name, value in changes.items()}


class ProjectRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def get(self, org_id: str, project_id: str) -> Project | None:
        item = self.table.get(keys.project(org_id, project_id))
        return None if item is None else project_from_item(item)

    def membership(self, org_id: str, project_id: str, user_id: str) -> ProjectMembership | None:
        """The user's membership of the project, or None (one GetItem)."""
        item = self.table.get(keys.project_member(org_id, project_id, ids.project_member_id(project_id, user_id)))
        return None if item is None else membership_from_item(item)

    def memberships_of_user(self, org_id: str, user_id: str) -> list[ProjectMembership]:
        """Every project membership of one user (one Query per page of GSI_USER)."""
        found: list[ProjectMembership] = []
        for items in self.table.query_all(
            key_condition=db.key_condition(keys.GSI_USER, "prefix"),
            values={":pk": keys.user_partition(org_id, user_id), ":prefix": keys.PROJECT_SK_PREFIX},
            index=keys.GSI_USER,
        ):
            found.extend(membership_from_item(item) for item in items)
        return found

    def administered_project_ids(self, org_id: str, user_id: str) -> list[str]:
        return [member.project_id for member in self.memberships_of_user(org_id, user_id) if member.administers]

    # --- reads (projects routes) -------------------------------------------------------------
    def project_with_memberships(self, org_id: str, project_id: str, *, caller_id: str | None,
                                 member_id: str | None) -> tuple[Project | None, ProjectMembership | None, ProjectMembership | None]:
        """(project, the caller's membership, the membership `member_id`) in one BatchGetItem;
        None for any that does not exist (or was not asked for)."""
        wanted = {"project": keys.project(org_id, project_id)}
        if caller_id is not None:
            wanted["caller"] = keys.project_member(org_id, project_id, ids.project_member_id(project_id, caller_id))
        if member_id is not None:
            wanted["member"] = keys.project_member(org_id, project_id, member_id)
        found = {item[keys.SK]: item for item in self.table.batch_get(list({key[keys.SK]: key for key in wanted.values()}.values()))}
        pick = lambda name: found.get(wanted[name][keys.SK]) if name in wanted else None  # noqa: E731
        project, caller, member = pick("project"), pick("caller"), pick("member")
        return (project and project_from_item(project), caller and membership_from_item(caller), member and membership_from_item(member))

    def get_projects(self, org_id: str, project_ids: list[str]) -> dict[str, Project]:
        """Several projects by id in one BatchGetItem (per 100); absent ones are left out."""
        unique = {project_id: keys.project(org_id, project_id) for project_id in project_ids}
        if not unique:
            return {}
        return {item["id"]: project_from_item(item) for item in self.table.batch_get(list(unique.values()))}

    def memberships(self, org_id: str, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], ProjectMembership]:
        """Memberships by (projectId, userId) in one BatchGetItem (per 100); absent ones are left out."""
        wanted = {pair: keys.project_member(org_id, pair[0], ids.project_member_id(*pair)) for pair in pairs}
        if not wanted:
            return {}
        found = self.table.batch_get(list(wanted.values()), consistent=True)
        return {(item["projectId"], item["userId"]): membership_from_item(item) for item in found}

    def stage_membership(self, tx: UnitOfWork, org_id: str, member: ProjectMembership, *, already_member: DomainError | None = None,
                         user_gone: DomainError | None = None) -> None:
        """A new membership, with checks that its project and its (active) user still exist; each
        project and user is checked once per unit of work (a transaction touches an item once)."""
        tx.put(membership_to_item(org_id, member), "attribute_not_exists(PK)",
               fail=already_member or Conflict("The user was added to the project meanwhile; retry", code="ALREADY_MEMBER"))
        project_key, user_key = keys.project(org_id, member.project_id), keys.user(org_id, member.user_id)
        if not tx.stages(project_key):
            tx.check(project_key, "attribute_exists(PK)", fail=NotFound("Project not found"))
        if not tx.stages(user_key):
            tx.check(user_key, "attribute_exists(PK) AND #a = :false", {"#a": "archived"}, {":false": False},
                     fail=user_gone or Conflict("The user was archived or removed meanwhile; retry", code="USER_CHANGED"))

    def stage_role(self, tx: UnitOfWork, org_id: str, member: ProjectMembership, role: str, now: datetime) -> None:
        """Set a membership's role; the membership must still exist."""
        tx.update(keys.project_member(org_id, member.project_id, member.id), "SET #r = :role, updatedAt = :now ADD #v :one",
                  {"#r": "role", "#v": "version"}, {":role": role, ":now": iso(now), ":one": 1}, "attribute_exists(PK)",
                  fail=Conflict("The member left the project meanwhile", code="MEMBER_GONE"))

    def stage_member_exists(self, tx: UnitOfWork, org_id: str, project_id: str, member_id: str) -> None:
        """The project and the membership still exist when another write commits (a rate window, a request)."""
        tx.check(keys.project(org_id, project_id), "attribute_exists(PK)", fail=NotFound("Project not found"))
        tx.check(keys.project_member(org_id, project_id, member_id), "attribute_exists(PK)", fail=NotFound("Project member not found"))

    def page_projects(self, org_id: str, archived: str, limit: int, cursor: str | None) -> Listing[Project]:
        """One Query of the sparse listing: `archived` is "false" (active), "true" (archived only) or "include"."""
        prefix = {"false": keys.PROJECT_LIST_ACTIVE, "true": keys.PROJECT_LIST_ARCHIVED}.get(archived)
        condition = db.key_condition(keys.GSI_PROJECT, "prefix" if prefix else None)
        values: dict[str, Any] = {":pk": keys.project_list_partition(org_id)}
        if prefix:
            values[":prefix"] = prefix
        page = self.table.query_page(org_id=org_id, scope=f"projects:{archived}", key_condition=condition, values=values,
                                     index=keys.GSI_PROJECT, limit=limit, cursor=cursor)
        return Listing([project_from_item(item) for item in page.items], page.cursor)

    def page_memberships_of_user(self, org_id: str, user_id: str, limit: int, cursor: str | None) -> Listing[ProjectMembership]:
        page = self._prefix_page(org_id, f"memberships:{user_id}", keys.GSI_USER, keys.user_partition(org_id, user_id),
                                 keys.PROJECT_SK_PREFIX, limit, cursor)
        return Listing([membership_from_item(item) for item in page.items], page.cursor)

    def page_members(self, org_id: str, project_id: str, limit: int, cursor: str | None) -> Listing[ProjectMembership]:
        page = self._prefix_page(org_id, f"members:{project_id}", keys.GSI_PROJECT, keys.project_partition(org_id, project_id),
                                 keys.PROJECT_MEMBER_GSI_SK_PREFIX, limit, cursor)
        return Listing([membership_from_item(item) for item in page.items], page.cursor)

    def has_activities(self, org_id: str, project_id: str) -> bool:
        """Does any activity hang off the project? One Query, Limit 1."""
        page = self._prefix_page(org_id, "has-activities", keys.GSI_PROJECT, keys.project_partition(org_id, project_id),
                                 keys.PROJECT_ACTIVITY_GSI_SK_PREFIX, limit=1)
        return bool(page.items)

    def _prefix_page(self, org_id: str, scope: str, index: str, partition: str, prefix: str, limit: int | None,
                     cursor: str | None = None) -> Page:
        """One Query page of an index partition's items whose sort key starts with `prefix`."""
        return self.table.query_page(org_id=org_id, scope=scope, key_condition=db.key_condition(index, "prefix"),
                                     values={":pk": partition, ":prefix": prefix}, index=index, limit=limit, cursor=cursor)

    # --- writes ------------------------------------------------------------------------------
    def create(self, org_id: str, project: Project, creator: ProjectMembership) -> None:
        """The project and its creator's Administrator membership, atomically."""
        tx = UnitOfWork(self.table)
        self.stage_create(tx, org_id, project, creator)
        tx.commit()

    def stage_create(self, tx: UnitOfWork, org_id: str, project: Project, creator: ProjectMembership) -> None:
        tx.put(project_to_item(org_id, project), "attribute_not_exists(PK)")
        tx.put(membership_to_item(org_id, creator), "attribute_not_exists(PK)")
        int_ids.stage_alias(tx, org_id, "project", project.number, project.id)

    def next_number(self, org_id: str) -> int:
        """A new project's integer id (repositories/int_ids.py)."""
        return int_ids.IntIdRepository(self.table).mint(org_id, "project")

    def update(self, org_id: str, stored: Project, changes: dict[str, Any], expected_version: int, stale: DomainError) -> Project:
        """Set `changes` (entity fields of PROJECT_ATTRIBUTES) if the version is still `expected_version`."""
        key, expression, names, values, condition = self._versioned_update(org_id, stored, changes, expected_version)
        return project_from_item(self.table.update(key, expression, names, values, condition=condition, fail=stale))

    def stage_update(self, tx: UnitOfWork, org_id: str, stored: Project, changes: dict[str, Any], expected_version: int,
                     stale: DomainError) -> Project:
        """update's write for a caller's transaction (with a client's check); returns the project as it will be."""
        tx.update(*self._versioned_update(org_id, stored, changes, expected_version), fail=stale)
        return replace(stored, **changes, version=expected_version + 1)

    @staticmethod
    def _versioned_update(org_id: str, stored: Project, changes: dict[str, Any], expected_version: int):
        merged = replace(stored, **changes)
        set_changes = {name: value for name, value in changes.items() if not (name == "client_id" and value is None)}
        expression, names, values = db.versioned_set(_changes(PROJECT_ATTRIBUTES, set_changes), expected_version)
        names["#s"] = _PROJECT_SORT
        values[":sort"] = keys.project_list_sort(stored.id, merged.name, merged.archived)
        expression += ", #s = :sort"
        if "client_id" in changes and changes["client_id"] is None:
            expression += " REMOVE clientId"
        return keys.project(org_id, stored.id), expression, names, values, "attribute_exists(PK) AND #v = :expected"

    # --- a client's projects (services/catalog.py cascades) -----------------------------------
    def projects_of_client(self, org_id: str, client_id: str):
        """Every project filed under the client: the listing's pages, filtered (jobs and cascades only)."""
        for items in self.table.query_all(key_condition=db.key_condition(keys.GSI_PROJECT), values={":pk": keys.project_list_partition(org_id),
                                          ":client": client_id}, filter_expression="clientId = :client", index=keys.GSI_PROJECT):
            yield from (project_from_item(item) for item in items)

    def stage_archive(self, tx: UnitOfWork, org_id: str, project: Project) -> None:
        tx.update(keys.project(org_id, project.id), "SET archived = :true, #s = :sort ADD #v :one", {"#s": _PROJECT_SORT, "#v": "version"},
                  {":true": True, ":sort": keys.project_list_sort(project.id, project.name, True), ":one": 1}, "attribute_exists(PK)",
                  fail=Conflict("A project of the client was deleted meanwhile; retry"))

    def stage_clear_client(self, tx: UnitOfWork, org_id: str, project: Project, client_id: str) -> None:
        tx.update(keys.project(org_id, project.id), "REMOVE clientId ADD #v :one", {"#v": "version"}, {":client": client_id, ":one": 1},
                  "attribute_exists(PK) AND clientId = :client", fail=Conflict("A project of the client changed meanwhile; retry"))

    def tombstone(self, org_id: str, project_id: str, expected_version: int, *, cascade: bool, number: int | None = None,
                  requested_at: datetime, requested_by: str) -> None:
        """Remove the project at once (unreadable, no new activity can reference it) and queue the
        paged removal of its members, rates (and activities when cascading), atomically. Without
        `cascade` the project must not have been marked as holding activities meanwhile
        (ActivityRepository.note_project_used marks it before its first activity is written)."""
        condition = "attribute_exists(PK) AND #v = :expected"
        if not cascade:
            condition += " AND attribute_not_exists(hasActivities)"
        tx = UnitOfWork(self.table)
        tx.delete(keys.project(org_id, project_id), condition, {"#v": "version"}, {":expected": expected_version},
                  fail=Conflict("The project was changed by another request (an activity may just have been recorded on it); reload and retry"))
        job = PurgeJob(kind=keys.PURGE_PROJECT, org_id=org_id, target=project_id, project_id=project_id, cascade=cascade,
                       requested_at=requested_at, requested_by=requested_by)
        tx.put(job_to_item(job),
               "attribute_not_exists(PK)", fail=Conflict("The project is already being deleted"))
        int_ids.stage_alias_removal(tx, org_id, "project", number, project_id)
        tx.commit()

    def add_member(self, org_id: str, member: ProjectMembership) -> None:
        """Membership is unique per (project, user) by its derived id; the project and the user must exist."""
        tx = UnitOfWork(self.table)
        self.stage_membership(tx, org_id, member, already_member=Conflict("The user is already a member of this project", code="ALREADY_MEMBER"),
                              user_gone=ValidationFailed.field("userId", "No active user with this id in the organization"))
        tx.commit()

    def update_member(self, org_id: str, stored: ProjectMembership, changes: dict[str, Any], expected_version: int,
                      stale: DomainError) -> ProjectMembership:
        """Set `changes` (entity fields of MEMBERSHIP_ATTRIBUTES) if the version is still `expected_version`."""
        expression, names, values = db.versioned_set(_changes(MEMBERSHIP_ATTRIBUTES, changes), expected_version)
        return membership_from_item(self.table.update(keys.project_member(org_id, stored.project_id, stored.id), expression,
                                                      names, values, condition="attribute_exists(PK) AND #v = :expected", fail=stale))

    def stage_remove_member(self, tx: UnitOfWork, org_id: str, stored: ProjectMembership) -> None:
        """Remove a membership, if nobody changed it since it was read."""
        tx.delete(keys.project_member(org_id, stored.project_id, stored.id), "attribute_exists(PK) AND #v = :expected",
                  {"#v": "version"}, {":expected": stored.version}, fail=Conflict("The member was changed by another request; retry"))

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
                self.table.batch_delete([{keys.PK: item[keys.PK], keys.SK: item[keys.SK]} for item in items] + int_ids.alias_keys(items))
                return False
        return True
