"""In-memory stand-ins for the repositories (ports), so the rules run in microseconds.

They keep the contract the DynamoDB repositories document: `commit` is all or nothing and checks
every condition (activity versions, timer markers, the conditions other repositories build)
before applying anything, raising the error the caller chose, as a cancelled transaction does.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from sandglass.errors import Conflict, DomainError
from sandglass.repositories.activities import ActivityChange, ActivityPage, ReadSet, TimerChange, TimeWindow

ORG = "org-1"


@dataclass
class Condition:
    """A write condition: `holds(repository)` must be true at commit time, else `fail` is raised."""

    holds: Callable[["InMemoryActivities"], bool]
    fail: DomainError


class InMemoryActivities:
    """ActivityRepository over dicts (one organization)."""

    table = None

    def __init__(self, organization: dict[str, Any] | None = None):
        self.organization: dict[str, Any] | None = organization if organization is not None else {"maxActivityHours": 24}
        self.activities: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}
        self.memberships: dict[tuple[str, str], dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.timers: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[tuple[str, str], dict[str, Any]] = {}
        self.extra: dict[tuple[str, str], dict[str, Any]] = {}  # other repositories' items a guard reads (e.g. lock state)
        self.commits: list[list[ActivityChange]] = []
        self.before_commit: Callable[[], None] | None = None  # lets a test change the world between read and write

    # --- set-up helpers -------------------------------------------------------------------
    def add_project(self, project_id: str, *, billable: bool = True, archived: bool = False, members: dict[str, str] | None = None) -> None:
        self.projects[project_id] = {"id": project_id, "name": project_id, "billable": billable, "archived": archived}
        for user_id, role in (members or {}).items():
            self.memberships[(project_id, user_id)] = {"projectId": project_id, "userId": user_id, "role": role, "archived": False}

    def add_user(self, user_id: str, *, archived: bool = False) -> None:
        self.users[user_id] = {"id": user_id, "archived": archived, "status": "ACTIVE"}

    # --- the repository contract ----------------------------------------------------------
    def get(self, org_id: str, activity_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.activities.get(activity_id))

    def project_membership(self, org_id: str, project_id: str, user_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.memberships.get((project_id, user_id)))

    def idempotency_record(self, org_id: str, user_id: str, key_hash: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.idempotency.get((user_id, key_hash)))

    def read_set(self, org_id: str, *, organization: bool = True, projects: Iterable[str] = (), memberships: Iterable[tuple[str, str]] = (),
                 users: Iterable[str] = (), timers: Iterable[str] = (), idempotency: tuple[str, str] | None = None,
                 extra: Iterable[dict[str, str]] = ()) -> ReadSet:
        found = ReadSet(organization=copy.deepcopy(self.organization) if organization else None)
        found.extra = {(key["PK"], key["SK"]): copy.deepcopy(self.extra[(key["PK"], key["SK"])]) for key in extra if (key["PK"], key["SK"]) in self.extra}
        found.projects = {p: copy.deepcopy(self.projects[p]) for p in projects if p in self.projects}
        found.memberships = {m: copy.deepcopy(self.memberships[m]) for m in memberships if m in self.memberships}
        found.users = {u: copy.deepcopy(self.users[u]) for u in users if u in self.users}
        found.timers = {u: copy.deepcopy(self.timers[u]) for u in timers if u in self.timers}
        found.idempotency = copy.deepcopy(self.idempotency.get(idempotency)) if idempotency else None
        return found

    @staticmethod
    def entries_fence_key(org_id: str, user_id: str) -> dict[str, str]:
        return {"PK": f"ORG#{org_id}", "SK": f"ENTRIES#{user_id}"}

    def note_project_used(self, org_id: str, project_id: str) -> None:
        from sandglass.errors import ValidationFailed

        if project_id not in self.projects:
            raise ValidationFailed.field("projectId", "The project was deleted meanwhile")
        self.projects[project_id]["hasActivities"] = True

    def assignment_conditions(self, org_id: str, project_id: str, user_id: str, *, membership: bool, member: bool) -> list[Condition]:
        from sandglass.errors import ValidationFailed

        def active(item):
            return item is not None and not item.get("archived")

        if membership:
            conditions = [Condition(lambda repo: active(repo.memberships.get((project_id, user_id))),
                                    ValidationFailed.field("projectId", "The user is no longer a member of this project"))]
        else:
            conditions = [Condition(lambda repo: active(repo.projects.get(project_id)),
                                    ValidationFailed.field("projectId", "The project was archived or deleted meanwhile"))]
        if member:
            conditions.append(Condition(lambda repo: active(repo.users.get(user_id)),
                                        ValidationFailed.field("userId", "No such active member in this organization")))
        return conditions

    def commit(self, org_id: str, changes: list[ActivityChange], *, timers: Iterable[TimerChange] = (), idempotency: dict[str, Any] | None = None,
               now_epoch: int = 0, conditions: Iterable[Condition] = ()) -> None:
        if self.before_commit:
            self.before_commit()
        timers = list(timers)
        if idempotency is not None:
            stored = self.idempotency.get((idempotency["userId"], idempotency["keyHash"]))
            if stored is not None and int(stored["expiresAt"]) >= now_epoch:
                raise Conflict("in progress", code="IDEMPOTENCY_RACE")
        for change in changes:
            stored = self.activities.get(change.activity_id)
            stale = change.fail or Conflict("The activity was changed by another request; reload and retry")
            if change.before is None:
                if stored is not None:
                    raise Conflict("An activity with this id already exists")
            elif stored is None or int(stored["version"]) != change.expected_version or (change.require_running and not stored.get("pending")):
                raise stale
        for timer in timers:
            marker = self.timers.get(timer.user_id)
            lost = timer.fail or Conflict("A timer is already running for this member", code="TIMER_RUNNING")
            if timer.action == "release":
                if marker is None or marker["activityId"] != timer.activity_id:
                    raise lost
            elif timer.replacing:
                if marker is None or marker["activityId"] != timer.replacing:
                    raise lost
            elif marker is not None:
                raise lost
        for condition in conditions:
            if not condition.holds(self):
                raise condition.fail
        # everything holds: apply, all at once
        for change in changes:
            if change.after is None:
                self.activities.pop(change.activity_id, None)
            else:
                self.activities[change.activity_id] = {k: v for k, v in copy.deepcopy(change.after).items() if v is not None}
        for timer in timers:
            if timer.action == "release":
                self.timers.pop(timer.user_id, None)
            else:
                self.timers[timer.user_id] = {"userId": timer.user_id, "activityId": timer.activity_id, "startedAt": timer.started_at}
        if idempotency is not None:
            self.idempotency[(idempotency["userId"], idempotency["keyHash"])] = copy.deepcopy(idempotency)
        self.commits.append(changes)

    def list_of_user(self, org_id: str, user_id: str, window: TimeWindow, *, pending=None, projects=None, limit: int, cursor,
                     newest_first: bool = False) -> ActivityPage:
        page = self._list(lambda a: a["userId"] == user_id and (projects is None or a["projectId"] in projects), window, pending,
                          None if newest_first else limit)
        if newest_first:
            page.activities[:] = page.activities[::-1][:limit]
        return page

    def list_of_project(self, org_id: str, project_id: str, window: TimeWindow, *, pending=None, limit: int, cursor) -> ActivityPage:
        return self._list(lambda a: a["projectId"] == project_id, window, pending, limit)

    def list_of_months(self, org_id: str, months: list[str], window: TimeWindow, *, pending=None, limit: int, cursor) -> ActivityPage:
        return self._list(lambda a: a["startedAt"][:7] in months, window, pending, limit)

    def _list(self, keep, window: TimeWindow, pending, limit: int) -> ActivityPage:
        chosen = sorted((a for a in self.activities.values()
                         if keep(a) and window.lower <= a["startedAt"] < window.upper
                         and (pending is None or bool(a.get("pending")) == pending)), key=lambda a: (a["startedAt"], a["id"]))
        return ActivityPage(copy.deepcopy(chosen[:limit]), None, 1)


class InMemoryProjects:
    """The part of ProjectRepository the activity rules use."""

    def __init__(self, activities: InMemoryActivities):
        self.activities = activities

    def administered_project_ids(self, org_id: str, user_id: str) -> list[str]:
        return [p for (p, u), m in self.activities.memberships.items() if u == user_id and m["role"] == "Administrator" and not m.get("archived")]
