"""A project member's revenue rate windows: the project's managers and organization Auditors read
them, its managers (project and organization Administrators) write them (services/projects.py tells
who manages a project). Apart from the project service so that the route groups that only read or
write projects (Clockify's) do not load the rate service and its request models.
"""

from __future__ import annotations

from functools import partial

from sandglass.context import TenantContext
from sandglass.entities.rates import RateOwner
from sandglass.models.rates import RateCreate, RateUpdate, RevenueRate, revenue_rate_view
from sandglass.repositories.projects import ProjectRepository
from sandglass.repositories.rates import RateRepository, revenue_set
from sandglass.services.project_access import named_member, read_project_access
from sandglass.services.rates import RateService


class ProjectRateService:
    def __init__(self, repository: ProjectRepository | None = None, rates: RateService | None = None):
        self.repository = repository or ProjectRepository()
        self.rates = rates or RateService(RateRepository(self.repository.table))

    def _rate_context(self, tenant: TenantContext, project_id: str, member_id: str, *, read: bool = False):
        access = read_project_access(self.repository, tenant, project_id, member_id)
        access.require_reader() if read else access.require_manager()
        member = named_member(access)
        rate_set = revenue_set(tenant.org_id, project_id, member.id, member.user_id)
        return member, rate_set, partial(self.repository.stage_member_exists, org_id=tenant.org_id, project_id=project_id, member_id=member.id)

    def list_revenue(self, tenant: TenantContext, project_id: str, member_id: str, limit: int, cursor: str | None) -> tuple[dict[str, RevenueRate], str | None]:
        _, rate_set, _ = self._rate_context(tenant, project_id, member_id, read=True)
        page = self.rates.page(rate_set, limit, cursor)
        return {window.id: revenue_rate_view(window) for window in page.items}, page.cursor

    def get_revenue(self, tenant: TenantContext, project_id: str, member_id: str, revenue_id: str) -> RevenueRate:
        _, rate_set, _ = self._rate_context(tenant, project_id, member_id, read=True)
        return revenue_rate_view(self.rates.get(rate_set, revenue_id))

    def create_revenue(self, tenant: TenantContext, project_id: str, member_id: str, body: RateCreate) -> RevenueRate:
        member, rate_set, guard = self._rate_context(tenant, project_id, member_id)
        owner = RateOwner(user_id=member.user_id, project_id=project_id, member_id=member.id)
        return revenue_rate_view(self.rates.create(rate_set, body, owner, guard))

    def update_revenue(self, tenant: TenantContext, project_id: str, member_id: str, revenue_id: str, body: RateUpdate) -> RevenueRate:
        _, rate_set, guard = self._rate_context(tenant, project_id, member_id)
        return revenue_rate_view(self.rates.update(rate_set, revenue_id, body, guard))

    def delete_revenue(self, tenant: TenantContext, project_id: str, member_id: str, revenue_id: str) -> None:
        _, rate_set, guard = self._rate_context(tenant, project_id, member_id)
        self.rates.delete(rate_set, revenue_id, guard)
