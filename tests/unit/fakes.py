"""In-memory stand-ins for the repositories (ports), so the rules run in microseconds.

They keep the contract the DynamoDB repositories document: a unit of work is all or nothing and
checks every staged condition (activity versions, timer markers, the checks other repositories
stage) before applying anything, raising the error the caller chose, as a cancelled transaction does.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from sandglass.entities.activities import Activity, IdempotencyRecord
from sandglass.errors import Conflict, DomainError, ValidationFailed
from sandglass.repositories.activities import ActivityPage, ReadSet, TimerMarker, TimeWindow, attributes_of, from_item
from sandglass.repositories.organizations import organization_from_item
from sandglass.repositories.projects import membership_from_item
from sandglass.entities.projects import ProjectMembership
from sandglass.timefmt import iso

ORG = "org-1"


@dataclass
class Condition:
    """A write condition: `holds(repository)` must be true at commit time, else `fail` is raised."""

    holds: Callable[["InMemoryActivities"], bool]
    fail: DomainError


STALE = Conflict("The activity was changed by another request; reload and retry")
TIMER_RUNNING = Conflict("A timer is already running for this member", code="TIMER_RUNNING")


class InMemoryUnitOfWork:
    """UnitOfWork over the fakes: every staged condition is checked at commit (after the
    repository's `before_commit` hook), then every effect applied, or nothing."""

    def __init__(self, repository: "InMemoryActivities"):
        self.repository = repository
        self.staged: list[tuple[Callable[[], bool], DomainError, Callable[[], Any] | None]] = []
        self.activity_writes: list[str] = []

    def add(self, holds: Callable[[], bool], fail: DomainError, apply: Callable[[], Any] | None = None, *, activity: str | None = None) -> None:
        self.staged.append((holds, fail, apply))
        if activity is not None:
            self.activity_writes.append(activity)

    def add_condition(self, condition: "Condition") -> None:
        self.add(lambda: condition.holds(self.repository), condition.fail)

    def commit(self) -> None:
        if self.repository.before_commit:
            self.repository.before_commit()
        for holds, fail, _ in self.staged:
            if not holds():
                raise fail
        for _, _, apply in self.staged:
            if apply is not None:
                apply()
        self.repository.commits.append(list(self.activity_writes))


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
        self.idempotency: dict[tuple[str, str], IdempotencyRecord] = {}
        self.extra: dict[tuple[str, str], dict[str, Any]] = {}  # other repositories' items a guard reads (e.g. lock state)
        self.commits: list[list[str]] = []  # per commit: the ids of the activities it wrote
        self.before_commit: Callable[[], None] | None = None  # lets a test change the world between read and write
        self.last_number = 0  # the integer ids handed out (repositories/int_ids.py mints them in blocks)

    # --- set-up helpers -------------------------------------------------------------------
    def add_project(self, project_id: str, *, billable: bool = True, archived: bool = False, members: dict[str, str] | None = None) -> None:
        self.projects[project_id] = {"id": project_id, "name": project_id, "billable": billable, "archived": archived}
        for user_id, role in (members or {}).items():
            self.memberships[(project_id, user_id)] = {"projectId": project_id, "userId": user_id, "role": role, "archived": False}

    def add_user(self, user_id: str, *, archived: bool = False) -> None:
        self.users[user_id] = {"id": user_id, "archived": archived, "status": "ACTIVE"}

    # --- the repository contract ----------------------------------------------------------
    def get(self, org_id: str, activity_id: str) -> Activity | None:
        item = self.activities.get(activity_id)
        return None if item is None else from_item(item)

    def running_timer(self, org_id: str, user_id: str) -> TimerMarker | None:
        return self._marker(user_id)

    def latest_of_user(self, org_id: str, user_id: str) -> Activity | None:
        mine = [a for a in self.activities.values() if a["userId"] == user_id]
        return from_item(max(mine, key=lambda a: a["startedAt"])) if mine else None

    def starting_between(self, org_id: str, user_id: str, lower: str, upper: str) -> list[Activity]:
        return [from_item(a) for a in sorted(self.activities.values(), key=lambda a: (a["startedAt"], a["id"]))
                if a["userId"] == user_id and lower <= a["startedAt"] <= upper]

    def project_membership(self, org_id: str, project_id: str, user_id: str) -> ProjectMembership | None:
        found = self.memberships.get((project_id, user_id))
        return None if found is None else membership_from_item({"id": f"{project_id}:{user_id}", **found})

    def idempotency_record(self, org_id: str, user_id: str, key_hash: str) -> IdempotencyRecord | None:
        return self.idempotency.get((user_id, key_hash))

    def _marker(self, user_id: str) -> TimerMarker | None:
        marker = self.timers.get(user_id)
        return None if marker is None else TimerMarker(user_id, marker["activityId"], marker.get("startedAt", ""))

    def read_set(self, org_id: str, *, organization: bool = True, projects: Iterable[str] = (), memberships: Iterable[tuple[str, str]] = (),
                 users: Iterable[str] = (), timers: Iterable[str] = (), idempotency: tuple[str, str] | None = None,
                 extra: Iterable[dict[str, str]] = ()) -> ReadSet:
        found = ReadSet(organization=organization_from_item({"id": org_id, **self.organization}) if organization and self.organization is not None else None)
        found.extra = {(key["PK"], key["SK"]): copy.deepcopy(self.extra[(key["PK"], key["SK"])]) for key in extra if (key["PK"], key["SK"]) in self.extra}
        found.projects = {p: copy.deepcopy(self.projects[p]) for p in projects if p in self.projects}
        found.memberships = {m: membership_from_item({"id": f"{m[0]}:{m[1]}", **self.memberships[m]}) for m in memberships if m in self.memberships}
        found.users = {u: copy.deepcopy(self.users[u]) for u in users if u in self.users}
        found.timers = {u: self._marker(u) for u in timers if u in self.timers}
        found.idempotency = self.idempotency.get(idempotency) if idempotency else None
        return found

    @staticmethod
    def entries_fence_key(org_id: str, user_id: str) -> dict[str, str]:
        return {"PK": f"ORG#{org_id}", "SK": f"ENTRIES#{user_id}"}

    def note_placement(self, org_id: str, activity: Activity, *, project_marked: bool) -> None:
        if project_marked:
            return
        if activity.project_id not in self.projects:
            raise ValidationFailed.field("projectId", "The project was deleted meanwhile")
        self.projects[activity.project_id]["hasActivities"] = True

    # --- staging: each action is a condition checked at commit and an effect applied after -------
    def next_number(self, org_id: str) -> int:
        self.last_number += 1
        return self.last_number

    def unit_of_work(self) -> "InMemoryUnitOfWork":
        return InMemoryUnitOfWork(self)

    def commit(self, tx: "InMemoryUnitOfWork") -> None:
        tx.commit()

    def _version_holds(self, before: Activity, require_running: bool) -> bool:
        stored = self.activities.get(before.id)
        return stored is not None and int(stored["version"]) == before.version and (not require_running or bool(stored.get("pending")))

    def _put(self, activity: Activity) -> None:
        self.activities[activity.id] = {k: copy.deepcopy(v) for k, v in attributes_of(activity).items() if v is not None}

    def stage_create(self, tx: "InMemoryUnitOfWork", org_id: str, activity: Activity) -> None:
        tx.add(lambda: activity.id not in self.activities, Conflict("An activity with this id already exists"), lambda: self._put(activity),
               activity=activity.id)

    def stage_update(self, tx: "InMemoryUnitOfWork", org_id: str, before: Activity, after: Activity, *, fail: DomainError | None = None,
                     require_running: bool = False) -> None:
        tx.add(lambda: self._version_holds(before, require_running), fail or STALE, lambda: self._put(after), activity=after.id)

    def stage_delete(self, tx: "InMemoryUnitOfWork", org_id: str, activity: Activity, *, fail: DomainError | None = None) -> None:
        tx.add(lambda: self._version_holds(activity, False), fail or STALE, lambda: self.activities.pop(activity.id, None), activity=activity.id)

    def stage_timer_claim(self, tx: "InMemoryUnitOfWork", org_id: str, activity: Activity, *, replacing: str | None = None,
                          fail: DomainError | None = None) -> None:
        def holds() -> bool:
            marker = self.timers.get(activity.user_id)
            return marker is None if replacing is None else marker is not None and marker["activityId"] == replacing

        marker = {"userId": activity.user_id, "activityId": activity.id, "startedAt": iso(activity.started_at)}
        tx.add(holds, fail or TIMER_RUNNING, lambda: self.timers.__setitem__(activity.user_id, marker))

    def stage_timer_release(self, tx: "InMemoryUnitOfWork", org_id: str, user_id: str, activity_id: str, *, fail: DomainError | None = None) -> None:
        def holds() -> bool:
            marker = self.timers.get(user_id)
            return marker is not None and marker["activityId"] == activity_id

        tx.add(holds, fail or TIMER_RUNNING, lambda: self.timers.pop(user_id, None))

    def stage_idempotency_record(self, tx: "InMemoryUnitOfWork", org_id: str, record: IdempotencyRecord, *, now_epoch: int) -> None:
        key = (record.user_id, record.key_hash)

        def holds() -> bool:
            stored = self.idempotency.get(key)
            return stored is None or int(stored.expires_at.timestamp()) < now_epoch

        tx.add(holds, Conflict("in progress", code="IDEMPOTENCY_RACE"), lambda: self.idempotency.__setitem__(key, record))

    def stage_assignment_checks(self, tx: "InMemoryUnitOfWork", org_id: str, project_id: str, user_id: str, *, membership: bool, member: bool) -> None:
        def active(item):
            return item is not None and not item.get("archived")

        if membership:
            tx.add(lambda: active(self.memberships.get((project_id, user_id))),
                   ValidationFailed.field("projectId", "The user is no longer a member of this project"))
        else:
            tx.add(lambda: active(self.projects.get(project_id)), ValidationFailed.field("projectId", "The project was archived or deleted meanwhile"))
        if member:
            tx.add(lambda: active(self.users.get(user_id)), ValidationFailed.field("userId", "No such active member in this organization"))

    def stage_entries_fence(self, tx: "InMemoryUnitOfWork", org_id: str, user_id: str, reads: ReadSet) -> None:
        key = (f"ORG#{org_id}", f"ENTRIES#{user_id}")
        seen = reads.extra.get(key)

        def holds() -> bool:
            current = self.extra.get(key)
            return (current or {}).get("version") == (seen or {}).get("version")

        def bump() -> None:
            self.extra[key] = {"version": int((seen or {}).get("version", 0)) + 1}

        tx.add(holds, Conflict("This member's entries changed meanwhile; retry", code="ENTRIES_CHANGED"), bump)

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
        return ActivityPage([from_item(a) for a in chosen[:limit]], None, 1)


class InMemoryProjects:
    """The part of ProjectRepository the activity rules use."""

    def __init__(self, activities: InMemoryActivities):
        self.activities = activities

    def administered_project_ids(self, org_id: str, user_id: str) -> list[str]:
        return [p for (p, u), m in self.activities.memberships.items() if u == user_id and m["role"] == "Administrator" and not m.get("archived")]
