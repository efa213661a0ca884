"""Reading activities: one by id, and lists in start order paged by a signed cursor.

Which partition a list reads (never the whole organization unless that is what was asked):
- ``userId`` given, or a member who is not an Administrator of the ``projectId`` they filter on:
  that member's own partition, filtered to the project when one is given (a project's partition
  filtered to one member would wade through everybody's entries);
- ``projectId`` given, for organization and project Administrators: the project's partition;
- organization Administrators without either: with `from` and/or `to`, the organization's month
  partitions covering [from, to) in start order (rules.organization_window completes a missing
  bound), at most 12 months; with neither, every entry of the organization, newest first, month
  by month (a default that never hides an entry just recorded for another month);
- anybody else without filters: their own entries.
A project Administrator listing another member sees only entries on projects they administer.
"""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct

from sandglass.context import TenantContext
from sandglass.entities.activities import Activity
from sandglass.errors import NotFound, detail
from sandglass.months import months_between
from sandglass.repositories.activities import OPEN_LOWER, OPEN_UPPER, ActivityPage, TimeWindow
from sandglass.services.activities.base import ActivityServiceBase
from sandglass.services.activities.rules import (
    DEFAULT_LIMIT,
    MAX_MONTHS,
    ActivityList,
    ActivityResult,
    invalid,
    is_project_admin,
    not_found,
    organization_window,
)
from sandglass.timefmt import iso


class ActivityQuery(Struct, frozen=True):
    """A validated list request (the handler's models parse and check each parameter)."""

    lower: datetime | None = None
    upper: datetime | None = None
    user_id: str | None = None
    project_id: str | None = None
    pending: bool | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    # one member's entries newest first (the Clockify surface's order); other lists ignore it
    newest_first: bool = False

    @property
    def window(self) -> TimeWindow:
        return TimeWindow(iso(self.lower) if self.lower else OPEN_LOWER, iso(self.upper) if self.upper else OPEN_UPPER)


class ActivityReads(ActivityServiceBase):
    def get(self, tenant: TenantContext, activity_id: str) -> ActivityResult:
        """At most two reads: the activity, and the caller's project membership when they do not own it."""
        return ActivityResult(self._visible(tenant, activity_id))

    def _visible(self, tenant: TenantContext, activity_id: str) -> Activity:
        activity = self._load(tenant, activity_id)
        if not (tenant.reads_all or activity.user_id == tenant.user_id):
            if activity.project_id is None or not is_project_admin(self.repository.project_membership(tenant.org_id, activity.project_id, tenant.user_id)):
                raise not_found()
        return activity

    def running(self, tenant: TenantContext, user_id: str) -> ActivityResult | None:
        """The member's running timer, found by their timer marker (one GetItem, then `get`, with
        its visibility rule); None when none runs (or the caller may not see it)."""
        marker = self.repository.running_timer(tenant.org_id, user_id)
        if marker is None:
            return None
        try:
            result = self.get(tenant, marker.activity_id)
        except NotFound:
            return None
        return result if result.activity.running else None

    def list(self, tenant: TenantContext, query: ActivityQuery) -> ActivityList:
        if query.lower and query.upper and query.upper <= query.lower:
            raise invalid(detail("to", "to must be after from", "query"))
        org_id, page_args = tenant.org_id, {"pending": query.pending, "limit": query.limit, "cursor": query.cursor}
        user_id, project_id = query.user_id, query.project_id
        if project_id and not tenant.reads_all and not is_project_admin(self.repository.project_membership(org_id, project_id, tenant.user_id)):
            if user_id and user_id != tenant.user_id:
                return ActivityList({}, None, 0)
            user_id = tenant.user_id  # a plain member of the project sees their own entries on it
        if user_id:
            projects = {project_id} if project_id else None
            if not tenant.reads_all and user_id != tenant.user_id and not project_id:
                projects = set(self.projects.administered_project_ids(org_id, tenant.user_id))
                if not projects:
                    return ActivityList({}, None, 0)
            return _listed(self.repository.list_of_user(org_id, user_id, query.window, projects=projects, newest_first=query.newest_first, **page_args))
        if project_id:
            return _listed(self.repository.list_of_project(org_id, project_id, query.window, **page_args))
        if not tenant.reads_all:
            return _listed(self.repository.list_of_user(org_id, tenant.user_id, query.window, newest_first=query.newest_first, **page_args))
        if query.lower is None and query.upper is None:
            months_noted = self.repository.months_with_activities(org_id)
            return _listed(self.repository.list_newest_first(org_id, months_noted, **page_args))
        lower, upper = organization_window(self._now(), query.lower, query.upper)
        covered = months_between(lower, upper)
        if len(covered) > MAX_MONTHS:
            raise invalid(detail("from", f"An organization-wide list covers at most {MAX_MONTHS} months; narrow from/to or filter by userId or projectId", "query"))
        if not covered:
            return ActivityList({}, None, 0)
        return _listed(self.repository.list_of_months(org_id, covered, TimeWindow(iso(lower), iso(upper)), **page_args))


def _listed(page: ActivityPage) -> ActivityList:
    return ActivityList({activity.id: activity for activity in page.activities}, page.cursor, page.pages_read)
