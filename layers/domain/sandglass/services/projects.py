"""Project rules: visibility, who manages what, membership, archiving, deletion (revenue rates: project_rates.py).

Who may do what:
- organization Administrators: everything, in every project (they alone create projects and may
  delete a project with its activities, `?cascade=true`);
- a project's Administrators (non-archived membership with role Administrator): update and
  delete their project (when it has no activities), manage its members and their revenue rates;
- a project's other members: read the project and its member list (403 on anything else);
- everybody else: 404 (the project is invisible to them).
"""

from __future__ import annotations

from typing import Any

from sandglass import ids
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.entities.projects import PROJECT_ADMINISTRATOR, Project, ProjectMembership
from sandglass.errors import Conflict, Forbidden, ValidationFailed, stale_write
from sandglass.models.projects import MemberCreate, MemberUpdate, ProjectCreate, ProjectMember, ProjectUpdate, member_view, project_view
from sandglass.models.projects import Project as ProjectView
from sandglass.repositories import MAX_ACTIONS, UnitOfWork
from sandglass.repositories.catalog import CLIENTS, CatalogRepository
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.projects import ProjectRepository, new_membership
from sandglass.repositories.rates import RateRepository, Snapshot, revenue_set
from sandglass.services.project_access import ProjectAccess, named_member, read_project_access, visible_project


def project_changes(body: ProjectUpdate) -> dict[str, Any]:
    """The fields a PUT sets (entity names): those sent, a null only where it clears (avatar, clientId)."""
    sent = body.model_dump(exclude_unset=True)
    changes = {name: value for name, value in sent.items() if name != "clientId" and (value is not None or name == "avatar")}
    if "clientId" in sent:
        changes["client_id"] = sent["clientId"]
    return changes


def member_changes(body: MemberUpdate) -> dict[str, Any]:
    """The fields a member PUT sets: those sent, a null only where it clears (title, notes)."""
    changes = {name: value for name, value in body.model_dump(exclude_unset=True).items() if value is not None or name in ("title", "notes")}
    if "tags" in changes:
        changes["tags"] = tuple(changes["tags"])
    return changes


def check_removable(snapshot: Snapshot) -> None:
    """A member leaves with their revenue windows in one transaction (the membership plus the set)."""
    if snapshot.removal_actions + 1 > MAX_ACTIONS:
        raise Conflict("This member has too many revenue rate windows to remove at once; delete some of them first")


