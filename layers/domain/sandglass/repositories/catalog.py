"""Tags, clients and tasks in the table, and the markers that keep their names unique.

Item shapes (all under PK ``ORG#<orgId>``):
- tag:     SK ``TAG#<tagId>`` — id, name, nameKey, archived, version, createdAt, createdBy, updatedAt;
           GSI2PK = keys.catalog_list_partition(org, "TAGS"), GSI2SK = keys.catalog_list_sort(...)
           (a sparse listing: active first, by case-folded name).
- client:  SK ``CLIENT#<clientId>`` — id, name, nameKey, email, ccEmails, address, note, currency,
           archived, version, ...; GSI2 listing partition ``CLIENTS`` as for tags.
- task:    SK ``TASK#<taskId>`` — id, projectId, name, nameKey, status (ACTIVE|DONE), assigneeIds,
           estimateMs, billable (absent: as the project), hourlyRate/costRate {amount, currency},
           version, ...; GSI2PK = keys.project_partition(org, projectId), GSI2SK = keys.task_list_sort
           (so the project's purge removes its tasks).
- name:    SK ``NAME#<TAG|CLIENT|TASK>#<scope>#<sha256 of the case-folded name>`` — kind, entityId;
           put with attribute_not_exists in the entity's create/rename transaction, deleted with
           its delete (task markers carry the project's GSI2 partition too, for the purge).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, Callable, Generic, TypeVar

from msgspec import Struct

from sandglass import keys
from sandglass.entities.catalog import Client, Money, Tag, Task, name_digest, name_key
from sandglass.errors import Conflict, DomainError, NotFound, ValidationFailed
from sandglass.storage import table as db
from sandglass.storage.table import Table
from sandglass.storage.transaction import UnitOfWork
from sandglass.timefmt import iso, parse

ORGANIZATION_SCOPE = "-"
_LIST_SORT = keys.gsi_sk(keys.GSI_PROJECT)


def _when(value: str | None):
    return parse(value) if value else None


def _stamps(entity) -> dict[str, Any]:
    return {"createdAt": entity.created_at and iso(entity.created_at), "createdBy": entity.created_by,
            "updatedAt": entity.updated_at and iso(entity.updated_at), "version": entity.version}


def _money_item(money: Money | None) -> dict[str, Any] | None:
    return None if money is None else {"amount": money.amount, "currency": money.currency}


def _money(item: dict[str, Any] | None) -> Money | None:
    return None if not item else Money(amount=Decimal(str(item["amount"])), currency=item["currency"])


# --- item <-> entity ---------------------------------------------------------------------------

def tag_to_item(org_id: str, tag: Tag) -> dict[str, Any]:
    key = name_key(tag.name)
    return {**keys.tag(org_id, tag.id), "id": tag.id, "name": tag.name, "nameKey": key, "archived": tag.archived, **_stamps(tag),
            **keys.index_keys(keys.GSI_PROJECT, keys.catalog_list_partition(org_id, "TAGS"), keys.catalog_list_sort(tag.id, key, tag.archived))}


def tag_from_item(item: dict[str, Any]) -> Tag:
    return Tag(id=item["id"], name=item["name"], archived=bool(item.get("archived")), version=int(item.get("version", 1)),
               created_at=_when(item.get("createdAt")), created_by=item.get("createdBy"), updated_at=_when(item.get("updatedAt")))


def client_to_item(org_id: str, client: Client) -> dict[str, Any]:
    key = name_key(client.name)
    return {**keys.client(org_id, client.id), "id": client.id, "name": client.name, "nameKey": key, "email": client.email,
            "ccEmails": list(client.cc_emails), "address": client.address, "note": client.note, "currency": client.currency,
            "archived": client.archived, **_stamps(client),
            **keys.index_keys(keys.GSI_PROJECT, keys.catalog_list_partition(org_id, "CLIENTS"),
                              keys.catalog_list_sort(client.id, key, client.archived))}


def client_from_item(item: dict[str, Any]) -> Client:
    return Client(id=item["id"], name=item["name"], email=item.get("email"), cc_emails=tuple(item.get("ccEmails") or ()),
                  address=item.get("address"), note=item.get("note"), currency=item.get("currency"), archived=bool(item.get("archived")),
                  version=int(item.get("version", 1)), created_at=_when(item.get("createdAt")), created_by=item.get("createdBy"),
                  updated_at=_when(item.get("updatedAt")))


def task_to_item(org_id: str, task: Task) -> dict[str, Any]:
    key = name_key(task.name)
    item = {**keys.task(org_id, task.id), "id": task.id, "projectId": task.project_id, "name": task.name, "nameKey": key,
            "status": task.status, "assigneeIds": list(task.assignee_ids),
            "estimateMs": None if task.estimate is None else int(task.estimate / timedelta(milliseconds=1)),
            "hourlyRate": _money_item(task.hourly_rate), "costRate": _money_item(task.cost_rate), **_stamps(task),
            **keys.index_keys(keys.GSI_PROJECT, keys.project_partition(org_id, task.project_id), keys.task_list_sort(task.id, key))}
    if task.billable is not None:
        item["billable"] = task.billable
    return item


def task_from_item(item: dict[str, Any]) -> Task:
    estimate = item.get("estimateMs")
    return Task(id=item["id"], project_id=item["projectId"], name=item["name"], status=item.get("status", "ACTIVE"),
                assignee_ids=tuple(item.get("assigneeIds") or ()), estimate=None if estimate is None else timedelta(milliseconds=int(estimate)),
                billable=item.get("billable"), hourly_rate=_money(item.get("hourlyRate")), cost_rate=_money(item.get("costRate")),
                version=int(item.get("version", 1)), created_at=_when(item.get("createdAt")), created_by=item.get("createdBy"),
                updated_at=_when(item.get("updatedAt")))


E = TypeVar("E", Tag, Client, Task)


class Kind(Struct, Generic[E], frozen=True):
    """How one kind of catalog entity is stored: its key, item mapping, name scope and words."""

    label: str  # TAG | CLIENT | TASK
    noun: str  # for messages
    key: Callable[[str, str], dict[str, str]]
    to_item: Callable[[str, Any], dict[str, Any]]
    from_item: Callable[[dict[str, Any]], Any]
    scope: Callable[[Any], str]  # the name's uniqueness scope: the organization or the task's project

    def name_marker(self, org_id: str, entity: E) -> dict[str, Any]:
        item = {**keys.catalog_name(org_id, self.label, self.scope(entity), name_digest(entity.name)), "kind": self.label, "entityId": entity.id}
        if isinstance(entity, Task):  # the project's purge finds the marker in the project's partition
            item.update(keys.index_keys(keys.GSI_PROJECT, keys.project_partition(org_id, entity.project_id), item[keys.SK]))
        return item

    def name_taken(self, entity: E) -> Conflict:
        where = "in this project" if isinstance(entity, Task) else "in this organization"
        return Conflict(f"A {self.noun} named {entity.name!r} already exists {where} (names are compared case-insensitively)",
                        code=f"{self.label}_NAME_TAKEN")


TAGS: Kind[Tag] = Kind("TAG", "tag", keys.tag, tag_to_item, tag_from_item, lambda _: ORGANIZATION_SCOPE)
CLIENTS: Kind[Client] = Kind("CLIENT", "client", keys.client, client_to_item, client_from_item, lambda _: ORGANIZATION_SCOPE)
TASKS: Kind[Task] = Kind("TASK", "task", keys.task, task_to_item, task_from_item, lambda task: task.project_id)


class CatalogRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads -----------------------------------------------------------------------------
    def get(self, kind: Kind[E], org_id: str, entity_id: str) -> E | None:
        item = self.table.get(kind.key(org_id, entity_id))
        return None if item is None else kind.from_item(item)

    def get_many(self, kind: Kind[E], org_id: str, entity_ids) -> dict[str, E]:
        """Several by id in one BatchGetItem per 100; absent ones are left out."""
        wanted = {entity_id: kind.key(org_id, entity_id) for entity_id in entity_ids}
        if not wanted:
            return {}
        return {item["id"]: kind.from_item(item) for item in self.table.batch_get(list(wanted.values()))}

    def page(self, kind: Kind[E], org_id: str, *, archived: str, name: str | None, limit: int | None,
             cursor: str | None) -> tuple[list[E], str | None]:
        """One Query of a kind's sparse listing (tags, clients): `archived` "false" (active), "true"
        or "include"; `name` a case-insensitive substring (a filter: a page may come back short)."""
        prefix = {"false": keys.CATALOG_LIST_ACTIVE, "true": keys.CATALOG_LIST_ARCHIVED}.get(archived)
        values: dict[str, Any] = {":pk": keys.catalog_list_partition(org_id, f"{kind.label}S")}
        if prefix:
            values[":prefix"] = prefix
        query = self._name_filter(values, name)
        page = self.table.query_page(org_id=org_id, scope=f"{kind.label}:{archived}:{name or ''}",
                                     key_condition=db.key_condition(keys.GSI_PROJECT, "prefix" if prefix else None), values=values,
                                     index=keys.GSI_PROJECT, limit=limit, cursor=cursor, **query)
        return [kind.from_item(item) for item in page.items], page.cursor

    def page_tasks(self, org_id: str, project_id: str, *, status: str | None, name: str | None, limit: int | None,
                   cursor: str | None) -> tuple[list[Task], str | None]:
        """One Query of the project's tasks by name; `status` ACTIVE or DONE narrows (a filter)."""
        values: dict[str, Any] = {":pk": keys.project_partition(org_id, project_id), ":prefix": keys.TASK_SK_PREFIX}
        query = self._name_filter(values, name)
        if status:
            values[":status"] = status
            query["filter_expression"] = " AND ".join(filter(None, [query.get("filter_expression"), "#st = :status"]))
            query["names"] = {**query.get("names", {}), "#st": "status"}
        page = self.table.query_page(org_id=org_id, scope=f"TASKS:{project_id}:{status or ''}:{name or ''}",
                                     key_condition=db.key_condition(keys.GSI_PROJECT, "prefix"), values=values,
                                     index=keys.GSI_PROJECT, limit=limit, cursor=cursor, **query)
        return [task_from_item(item) for item in page.items], page.cursor

    @staticmethod
    def _name_filter(values: dict[str, Any], name: str | None) -> dict[str, Any]:
        if not name:
            return {}
        values[":name"] = name_key(name)
        return {"filter_expression": "contains(#nk, :name)", "names": {"#nk": "nameKey"}}

    def all_of(self, kind: Kind[E], org_id: str, *, archived: str = "include", name: str | None = None) -> list[E]:
        """Every entry of a listing (page-numbered dialects slice it; jobs walk it)."""
        return _every(lambda cursor: self.page(kind, org_id, archived=archived, name=name, limit=None, cursor=cursor))

    def all_tasks(self, org_id: str, project_id: str, *, status: str | None = None, name: str | None = None) -> list[Task]:
        return _every(lambda cursor: self.page_tasks(org_id, project_id, status=status, name=name, limit=None, cursor=cursor))

    # --- writes (staged into the caller's unit of work) --------------------------------------
    def stage_create(self, tx: UnitOfWork, kind: Kind[E], org_id: str, entity: E) -> None:
        tx.put(kind.to_item(org_id, entity), "attribute_not_exists(PK)", fail=Conflict(f"The {kind.noun} already exists"))
        tx.put(kind.name_marker(org_id, entity), "attribute_not_exists(PK)", fail=kind.name_taken(entity))

    def stage_replace(self, tx: UnitOfWork, kind: Kind[E], org_id: str, stored: E, updated: E, stale: DomainError) -> None:
        """Write `updated` over `stored` if nobody changed it meanwhile; a rename moves the name's marker."""
        tx.put(kind.to_item(org_id, updated), "attribute_exists(PK) AND #v = :expected", {"#v": "version"}, {":expected": stored.version},
               fail=stale)
        if name_key(stored.name) != name_key(updated.name):
            self._stage_release_name(tx, kind, org_id, stored)
            tx.put(kind.name_marker(org_id, updated), "attribute_not_exists(PK)", fail=kind.name_taken(updated))

    def stage_delete(self, tx: UnitOfWork, kind: Kind[E], org_id: str, stored: E, stale: DomainError) -> None:
        tx.delete(kind.key(org_id, stored.id), "attribute_exists(PK) AND #v = :expected", {"#v": "version"}, {":expected": stored.version},
                  fail=stale)
        self._stage_release_name(tx, kind, org_id, stored)

    @staticmethod
    def _stage_release_name(tx: UnitOfWork, kind: Kind[E], org_id: str, stored: E) -> None:
        marker = kind.name_marker(org_id, stored)
        # a marker another entity holds (never expected) is left alone: the condition names the owner
        tx.delete({keys.PK: marker[keys.PK], keys.SK: marker[keys.SK]}, "attribute_not_exists(PK) OR entityId = :id", values={":id": stored.id},
                  fail=Conflict(f"The {kind.noun}'s name is held by another {kind.noun}; retry"))

    # --- guards for other entities' transactions ---------------------------------------------
    def stage_activity_references(self, tx: UnitOfWork, org_id: str, project_id: str, task_id: str | None, tag_ids) -> None:
        """What an activity write that sets `task_id` and adds `tag_ids` needs to hold when it commits:
        the task is an ACTIVE task of `project_id`, every tag exists and is not archived (422 naming
        the field otherwise)."""
        if task_id is not None:
            tx.check(keys.task(org_id, task_id), "attribute_exists(PK) AND projectId = :project AND #st = :active", {"#st": "status"},
                     {":project": project_id, ":active": "ACTIVE"},
                     fail=ValidationFailed.field("taskId", "No ACTIVE task with this id in the activity's project"))
        for tag_id in dict.fromkeys(tag_ids):
            self.stage_usable(tx, TAGS, org_id, tag_id, ValidationFailed.field("tagIds", f"No tag {tag_id} in the organization, or it is archived"))

    def stage_task_targets(self, tx: UnitOfWork, org_id: str, project_id: str, assignee_ids) -> None:
        """A task's project still exists, and every newly assigned user is an active member of the
        organization, when the task's write commits."""
        tx.check(keys.project(org_id, project_id), "attribute_exists(PK)", fail=NotFound("Project not found"))
        self.stage_assignees(tx, org_id, assignee_ids)

    def stage_assignees(self, tx: UnitOfWork, org_id: str, assignee_ids) -> None:
        for user_id in dict.fromkeys(assignee_ids):
            tx.check(keys.user(org_id, user_id), "attribute_exists(PK) AND #a = :false", {"#a": "archived"}, {":false": False},
                     fail=ValidationFailed.field("assigneeIds", f"No active user {user_id} in the organization"))

    def stage_usable(self, tx: UnitOfWork, kind: Kind[E], org_id: str, entity_id: str, fail: DomainError) -> None:
        """The tag or client exists and is not archived when `tx` commits."""
        tx.check(kind.key(org_id, entity_id), "attribute_exists(PK) AND #a = :false", {"#a": "archived"}, {":false": False}, fail=fail)


def _every(page: Callable[[str | None], tuple[list[E], str | None]]) -> list[E]:
    """Every entry of a paged listing: `page(cursor)` answers a page and the next cursor (None at the end)."""
    found, cursor = [], None
    while True:
        items, cursor = page(cursor)
        found.extend(items)
        if not cursor:
            return found


def not_found(kind: Kind) -> NotFound:
    return NotFound(f"{kind.noun.capitalize()} not found")
