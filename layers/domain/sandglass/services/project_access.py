"""Who sees a project and who manages it: the one rule the project, member, rate and task routes of
every surface ask.

- organization Administrators and Auditors see every project; a project's members (an active
  membership) see it; anybody else finds it absent (404, as if it did not exist);
- organization Administrators and the project's Administrators (an active membership with role
  Administrator) manage it: the project itself, its members and their rates, its tasks;
- organization Auditors read what the managers read, and change nothing.
"""

from __future__ import annotations

from msgspec import Struct

from sandglass import ids
from sandglass.context import TenantContext
from sandglass.entities.projects import Project, ProjectMembership
from sandglass.errors import Forbidden, NotFound
from sandglass.repositories.projects import ProjectRepository

MANAGERS_ONLY = "Only organization Administrators and this project's Administrators can do this"


class ProjectAccess(Struct, frozen=True):
    """A project the caller may see, and their standing in it."""

    project: Project
    membership: ProjectMembership | None  # the caller's own, active membership (None for organization Administrators and Auditors)
    member: ProjectMembership | None  # the membership the route names, when it names one
    tenant: TenantContext

    @property
    def manages(self) -> bool:
        return self.tenant.is_admin or (self.membership is not None and self.membership.administers)

    def require_manager(self, message: str = MANAGERS_ONLY) -> None:
        if not self.manages:
            raise Forbidden(message)

    def require_reader(self) -> None:
        """What a project's managers read, an organization Auditor reads too."""
        if not (self.manages or self.tenant.reads_all):
            raise Forbidden("Only organization Administrators and Auditors and this project's Administrators can do this")


def project_access(tenant: TenantContext, project: Project | None, membership: ProjectMembership | None,
                   member: ProjectMembership | None = None) -> ProjectAccess:
    """The caller's access to `project` given their own `membership` of it (pure); 404 when they may not see it."""
    if membership is not None and membership.archived:
        membership = None
    if project is None or not (tenant.reads_all or membership):
        raise NotFound("Project not found")
    return ProjectAccess(project, membership, member, tenant)


def read_project_access(projects: ProjectRepository, tenant: TenantContext, project_id: str, member_id: str | None = None) -> ProjectAccess:
    """The project, the caller's membership and the membership `member_id` names (one BatchGetItem),
    decided by `project_access`."""
    if not ids.is_uuid(project_id):
        raise NotFound("Project not found")
    if member_id is not None and not ids.is_uuid(member_id):
        raise NotFound("Project member not found")
    project, membership, member = projects.project_with_memberships(
        tenant.org_id, project_id, caller_id=None if tenant.reads_all else tenant.user_id, member_id=member_id)
    return project_access(tenant, project, membership, member)


def visible_project(tenant: TenantContext, project_id: str, projects: ProjectRepository | None = None) -> Project:
    """The project, when the caller may see it (404 otherwise)."""
    return read_project_access(projects or ProjectRepository(), tenant, project_id).project


def named_member(access: ProjectAccess) -> ProjectMembership:
    """The membership the route names (404 when the project has no such member)."""
    if access.member is None:
        raise NotFound("Project member not found")
    return access.member