class ProjectService:
    def __init__(self, repository: ProjectRepository | None = None, rate_repository: RateRepository | None = None, clock: Clock | None = None):
        self.repository = repository or ProjectRepository()
        self.rate_repository = rate_repository or RateRepository(self.repository.table)
        self.clock = clock or get_clock()

    # --- access ------------------------------------------------------------------------------
    def _access(self, tenant: TenantContext, project_id: str, member_id: str | None = None) -> ProjectAccess:
        return read_project_access(self.repository, tenant, project_id, member_id)

    # --- projects ----------------------------------------------------------------------------
    def list(self, tenant: TenantContext, archived: str, limit: int, cursor: str | None) -> tuple[dict[str, ProjectView], str | None]:
        """`list_entities` in the Sandtime shape, by id."""
        projects, next_cursor = self.list_entities(tenant, archived, limit, cursor)
        return {project.id: project_view(project) for project in projects}, next_cursor

    def list_entities(self, tenant: TenantContext, archived: str, limit: int, cursor: str | None) -> tuple[list[Project], str | None]:
        """Active projects by default; `archived="true"` lists archived ones, `"include"` both.
        Administrators see every project, others the projects they are members of."""
        if tenant.reads_all:
            page = self.repository.page_projects(tenant.org_id, archived, limit, cursor)
            return list(page.items), page.cursor
        page = self.repository.page_memberships_of_user(tenant.org_id, tenant.user_id, limit, cursor)
        project_ids = [member.project_id for member in page.items if not member.archived]
        found = self.repository.get_projects(tenant.org_id, project_ids)
        projects: dict[str, Project] = {}
        for pid in project_ids:
            project = found.get(pid)
            if project is not None and (archived == "include" or project.archived == (archived == "true")):
                projects[pid] = project
        return list(projects.values()), page.cursor

    def get(self, tenant: TenantContext, project_id: str) -> ProjectView:
        return project_view(self.get_entity(tenant, project_id))

    def get_entity(self, tenant: TenantContext, project_id: str) -> Project:
        """The project, when the caller may see it (404 otherwise)."""
        return visible_project(tenant, project_id, self.repository)

    def create(self, tenant: TenantContext, body: ProjectCreate, project_id: str | None = None) -> ProjectView:
        return project_view(self.create_entity(tenant, body, project_id))

    def create_entity(self, tenant: TenantContext, body: ProjectCreate, project_id: str | None = None) -> Project:
        if not tenant.is_admin:
            raise Forbidden("Only organization Administrators can create projects")
        now = self.clock.now()
        fields = body.model_dump()
        client_id = fields.pop("clientId", None)
        project = Project(id=project_id or ids.new_id(), **fields, client_id=client_id, created_at=now, created_by=tenant.user_id,
                          number=self.repository.next_number(tenant.org_id))
        creator = new_membership(project.id, tenant.user_id, PROJECT_ADMINISTRATOR, tenant.user_id, now)
        tx = UnitOfWork(self.repository.table)
        self.repository.stage_create(tx, tenant.org_id, project, creator)
        self._stage_client_usable(tx, tenant, project.client_id)
        tx.commit()
        _onboarded(self.repository.table, tenant.org_id, "projects")
        return project

    def update(self, tenant: TenantContext, project_id: str, body: ProjectUpdate, if_match: int | None = None) -> ProjectView:
        return project_view(self.update_entity(tenant, project_id, body, if_match))

    def update_entity(self, tenant: TenantContext, project_id: str, body: ProjectUpdate, if_match: int | None = None) -> Project:
        access = self._access(tenant, project_id)
        access.require_manager()
        expected = access.project.version if if_match is None else if_match
        changes = project_changes(body)
        tx = UnitOfWork(self.repository.table)
        updated = self.repository.stage_update(tx, tenant.org_id, access.project, changes, expected, stale_write("project", if_match))
        self._stage_client_usable(tx, tenant, changes.get("client_id"))
        tx.commit()
        return updated

    def _stage_client_usable(self, tx: UnitOfWork, tenant: TenantContext, client_id: str | None) -> None:
        """A project is filed under an existing, active client of the organization (checked in its write)."""
        if client_id is not None:
            CatalogRepository(self.repository.table).stage_usable(
                tx, CLIENTS, tenant.org_id, client_id, ValidationFailed.field("clientId", "No active client with this id in the organization"))

    def delete(self, tenant: TenantContext, project_id: str, cascade: bool = False) -> None:
        """Never loses time data silently: a project with activities is refused (archive it), unless an
        organization Administrator cascades. Either way the project is gone at once and its members,
        rates (and, cascading, activities) are removed in pages by the `purge-project` job."""
        access = self._access(tenant, project_id)
        access.require_manager()
        if cascade and not tenant.is_admin:
            raise Forbidden("Only organization Administrators can delete a project together with its activities")
        # the mark set before a project's first activity, or (projects older than the mark) a look at its entries
        if not cascade and (access.project.has_activities or self.repository.has_activities(tenant.org_id, project_id)):
            raise Conflict("The project has activities: archive it instead (PUT archived: true), or an organization "
                           "Administrator can delete it with its activities (?cascade=true)", code="PROJECT_HAS_ACTIVITIES")
        self.repository.tombstone(tenant.org_id, project_id, access.project.version, cascade=cascade, number=access.project.number,
                                  requested_at=self.clock.now(), requested_by=tenant.user_id)

    # --- members -----------------------------------------------------------------------------
    @staticmethod
    def _member(access: ProjectAccess) -> ProjectMembership:
        return named_member(access)

    def list_members(self, tenant: TenantContext, project_id: str, limit: int, cursor: str | None) -> tuple[dict[str, ProjectMember], str | None]:
        self._access(tenant, project_id)
        page = self.repository.page_members(tenant.org_id, project_id, limit, cursor)
        return {member.id: member_view(member) for member in page.items}, page.cursor

    def get_member(self, tenant: TenantContext, project_id: str, member_id: str) -> ProjectMember:
        access = self._access(tenant, project_id, member_id)
        return member_view(self._member(access))

    def add_member(self, tenant: TenantContext, project_id: str, body: MemberCreate) -> ProjectMember:
        access = self._access(tenant, project_id)
        access.require_manager()
        if not ids.is_uuid(body.userId):
            raise ValidationFailed.field("userId", "No active user with this id in the organization")
        member = new_membership(project_id, body.userId, body.role, tenant.user_id, self.clock.now(),
                                title=body.title, notes=body.notes, tags=body.tags)
        self.repository.add_member(tenant.org_id, member)
        _onboarded(self.repository.table, tenant.org_id, "assignMembers")
        return member_view(member)

    def update_member(self, tenant: TenantContext, project_id: str, member_id: str, body: MemberUpdate, if_match: int | None = None) -> ProjectMember:
        access = self._access(tenant, project_id, member_id)
        access.require_manager()
        stored = self._member(access)
        expected = stored.version if if_match is None else if_match
        return member_view(self.repository.update_member(tenant.org_id, stored, member_changes(body), expected,
                                                         stale_write("project member", if_match)))

    def remove_member(self, tenant: TenantContext, project_id: str, member_id: str) -> None:
        """The membership and its revenue rate windows go together (a re-added user starts with none)."""
        access = self._access(tenant, project_id, member_id)
        access.require_manager()
        stored = self._member(access)
        rate_set = revenue_set(tenant.org_id, project_id, stored.id, stored.user_id)
        snapshot = self.rate_repository.snapshot(rate_set)
        check_removable(snapshot)
        tx = UnitOfWork(self.repository.table)
        self.repository.stage_remove_member(tx, tenant.org_id, stored)
        self.rate_repository.stage_remove_set(tx, rate_set, snapshot)
        tx.commit()


def _onboarded(table, org_id: str, step: str) -> None:
    """The organization's onboarding step `step` happened (onboarding.<step>.done)."""
    OrganizationRepository(table).mark_onboarding_done(org_id, step)
