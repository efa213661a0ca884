"""What timesheet reads need: the organization, its members, and their activities over a time range.

Activities are read by start instant (UTC text) through ActivityRepository.in_range, never one
request per activity: a member's partition, or the organization's month partitions. Running
timers are found through their markers, so a timer started long before the range still counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from msgspec import Struct, field

from sandglass import ids, keys
from sandglass.context import DELETED
from sandglass.entities.activities import Activity
from sandglass.entities.organizations import Organization
from sandglass.entities.people import Member
from sandglass.repositories.activities import ActivityRepository, TimerMarker, TimeWindow, from_item, marker_from_item
from sandglass.repositories.members import member_from_item
from sandglass.repositories.organizations import OrganizationRepository, active_organization
from sandglass.repositories.projects import ProjectRepository
from sandglass.storage.table import Table

PAGE_SIZE = 500


class MemberRead(Struct, frozen=True):
    organization: Organization | None  # None: absent or deleted
    member: Member | None  # None: absent or deleted
    running: TimerMarker | None = None  # the member's running timer


class OrganizationRead(Struct, frozen=True):
    organization: Organization | None  # None: absent or deleted
    members: list[Member] = field(default_factory=list)  # every member not deleted
    running: list[TimerMarker] = field(default_factory=list)


class TimesheetRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()
        self.activities = ActivityRepository(self.table)
        self.organizations = OrganizationRepository(self.table)

    def member_read(self, org_id: str, user_id: str) -> MemberRead:
        """Organization settings, the member and their running-timer marker: one BatchGetItem."""
        wanted = {"org": keys.organization(org_id), "user": keys.user(org_id, user_id), "timer": keys.running_timer(org_id, user_id)}
        found = {(item[keys.PK], item[keys.SK]): item for item in self.table.batch_get(list(wanted.values()))}
        pick = lambda name: found.get((wanted[name][keys.PK], wanted[name][keys.SK]))  # noqa: E731
        user = pick("user")
        member = member_from_item(user) if user is not None and user.get("status") != DELETED else None
        return MemberRead(active_organization(pick("org")), member, marker_from_item(pick("timer")))

    def organization_read(self, org_id: str) -> OrganizationRead:
        """Organization settings, every member and every running-timer marker: one Query of the
        organization's partition per prefix (pages of PAGE_SIZE) plus one GetItem."""
        organization = self.organizations.get(org_id)
        members = [member_from_item(item) for item in self._prefix(org_id, keys.USER_SK_PREFIX) if item.get("status") != DELETED]
        return OrganizationRead(organization, members, self.activities.running_markers(org_id, page_size=PAGE_SIZE))

    def _prefix(self, org_id: str, prefix: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in self.table.query_all(key_condition="PK = :pk AND begins_with(SK, :prefix)",
                                         values={":pk": keys.org_pk(org_id), ":prefix": prefix}, page_size=PAGE_SIZE):
            items.extend(page)
        return items

    def projects_administered_for(self, org_id: str, admin_id: str, user_id: str) -> set[str]:
        """The projects `admin_id` administers that `user_id` is an active member of: one Query of
        the administrator's memberships, one BatchGetItem of the member's memberships there."""
        administered = ProjectRepository(self.table).administered_project_ids(org_id, admin_id)
        if not administered:
            return set()
        memberships = self.table.batch_get([keys.project_member(org_id, project_id, ids.project_member_id(project_id, user_id))
                                            for project_id in administered])
        return {item["projectId"] for item in memberships if not item.get("archived")}

    def member_activities(self, org_id: str, user_id: str, lower: str, upper: str, running: Iterable[TimerMarker] = ()) -> list[Activity]:
        """A member's activities starting in [lower, upper) (UTC text), plus the running ones named
        by `running` markers that started earlier (from lean rows: ActivityRepository.ROW_ATTRIBUTES)."""
        found = [from_item(row) for rows in self.activities.in_range(org_id, TimeWindow(lower, upper), user_id=user_id, lean=True) for row in rows]
        return found + self._running_before(org_id, lower, running, found)

    def organization_activities(self, org_id: str, lower: str, upper: str, running: Iterable[TimerMarker] = ()) -> list[Activity]:
        """Every activity of the organization starting in [lower, upper), from its month partitions."""
        found = [from_item(row) for rows in self.activities.in_range(org_id, TimeWindow(lower, upper), lean=True) for row in rows]
        return found + self._running_before(org_id, lower, running, found)

    def _running_before(self, org_id: str, lower: str, running: Iterable[TimerMarker], found: list[Activity]) -> list[Activity]:
        seen = {activity.id for activity in found}
        wanted = [marker.activity_id for marker in running if marker.activity_id not in seen and marker.started_at < lower]
        return [activity for activity in map(from_item, self.activities.rows(org_id, wanted)) if activity.running]
