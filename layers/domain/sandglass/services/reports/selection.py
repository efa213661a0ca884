"""Which activities a report counts, and from which partitions it reads them. Pure functions of
the spec, the viewer and what was read (no I/O, no clock).

- Who sees what: a User counts their own activities, a project Administrator also every activity
  on the projects they administer, an organization Administrator everything.
- ``selected_projects`` / ``selected_members`` narrow; ``filters`` narrow further; activities of
  archived projects / members are left out unless the spec shows them.
- Reading: a report narrowed to projects reads those projects' partitions, one narrowed to members
  reads theirs (the shorter list decides), an Administrator's organization-wide report reads the
  month partitions, a User's their own partition plus the projects they administer.

Activities travel as the lean rows the repository reads (engine.ActivityRow).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterable, Mapping

from msgspec import Struct

from sandglass import timefmt
from sandglass.entities.organizations import OrganizationSettings
from sandglass.entities.reports import Directory, ReportFilter, ReportSettings, ReportSpec
from sandglass.schedule import iso_week, local_date
from sandglass.services.reports.engine import BREAK, ActivityRow
from sandglass.services.reports.periods import week_start_index

Item = ActivityRow


class Viewer(Struct, frozen=True):
    """The caller, for visibility: one who reads all (an Administrator, an Auditor), or a member and the projects they administer."""

    user_id: str
    reads_all: bool
    administered: frozenset[str] = frozenset()

    def sees(self, item: Item) -> bool:
        return self.reads_all or item["userId"] == self.user_id or item.get("projectId") in self.administered

    def sees_project(self, project_id: str) -> bool:
        return self.reads_all or project_id in self.administered

    def sees_member(self, user_id: str) -> bool:
        return self.reads_all or user_id == self.user_id


def settings_of(settings: OrganizationSettings) -> ReportSettings:
    """The organization settings a report uses."""
    rounding = settings.rounding
    return ReportSettings(
        time_zone=settings.time_zone,
        week_start=week_start_index(settings.week_start),
        rounding_interval=rounding.interval // timedelta(milliseconds=1) if rounding.enabled else 0,
        rounding_mode=rounding.mode if rounding.enabled else "NEAREST",
        lock_zone=settings.lock_time_zone,
    )


def sources(spec: ReportSpec, viewer: Viewer, org_id: str) -> list[tuple[str, str]]:
    """The partitions to read, in order, each once: ("organization", org id), ("user", user id)
    or ("project", project id)."""
    me = viewer.user_id
    projects, members = spec.selected_projects or None, spec.selected_members or None
    found: list[tuple[str, str]] = []
    if projects and (not members or len(projects) <= len(members)):
        for project_id in dict.fromkeys(projects):
            # a project the caller does not administer: only their own entries on it count
            found.append(("project", project_id) if viewer.sees_project(project_id) else ("user", me))
    elif members:
        for user_id in dict.fromkeys(members):
            if viewer.reads_all or user_id == me or viewer.administered:
                found.append(("user", user_id))
    elif viewer.reads_all:
        found.append(("organization", org_id))
    else:
        found.append(("user", me))
        found.extend(("project", project_id) for project_id in sorted(viewer.administered))
    return list(dict.fromkeys(found))


def mark_approved(items: Iterable[Item], approved: Mapping[str, set[tuple[int, int]]], zone: str) -> None:
    """Set ``approved`` on the items whose member's ISO week (in `zone`) of their start is approved."""
    if not approved:
        return
    for item in items:
        weeks = approved.get(item["userId"])
        if weeks and iso_week(local_date(timefmt.parse(item["startedAt"]), zone)) in weeks:
            item["approved"] = True


Compiled = list[tuple[str, str, bool, Any]]  # (field, operator, keeps matches, value), id lists as sets


def compiled(filters: Iterable[ReportFilter]) -> Compiled:
    return [(condition.field, condition.operator, condition.keeps_matches,
             frozenset(condition.value) if isinstance(condition.value, tuple) else condition.value) for condition in filters]


def passes(item: Item, filters: Compiled) -> bool:
    """Whether an activity meets every compiled filter."""
    for field, operator, keep, value in filters:
        if field == "billable":
            matched = (bool(item.get("billable")) and item.get("type") != BREAK) == value  # a break is never billable
        elif field == "pending":
            matched = (not item.get("endedAt")) == value
        elif field == "approved":
            matched = (item.get("approved") is True) == value
        elif field == "name":
            name = str(item.get("name") or "")
            matched = value.casefold() in name.casefold() if operator == "contains" else name == value
        else:
            matched = (item.get("projectId") if field == "project" else item["userId"]) in value
        if matched != keep:
            return False
    return True


def narrowed(items: Iterable[Item], spec: ReportSpec, viewer: Viewer) -> list[Item]:
    """The activities the viewer may see that the spec's selections and filters keep."""
    only_projects = frozenset(spec.selected_projects or ())
    only_users = frozenset(spec.selected_members or ())
    filters = compiled(spec.filters)
    if viewer.reads_all and not only_projects and not only_users and not filters:
        return list(items)  # an Administrator's unnarrowed report counts every activity read
    return [item for item in items
            if viewer.sees(item) and (not only_projects or item.get("projectId") in only_projects)
            and (not only_users or item["userId"] in only_users) and passes(item, filters)]


def unarchived(items: list[Item], spec: ReportSpec, directory: Directory) -> list[Item]:
    """Without the activities of archived projects / members, unless the spec shows them."""
    if not spec.show_archived_projects and directory.archived_projects:
        items = [item for item in items if item.get("projectId") not in directory.archived_projects]
    if not spec.show_archived_members and directory.archived_members:
        items = [item for item in items if item["userId"] not in directory.archived_members]
    return items


def directory_of(projects: Mapping[str, Mapping[str, Any]], users: Mapping[str, Mapping[str, Any]]) -> Directory:
    """Names and archive marks of the projects and members (their items as stored) a report names."""
    return Directory(
        project_names={project_id: str(project.get("name", "")) for project_id, project in projects.items()},
        member_names={user_id: str(user.get("name") or user.get("email") or "") for user_id, user in users.items()},
        archived_projects=frozenset(project_id for project_id, project in projects.items() if project.get("archived")),
        archived_members=frozenset(user_id for user_id, user in users.items()
                                   if user and (user.get("archived") or user.get("status") == "DELETED")),
    )


def fill(spec: ReportSpec, viewer: Viewer, directory: Directory) -> dict[str, list[str]]:
    """The selected projects and members shown without time when empty rows are not hidden: those
    that exist and the viewer may see."""
    return {"project": [pid for pid in spec.selected_projects or () if pid in directory.project_names and viewer.sees_project(pid)],
            "user": [uid for uid in spec.selected_members or () if uid in directory.member_names and viewer.sees_member(uid)]}
