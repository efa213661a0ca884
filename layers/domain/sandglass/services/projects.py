"""Project rules: visibility, who manages what, membership, archiving, deletion, revenue rates.

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
from sandglass.errors import Conflict, Forbidden, NotFound, ValidationFailed, stale_write
from sandglass.models.projects import MemberCreate, MemberUpdate, Project, ProjectCreate, ProjectMember, ProjectUpdate
from sandglass.models.rates import RateCreate, RateUpdate, RevenueRate
from sandglass.repositories.projects import PROJECT_ADMINISTRATOR, ProjectRepository, new_membership, public
from sandglass.repositories.rates import RateRepository, revenue_set
from sandglass.services.rates import RateService
from sandglass.timefmt import iso

PURGE_PAGE_SIZE = 100


def project_view(item: dict[str, Any]) -> Project:
    return Project.model_validate(public(item)).at_version(item.get("version"))


def member_view(item: dict[str, Any]) -> ProjectMember:
    return ProjectMember.model_validate(public(item)).at_version(item.get("version"))


def revenue_view(item: dict[str, Any]) -> RevenueRate:
    return RevenueRate.model_validate(item)


class _Access:
    def __init__(self, project: dict[str, Any], membership: dict[str, Any] | None, member: dict[str, Any] | None, tenant: TenantContext):
        self.project = project
        self.membership = membership  # the caller's own membership (None for organization Administrators)
        self.member = member  # the membership the route names, when it names one
        self.tenant = tenant

    @property
    def manages(self) -> bool:
        return self.tenant.is_admin or bool(self.membership and self.membership.get("role") == PROJECT_ADMINISTRATOR)

    def require_manager(self) -> None:
        if not self.manages:
            raise Forbidden("Only organization Administrators and this project's Administrators can do this")

    def require_reader(self) -> None:
        """What a project's managers read, an organization Auditor reads too."""
        if not (self.manages or self.tenant.reads_all):
            raise Forbidden("Only organization Administrators and Auditors and this project's Administrators can do this")


