"""Catalog rules: tags, clients and the tasks of a project.

Who may do what:
- tags and clients: every member reads; organization Administrators create, change, archive and delete;
- tasks: a project's members (and organization Administrators) read; the project's Administrators
  (and organization Administrators) manage; anybody else finds the project absent (404).

Names are unique case-insensitively (entities/catalog.py), enforced by name markers written in the
entity's own transaction: a duplicate is 409 `<KIND>_NAME_TAKEN`, also under concurrent creates.
Archiving a client cascades only when asked, as Clockify's `archive-projects` and
`mark-tasks-as-done` flags do: its projects are archived and their tasks marked DONE after the
client's own write. Deleting a client leaves its projects without a client. Deleting a tag or a
task leaves the ids on the activities that carry them (reports show them as deleted).

Services take dialect-free arguments (`changes`: field name -> value in the domain's words), so every
surface (Sandtime, Clockify) runs the same rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from msgspec.structs import replace

from sandglass import ids
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.entities.catalog import ACTIVE, DONE, TASK_STATUSES, Client, Money, Tag, Task
from sandglass.entities.projects import Project
from sandglass.errors import Conflict, Forbidden, NotFound, ValidationFailed, check_if_match, stale_write
from sandglass.repositories.catalog import CLIENTS, TAGS, TASKS, CatalogRepository, Kind, UnitOfWork, not_found
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.projects import ProjectRepository
from sandglass.services.project_access import read_project_access

TAG_FIELDS = frozenset({"name", "archived"})
CLIENT_FIELDS = frozenset({"name", "email", "cc_emails", "address", "note", "currency", "archived"})
TASK_FIELDS = frozenset({"name", "status", "assignee_ids", "estimate", "billable", "hourly_rate", "cost_rate"})
E = TypeVar("E", Tag, Client)


# --- decisions (pure) -------------------------------------------------------------------------------

def created(cls, *, entity_id: str, fields: dict[str, Any], actor: str, now: datetime, **extra):
    """A new entity of `cls` with `fields` (domain names), stamped."""
    return cls(id=entity_id, **extra, **fields, version=1, created_at=now, created_by=actor, updated_at=now)


def changed(stored, changes: dict[str, Any], allowed: frozenset[str], now: datetime):
    """`stored` with `changes` applied and the next version; refuses fields outside `allowed`."""
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValueError(f"not a changeable field: {', '.join(unknown)}")
    if "status" in changes and changes["status"] not in TASK_STATUSES:
        raise ValidationFailed.field("status", "status is ACTIVE or DONE")
    return replace(stored, **changes, version=stored.version + 1, updated_at=now)


class _Catalog:
    def __init__(self, repository: CatalogRepository | None = None, clock: Clock | None = None):
        self.repository = repository or CatalogRepository()
        self.clock = clock or get_clock()

    def _find(self, kind: Kind, tenant: TenantContext, entity_id: str):
        found = self.repository.get(kind, tenant.org_id, entity_id) if ids.is_uuid(entity_id) else None
        if found is None:
            raise not_found(kind)
        return found

    def _create(self, kind: Kind, tenant: TenantContext, entity) -> Any:
        tx = UnitOfWork(self.repository.table)
        self.repository.stage_create(tx, kind, tenant.org_id, entity)
        tx.commit()
        return entity

    def _replace(self, kind: Kind, tenant: TenantContext, stored, updated, if_match: int | None, tx: UnitOfWork | None = None):
        tx = tx or UnitOfWork(self.repository.table)
        self.repository.stage_replace(tx, kind, tenant.org_id, stored, updated, stale_write(kind.noun, if_match))
        tx.commit()
        return updated

    def _delete(self, kind: Kind, tenant: TenantContext, stored, if_match: int | None) -> None:
        check_if_match(kind.noun, if_match, stored.version)
        tx = UnitOfWork(self.repository.table)
        self.repository.stage_delete(tx, kind, tenant.org_id, stored, stale_write(kind.noun, if_match))
        tx.commit()


def _administrators_only(tenant: TenantContext, what: str) -> None:
    if not tenant.is_admin:
        raise Forbidden(f"Only organization Administrators can manage {what}")


class _OrganizationCatalog(_Catalog, Generic[E]):
    """Tags and clients: every member reads; organization Administrators create, change and delete."""

    kind: ClassVar[Kind]
    entity: ClassVar[type]
    fields: ClassVar[frozenset[str]]
    plural: ClassVar[str]  # what the refusal names

    def list(self, tenant: TenantContext, *, archived: str = "false", name: str | None = None, limit: int | None = 100,
             cursor: str | None = None) -> tuple[list[E], str | None]:
        return self.repository.page(self.kind, tenant.org_id, archived=archived, name=name, limit=limit, cursor=cursor)

    def all(self, tenant: TenantContext, *, archived: str = "include", name: str | None = None) -> list[E]:
        return self.repository.all_of(self.kind, tenant.org_id, archived=archived, name=name)

    def get(self, tenant: TenantContext, entity_id: str) -> E:
        return self._find(self.kind, tenant, entity_id)

    def create(self, tenant: TenantContext, fields: dict[str, Any]) -> E:
        _administrators_only(tenant, self.plural)
        entity = created(self.entity, entity_id=ids.new_id(), fields=fields, actor=tenant.user_id, now=self.clock.now())
        return self._create(self.kind, tenant, entity)

    def update(self, tenant: TenantContext, entity_id: str, changes: dict[str, Any], if_match: int | None = None) -> E:
        _administrators_only(tenant, self.plural)
        stored = self._find(self.kind, tenant, entity_id)
        check_if_match(self.kind.noun, if_match, stored.version)
        return self._replace(self.kind, tenant, stored, changed(stored, changes, self.fields, self.clock.now()), if_match)

    def delete(self, tenant: TenantContext, entity_id: str, if_match: int | None = None) -> E:
        _administrators_only(tenant, self.plural)
        stored = self._find(self.kind, tenant, entity_id)
        self._delete(self.kind, tenant, stored, if_match)
        return stored


class TagService(_OrganizationCatalog[Tag]):
    kind, entity, fields, plural = TAGS, Tag, TAG_FIELDS, "tags"


class ClientService(_OrganizationCatalog[Client]):
    kind, entity, fields, plural = CLIENTS, Client, CLIENT_FIELDS, "clients"

    def __init__(self, repository: CatalogRepository | None = None, projects: ProjectRepository | None = None, clock: Clock | None = None):
        super().__init__(repository, clock)
        self.projects = projects or ProjectRepository(self.repository.table)

    def update(self, tenant: TenantContext, client_id: str, changes: dict[str, Any], if_match: int | None = None, *,
               archive_projects: bool = False, mark_tasks_done: bool = False) -> Client:
        """With `archive_projects` / `mark_tasks_done`, archiving the client also archives its projects
        / marks their tasks DONE (after the client's write, one conditional write each)."""
        updated = super().update(tenant, client_id, changes, if_match)
        if updated.archived and (archive_projects or mark_tasks_done):
            self._cascade_archive(tenant, client_id, archive_projects, mark_tasks_done)
        return updated

    def delete(self, tenant: TenantContext, client_id: str, if_match: int | None = None) -> Client:
        """The client goes at once; its projects then lose their `clientId` (one write each)."""
        stored = super().delete(tenant, client_id, if_match)
        for project in self.projects.projects_of_client(tenant.org_id, client_id):
            self._each(lambda tx, project=project: self.projects.stage_clear_client(tx, tenant.org_id, project, client_id))
        return stored

    def _cascade_archive(self, tenant: TenantContext, client_id: str, archive_projects: bool, mark_tasks_done: bool) -> None:
        now = self.clock.now()
        for project in self.projects.projects_of_client(tenant.org_id, client_id):
            if archive_projects and not project.archived:
                self._each(lambda tx, project=project: self.projects.stage_archive(tx, tenant.org_id, project))
            if mark_tasks_done:
                for task in self.repository.all_tasks(tenant.org_id, project.id, status=ACTIVE):
                    done = changed(task, {"status": DONE}, TASK_FIELDS, now)
                    self._each(lambda tx, task=task, done=done: self.repository.stage_replace(tx, TASKS, tenant.org_id, task, done,
                                                                                           stale_write("task", None)))

    def _each(self, stage) -> None:
        """One cascaded change as its own conditional write (half a transaction's cost); one that lost
        to a concurrent change (the project was deleted or re-filed, the task edited) is skipped."""
        tx = UnitOfWork(self.repository.table)
        stage(tx)
        try:
            tx.commit()
        except Conflict:
            pass


class TaskService(_Catalog):
    def __init__(self, repository: CatalogRepository | None = None, projects: ProjectRepository | None = None, clock: Clock | None = None):
        super().__init__(repository, clock)
        self.projects = projects or ProjectRepository(self.repository.table)

    def _project(self, tenant: TenantContext, project_id: str, *, manage: bool) -> Project:
        """The project if the caller may see it (404 otherwise); 403 when `manage` and they may not manage it."""
        access = read_project_access(self.projects, tenant, project_id)
        if manage:
            access.require_manager("Only organization Administrators and this project's Administrators can manage its tasks")
        return access.project

    def _task(self, tenant: TenantContext, project_id: str, task_id: str) -> Task:
        task = self.repository.get(TASKS, tenant.org_id, task_id) if ids.is_uuid(task_id) else None
        if task is None or task.project_id != project_id:
            raise NotFound("Task not found")
        return task

    def list(self, tenant: TenantContext, project_id: str, *, status: str | None = None, name: str | None = None, limit: int | None = 100,
             cursor: str | None = None) -> tuple[list[Task], str | None]:
        self._project(tenant, project_id, manage=False)
        return self.repository.page_tasks(tenant.org_id, project_id, status=status, name=name, limit=limit, cursor=cursor)

    def project(self, tenant: TenantContext, project_id: str) -> Project:
        """The project of these tasks, if the caller may see it (404 otherwise): what a task's view shows of it."""
        return self._project(tenant, project_id, manage=False)

    def all(self, tenant: TenantContext, project_id: str, *, status: str | None = None, name: str | None = None) -> list[Task]:
        self._project(tenant, project_id, manage=False)
        return self.repository.all_tasks(tenant.org_id, project_id, status=status, name=name)

    def get(self, tenant: TenantContext, project_id: str, task_id: str) -> Task:
        self._project(tenant, project_id, manage=False)
        return self._task(tenant, project_id, task_id)

    def create(self, tenant: TenantContext, project_id: str, fields: dict[str, Any]) -> Task:
        self._project(tenant, project_id, manage=True)
        fields = self._with_currency(tenant, fields)
        task = created(Task, entity_id=ids.new_id(), fields=fields, actor=tenant.user_id, now=self.clock.now(), project_id=project_id)
        tx = UnitOfWork(self.repository.table)
        self.repository.stage_create(tx, TASKS, tenant.org_id, task)
        self.repository.stage_task_targets(tx, tenant.org_id, project_id, task.assignee_ids)
        tx.commit()
        return task

    def update(self, tenant: TenantContext, project_id: str, task_id: str, changes: dict[str, Any], if_match: int | None = None) -> Task:
        self._project(tenant, project_id, manage=True)
        stored = self._task(tenant, project_id, task_id)
        check_if_match("task", if_match, stored.version)
        updated = changed(stored, self._with_currency(tenant, changes), TASK_FIELDS, self.clock.now())
        tx = UnitOfWork(self.repository.table)
        self.repository.stage_assignees(tx, tenant.org_id, [user for user in updated.assignee_ids if user not in stored.assignee_ids])
        return self._replace(TASKS, tenant, stored, updated, if_match, tx)

    def delete(self, tenant: TenantContext, project_id: str, task_id: str, if_match: int | None = None) -> Task:
        self._project(tenant, project_id, manage=True)
        stored = self._task(tenant, project_id, task_id)
        self._delete(TASKS, tenant, stored, if_match)
        return stored

    def _with_currency(self, tenant: TenantContext, fields: dict[str, Any]) -> dict[str, Any]:
        """Rates given without a currency are in the organization's."""
        missing = [name for name in ("hourly_rate", "cost_rate") if isinstance(fields.get(name), Money) and not fields[name].currency]
        if not missing:
            return fields
        currency = OrganizationRepository(self.repository.table).currency(tenant.org_id)
        return {**fields, **{name: replace(fields[name], currency=currency) for name in missing}}