class ProjectService:
    def __init__(self, repository: ProjectRepository | None = None, rates: RateService | None = None, clock: Clock | None = None):
        self.repository = repository or ProjectRepository()
        self.rates = rates or RateService(RateRepository(self.repository.table))
        self.clock = clock or get_clock()

    # --- access ------------------------------------------------------------------------------
    def _access(self, tenant: TenantContext, project_id: str, member_id: str | None = None) -> _Access:
        """The project, the caller's membership and the named membership: one BatchGetItem."""
        if not ids.is_uuid(project_id):
            raise NotFound("Project not found")
        if member_id is not None and not ids.is_uuid(member_id):
            raise NotFound("Project member not found")
        project, membership, member = self.repository.project_with_memberships(
            tenant.org_id, project_id, caller_id=None if tenant.reads_all else tenant.user_id, member_id=member_id)
        if membership is not None and membership.get("archived"):
            membership = None
        if project is None or not (tenant.reads_all or membership):
            raise NotFound("Project not found")
        return _Access(project, membership, member, tenant)

    # --- projects ----------------------------------------------------------------------------
    def list(self, tenant: TenantContext, archived: str, limit: int, cursor: str | None) -> tuple[dict[str, Project], str | None]:
        """Active projects by default; `archived="true"` lists archived ones, `"include"` both.
        Administrators see every project, others the projects they are members of."""
        if tenant.reads_all:
            page = self.repository.page_projects(tenant.org_id, archived, limit, cursor)
            return {item["id"]: project_view(item) for item in page.items}, page.cursor
        page = self.repository.page_memberships_of_user(tenant.org_id, tenant.user_id, limit, cursor)
        project_ids = [m["projectId"] for m in page.items if not m.get("archived")]
        found = self.repository.get_projects(tenant.org_id, project_ids)
        projects = {}
        for pid in project_ids:
            item = found.get(pid)
            if item is None:
                continue
            if archived == "include" or bool(item.get("archived")) == (archived == "true"):
                projects[pid] = project_view(item)
        return projects, page.cursor

    def get(self, tenant: TenantContext, project_id: str) -> Project:
        return project_view(self._access(tenant, project_id).project)

    def create(self, tenant: TenantContext, body: ProjectCreate, project_id: str | None = None) -> Project:
        if not tenant.is_admin:
            raise Forbidden("Only organization Administrators can create projects")
        now = iso(self.clock.now())
        project_id = project_id or ids.new_id()
        project = {"id": project_id, **body.model_dump(), "createdAt": now, "createdBy": tenant.user_id, "version": 1}
        member_id = ids.project_member_id(project_id, tenant.user_id)
        creator = {"id": member_id, "projectId": project_id, "userId": tenant.user_id, "role": PROJECT_ADMINISTRATOR,
                   "archived": False, "assignedBy": tenant.user_id, "title": None, "notes": None, "tags": [],
                   "createdAt": now, "version": 1}
        self.repository.create(tenant.org_id, project, creator)
        _onboarded(self.repository.table, tenant.org_id, "projects")
        return project_view(project)

    def update(self, tenant: TenantContext, project_id: str, body: ProjectUpdate, if_match: int | None = None) -> Project:
        access = self._access(tenant, project_id)
        access.require_manager()
        changes = {name: value for name, value in body.model_dump(exclude_unset=True).items()
                   if value is not None or name in ("avatar",)}
        expected = int(access.project["version"]) if if_match is None else if_match
        updated = self.repository.update(tenant.org_id, access.project, changes, expected, stale_write("project", if_match))
        return project_view(updated)

    def delete(self, tenant: TenantContext, project_id: str, cascade: bool = False) -> None:
        """Never loses time data silently: a project with activities is refused (archive it), unless an
        organization Administrator cascades. Either way the project is gone at once and its members,
        rates (and, cascading, activities) are removed in pages by the `purge-project` job."""
        access = self._access(tenant, project_id)
        access.require_manager()
        if cascade and not tenant.is_admin:
            raise Forbidden("Only organization Administrators can delete a project together with its activities")
        # the mark set before a project's first activity, or (projects older than the mark) a look at its entries
        if not cascade and (access.project.get("hasActivities") or self.repository.has_activities(tenant.org_id, project_id)):
            raise Conflict("The project has activities: archive it instead (PUT archived: true), or an organization "
                           "Administrator can delete it with its activities (?cascade=true)", code="PROJECT_HAS_ACTIVITIES")
        self.repository.tombstone(tenant.org_id, project_id, int(access.project["version"]), cascade=cascade,
                                  requestedAt=iso(self.clock.now()), requestedBy=tenant.user_id)

    # --- members -----------------------------------------------------------------------------
    @staticmethod
    def _member(access: _Access) -> dict[str, Any]:
        if access.member is None:
            raise NotFound("Project member not found")
        return access.member

    def list_members(self, tenant: TenantContext, project_id: str, limit: int, cursor: str | None) -> tuple[dict[str, ProjectMember], str | None]:
        self._access(tenant, project_id)
        page = self.repository.page_members(tenant.org_id, project_id, limit, cursor)
        return {item["id"]: member_view(item) for item in page.items}, page.cursor

    def get_member(self, tenant: TenantContext, project_id: str, member_id: str) -> ProjectMember:
        access = self._access(tenant, project_id, member_id)
        return member_view(self._member(access))

    def add_member(self, tenant: TenantContext, project_id: str, body: MemberCreate) -> ProjectMember:
        access = self._access(tenant, project_id)
        access.require_manager()
        if not ids.is_uuid(body.userId):
            raise ValidationFailed.field("userId", "No active user with this id in the organization")
        member = new_membership(project_id, body.userId, body.role, tenant.user_id, iso(self.clock.now()),
                                title=body.title, notes=body.notes, tags=body.tags)
        self.repository.add_member(tenant.org_id, member)
        _onboarded(self.repository.table, tenant.org_id, "assignMembers")
        return member_view(member)

    def update_member(self, tenant: TenantContext, project_id: str, member_id: str, body: MemberUpdate, if_match: int | None = None) -> ProjectMember:
        access = self._access(tenant, project_id, member_id)
        access.require_manager()
        stored = self._member(access)
        changes = {name: value for name, value in body.model_dump(exclude_unset=True).items()
                   if value is not None or name in ("title", "notes")}
        if "role" in changes and changes["role"] is None:
            changes.pop("role")
        expected = int(stored["version"]) if if_match is None else if_match
        return member_view(self.repository.update_member(tenant.org_id, stored, changes, expected, stale_write("project member", if_match)))

    def remove_member(self, tenant: TenantContext, project_id: str, member_id: str) -> None:
        """The membership and its revenue rate windows go together (a re-added user starts with none)."""
        access = self._access(tenant, project_id, member_id)
        access.require_manager()
        stored = self._member(access)
        rate_set = revenue_set(tenant.org_id, project_id, stored["id"], stored["userId"])
        snapshot = self.rates.repository.snapshot(rate_set)
        self.repository.remove_member(tenant.org_id, stored, self.rates.repository.removal_ops(rate_set, snapshot))

    # --- revenue rates -----------------------------------------------------------------------
    def _rate_context(self, tenant: TenantContext, project_id: str, member_id: str, *, read: bool = False):
        access = self._access(tenant, project_id, member_id)
        access.require_reader() if read else access.require_manager()
        member = self._member(access)
        rate_set = revenue_set(tenant.org_id, project_id, member["id"], member["userId"])
        return member, rate_set, self.repository.member_exists_conditions(tenant.org_id, project_id, member["id"])

    def list_revenue(self, tenant: TenantContext, project_id: str, member_id: str, limit: int, cursor: str | None) -> tuple[dict[str, RevenueRate], str | None]:
        _, rate_set, _ = self._rate_context(tenant, project_id, member_id, read=True)
        page = self.rates.page(rate_set, limit, cursor)
        return {item["id"]: revenue_view(item) for item in page.items}, page.cursor

    def get_revenue(self, tenant: TenantContext, project_id: str, member_id: str, revenue_id: str) -> RevenueRate:
        _, rate_set, _ = self._rate_context(tenant, project_id, member_id, read=True)
        return revenue_view(self.rates.get(rate_set, revenue_id))

    def create_revenue(self, tenant: TenantContext, project_id: str, member_id: str, body: RateCreate) -> RevenueRate:
        member, rate_set, guards = self._rate_context(tenant, project_id, member_id)
        owner = {"projectId": project_id, "memberId": member["id"], "userId": member["userId"]}
        return revenue_view(self.rates.create(rate_set, body, owner, guards))

    def update_revenue(self, tenant: TenantContext, project_id: str, member_id: str, revenue_id: str, body: RateUpdate) -> RevenueRate:
        _, rate_set, guards = self._rate_context(tenant, project_id, member_id)
        return revenue_view(self.rates.update(rate_set, revenue_id, body, guards))

    def delete_revenue(self, tenant: TenantContext, project_id: str, member_id: str, revenue_id: str) -> None:
        _, rate_set, guards = self._rate_context(tenant, project_id, member_id)
        self.rates.delete(rate_set, revenue_id, guards)


def purge_project_pass(job: dict[str, Any], page_budget: int, repository: ProjectRepository | None = None) -> bool:
    """One pass of a `purge-project` job: pages of the project's GSI2 partition. True when done."""
    repository = repository or ProjectRepository()
    while page_budget > 0:
        page_budget -= 1
        if repository.purge_page(job["orgId"], job["projectId"], bool(job.get("cascade")), PURGE_PAGE_SIZE):
            return True
    return False


def _onboarded(table, org_id: str, step: str) -> None:
    """The organization's onboarding step `step` happened (onboarding.<step>.done)."""
    from sandglass.repositories.organizations import OrganizationRepository

    OrganizationRepository(table).mark_onboarding_done(org_id, step)
