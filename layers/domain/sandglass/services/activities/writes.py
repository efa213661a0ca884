"""Creating, correcting and deleting activities (and starting and stopping timers through them).

Every write is two round trips: one strongly consistent BatchGetItem of everything the rules
decide on (ActivityRepository.read_set) and one transaction (ActivityServiceBase._write) that
carries the conditions under which that decision still holds: the activity's version, the timer
marker, the project still active and the membership still there, the guards' conditions.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Mapping

from sandglass import ids
from sandglass.context import TenantContext
from sandglass.errors import Conflict, Forbidden, NotFound, ValidationFailed, check_if_match, detail, stale_write
from sandglass.models.activities import NOT_NULL, ActivityCreate, ActivityUpdate, activity_view
from sandglass.repositories.activities import ENTRIES_CHANGED, IDEMPOTENCY_RACE, ActivityChange, ReadSet, WriteCondition
from sandglass.services.activities import timers
from sandglass.services.activities.base import ActivityServiceBase
from sandglass.services.activities.rules import (
    IDEMPOTENCY_TTL,
    MAX_IDEMPOTENCY_KEY,
    ActivityResult,
    check_assignment,
    check_not_ahead,
    check_times,
    invalid,
    is_project_admin,
    locked,
    not_found,
    overlap_conflict,
    overlap_policy,
    overlap_window,
    overlaps,
    request_hash,
)
from sandglass.services.catalog import activity_references
from sandglass.timefmt import iso, parse_instant

# How often a write re-reads and re-checks when its entries fence (the overlap check) went stale.
ENTRIES_ATTEMPTS = 4


class ActivityWrites(ActivityServiceBase):
    # --- create ----------------------------------------------------------------------------------
    def create(self, tenant: TenantContext, request: ActivityCreate, idempotency_key: str | None = None, *,
               attributes: Mapping[str, Any] | None = None, same_timer: Mapping[str, Any] | None = None) -> ActivityResult:
        return self._fenced(lambda: self._create(tenant, request, idempotency_key, attributes=attributes, same_timer=same_timer))

    @staticmethod
    def _fenced(write: Any) -> Any:
        """Run a write; when another write of the member's entries committed between its overlap
        check and its transaction (ENTRIES_CHANGED), read, check and write again."""
        for attempt in range(ENTRIES_ATTEMPTS):
            try:
                return write()
            except Conflict as error:
                if error.code != ENTRIES_CHANGED or attempt == ENTRIES_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _create(self, tenant: TenantContext, request: ActivityCreate, idempotency_key: str | None, *,
                attributes: Mapping[str, Any] | None, same_timer: Mapping[str, Any] | None) -> ActivityResult:
        """`attributes`: facts stored on the activity and kept through its updates, which the API
        does not show (e.g. ``geofenceId``, the geofence whose enter event started a timer).
        `same_timer`: a running timer carrying these attributes is the one this start asks for, not
        one to stop: the start is refused (409 TIMER_RUNNING) instead, decided on the marker the
        write reads and conditions on (so racing duplicate starts never replace each other)."""
        now = self._now()
        target = request.userId or tenant.user_id
        if target != tenant.user_id and not tenant.is_admin:
            raise Forbidden("Only organization Administrators can record activities for another member")
        if request.locked is not None and not tenant.is_admin:
            raise Forbidden("Only organization Administrators can lock activities")
        running = bool(request.pending)
        problems = []
        if running and request.endedAt is not None:
            problems.append(detail("endedAt", "A running timer (pending: true) has no endedAt"))
        if not running:
            if request.startedAt is None:
                problems.append(detail("startedAt", "startedAt is required unless pending is true"))
            if request.endedAt is None:
                problems.append(detail("endedAt", "endedAt is required unless pending is true (a running timer)"))
        key_hash = body_hash = None
        if idempotency_key is not None:
            if not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY or not idempotency_key.isprintable():
                problems.append(detail("Idempotency-Key", f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters", "header"))
            else:
                key_hash = hashlib.sha256(idempotency_key.encode()).hexdigest()
                body_hash = request_hash(request)
        started = request.startedAt or now
        if running:
            problems += check_not_ahead(now, startedAt=started)
        if problems:
            raise invalid(*problems)
        project_id = request.projectId
        reads = self.repository.read_set(
            tenant.org_id,
            projects=[project_id],
            memberships=[] if tenant.is_admin else [(project_id, target)],
            users=[target] if target != tenant.user_id else [],
            timers=[target],  # a running one is stopped (pending) or may overlap (the overlap policy)
            idempotency=(tenant.user_id, key_hash) if key_hash else None,
            extra=self._guard_reads(tenant, [target]) + [self.repository.entries_fence_key(tenant.org_id, target)],
        )
        if key_hash and reads.idempotency and int(reads.idempotency.get("expiresAt", 0)) >= int(now.timestamp()):
            return self._replay(reads.idempotency, body_hash)
        if reads.organization is None:
            raise NotFound("Organization not found")
        problems = self._check_assignment(tenant, reads, project_id, target, check_member=target != tenant.user_id)
        problems += check_times(reads.organization, started, request.endedAt)
        if problems:
            raise invalid(*problems)
        marker = reads.timers.get(target)
        overlapping = self._overlaps(tenant, reads.organization, target, started, request.endedAt, marker,
                                     exclude={marker["activityId"]} if running and marker else set())
        project = reads.projects[project_id]
        references, reference_checks = activity_references(tenant.org_id, project_id, request.taskId, request.tagIds)
        activity = {
            "id": ids.new_id(),
            "name": request.name,
            "projectId": project_id,
            "userId": target,
            "billable": bool(project.get("billable", False)) if request.billable is None else request.billable,
            "startedAt": iso(started),
            "endedAt": iso(request.endedAt) if request.endedAt else None,
            "pending": True if running else None,
            "locked": True if request.locked else None,
            **references,
            "version": 1,
            "createdAt": iso(now),
            "createdBy": tenant.user_id,
            "updatedAt": iso(now),
            "updatedBy": tenant.user_id,
        }
        snapshot = self._rate_snapshot(tenant.org_id, project_id, target, activity["startedAt"])
        if snapshot is not None:
            activity["rateSnapshot"] = snapshot
        for name, value in (attributes or {}).items():
            if name in activity:
                raise ValueError(f"attribute {name} would overwrite an activity field")
            activity[name] = value
        changes = [ActivityChange(None, activity)]
        timer_changes = []
        if running:
            if marker is not None:
                old = self.repository.get(tenant.org_id, marker["activityId"])
                if same_timer and old is not None and old.get("pending") and all(old.get(k) == v for k, v in same_timer.items()):
                    raise Conflict("This timer is already running", code="TIMER_RUNNING")
                previous = timers.stop_previous(tenant, reads.organization, old, started, now)
                if previous is not None:
                    changes.append(previous)
            timer_changes.append(timers.claim(activity, marker))
        view = activity_view(activity)
        record = None
        if key_hash:
            record = {"userId": tenant.user_id, "keyHash": key_hash, "requestHash": body_hash, "response": view,
                      "activityId": activity["id"], "version": 1, "createdAt": iso(now), "overlapping": overlapping,
                      "expiresAt": int((now + IDEMPOTENCY_TTL).timestamp())}
        conditions = self.repository.assignment_conditions(tenant.org_id, project_id, target, membership=not tenant.is_admin,
                                                           member=target != tenant.user_id)
        conditions += self._entries_fence(tenant, reads, target) + reference_checks
        if not project.get("hasActivities"):
            self.repository.note_project_used(tenant.org_id, project_id)
        try:
            self._write(tenant, changes, reads=reads, timers=timer_changes, conditions=conditions, idempotency=record)
        except Conflict as error:
            if error.code != IDEMPOTENCY_RACE:
                raise
            stored = self.repository.idempotency_record(tenant.org_id, tenant.user_id, key_hash)
            if stored is None:
                raise Conflict("A request with this Idempotency-Key is in progress; retry", code="IDEMPOTENCY_IN_PROGRESS") from None
            return self._replay(stored, body_hash)
        return ActivityResult(view, 1, overlapping)

    def _replay(self, record: dict[str, Any], body_hash: str | None) -> ActivityResult:
        if record.get("requestHash") != body_hash:
            raise ValidationFailed("This Idempotency-Key was already used with a different request body",
                                   details=[detail("Idempotency-Key", "Reused with a different request body", "header")], code="IDEMPOTENCY_KEY_REUSED")
        return ActivityResult(dict(record["response"]), int(record.get("version", 1)), list(record.get("overlapping") or []))

    def _overlaps(self, tenant: TenantContext, organization: dict[str, Any] | None, user_id: str, started: datetime, ended: datetime | None,
                  marker: dict[str, Any] | None, *, exclude: set[str]) -> list[str]:
        """The organization's overlap policy on the member's interval [started, ended) (ended None: a
        running timer): under allow nothing is read; otherwise ONE Query of the member's entries
        that can reach the interval, plus their running timer (its marker, already read), whatever
        their project. reject raises 409 ACTIVITY_OVERLAP naming them; warn returns their ids."""
        policy = overlap_policy(organization)
        if policy == "allow":
            return []
        lower, upper = overlap_window(organization, started, ended)
        others = self.repository.starting_between(tenant.org_id, user_id, iso(lower), iso(upper) if upper else "~")
        if marker is not None and all(other["id"] != marker["activityId"] for other in others):
            others.append({"id": marker["activityId"], "startedAt": marker["startedAt"], "projectId": marker.get("projectId")})
        conflicts = overlaps(started, ended, others, exclude=exclude)
        if conflicts and policy == "reject":
            raise overlap_conflict(conflicts)
        return [other["id"] for other in conflicts]

    def _entries_fence(self, tenant: TenantContext, reads: ReadSet, user_id: str) -> list[WriteCondition]:
        """Under warn or reject, the write bumps the member's entries fence (read in `reads` with
        the overlap check) in its transaction: a concurrent write of the member's entries that
        committed after that check makes this one fail with ENTRIES_CHANGED and check again.
        Under allow nothing is written."""
        if overlap_policy(reads.organization) == "allow":
            return []
        key = self.repository.entries_fence_key(tenant.org_id, user_id)
        return [self.repository.entries_fence(tenant.org_id, user_id, reads.extra.get((key["PK"], key["SK"])))]

    @staticmethod
    def _check_assignment(tenant: TenantContext, reads: ReadSet, project_id: str, user_id: str, *, check_member: bool) -> list[dict[str, str]]:
        return check_assignment(tenant, reads.projects.get(project_id), reads.memberships.get((project_id, user_id)),
                                reads.users.get(user_id), check_member=check_member)

    # --- update ----------------------------------------------------------------------------------
    def update(self, tenant: TenantContext, activity_id: str, request: ActivityUpdate, if_match: int | None = None) -> ActivityResult:
        return self._fenced(lambda: self._update(tenant, activity_id, request, if_match))

    def _update(self, tenant: TenantContext, activity_id: str, request: ActivityUpdate, if_match: int | None) -> ActivityResult:
        """Two reads (the activity, then one BatchGet of everything the rules need) and one transaction."""
        fields = set(request.model_fields_set)
        # endedAt: null restates a running timer (checked below, once the activity is known and visible)
        nulls = [detail(field, f"{field} cannot be null") for field in NOT_NULL
                 if field in fields and field != "endedAt" and getattr(request, field) is None]
        if nulls:
            raise invalid(*nulls)
        current = self._load(tenant, activity_id)
        now = self._now()
        owner = current["userId"] == tenant.user_id
        target = request.userId if "userId" in fields else current["userId"]
        project_id = request.projectId if "projectId" in fields else current["projectId"]
        reassigned = project_id != current["projectId"] or target != current["userId"]
        times_or_member = bool(fields & {"startedAt", "endedAt", "userId"})
        reads = self.repository.read_set(
            tenant.org_id,
            projects=[project_id] if reassigned else [],
            memberships=sorted(self._memberships_needed(tenant, current, project_id, target, owner)),
            users=[target] if target != current["userId"] else [],
            timers=[target] if times_or_member else [],
            extra=self._guard_reads(tenant, {current["userId"], target})
            + ([self.repository.entries_fence_key(tenant.org_id, target)] if times_or_member else []),
        )
        self._check_update_rights(tenant, current, reads, fields, project_id, target, owner)
        check_if_match("activity", if_match, current["version"])

        running = bool(current.get("pending"))
        if "endedAt" in fields and request.endedAt is None:
            # a client putting back what it read: a running timer has no end yet, so null is a no-op
            if not running or request.pending is False:
                raise invalid(detail("endedAt", "endedAt cannot be null"))
            fields.discard("endedAt")
        stopping = running and ("endedAt" in fields or request.pending is False)
        problems = []
        if request.pending is True and (stopping or not running):
            problems.append(detail("pending", "pending can only be set to false (stop the timer); start a timer with POST /activities"))
        started = request.startedAt if "startedAt" in fields else parse_instant(current["startedAt"])
        if stopping:
            ended: datetime | None = request.endedAt if "endedAt" in fields else max(now, started + timedelta(milliseconds=1))
        elif running:
            ended = None
            if "startedAt" in fields:
                problems += check_not_ahead(now, startedAt=started)
        else:
            ended = request.endedAt if "endedAt" in fields else parse_instant(current["endedAt"])
        if reassigned:
            problems += self._check_assignment(tenant, reads, project_id, target, check_member=target != current["userId"])
        if stopping or fields & {"startedAt", "endedAt"}:
            # times already stored stay valid: lowering maxActivityHours later must not block a rename
            problems += check_times(reads.organization, started, ended)
        if problems:
            raise invalid(*problems)
        overlapping: list[str] = []
        if fields & {"startedAt", "userId"} or ("endedAt" in fields and not stopping):
            # a stop only shortens a running timer: it cannot make a new overlap
            overlapping = self._overlaps(tenant, reads.organization, target, started, ended, reads.timers.get(target), exclude={current["id"]})
            fence = self._entries_fence(tenant, reads, target)
        else:
            fence = []

        updated = dict(current)
        for field in ("name", "billable"):
            if field in fields:
                updated[field] = getattr(request, field)
        if "locked" in fields:
            updated["locked"] = True if request.locked else None
        references, reference_checks = activity_references(
            tenant.org_id, project_id, request.taskId if "taskId" in fields else current.get("taskId"),
            request.tagIds if "tagIds" in fields else current.get("tagIds"), before=current)
        updated.update(references)
        updated.update({
            "projectId": project_id,
            "userId": target,
            "startedAt": iso(started),
            "endedAt": iso(ended) if ended else None,
            "pending": True if running and not stopping else None,
            "version": int(current["version"]) + 1,
            "updatedAt": iso(now),
            "updatedBy": tenant.user_id,
        })
        if reassigned or updated["startedAt"] != current["startedAt"]:
            # the rates in force for the entry's new member, project or start (README: Rates)
            snapshot = self._rate_snapshot(tenant.org_id, project_id, target, updated["startedAt"])
            if snapshot is not None:
                updated["rateSnapshot"] = snapshot
        conditions = []
        if reassigned:
            conditions = self.repository.assignment_conditions(tenant.org_id, project_id, target, membership=not tenant.is_admin,
                                                               member=target != current["userId"])
            if not reads.projects[project_id].get("hasActivities"):
                self.repository.note_project_used(tenant.org_id, project_id)
        change = ActivityChange(current, updated, expected_version=int(current["version"]), fail=stale_write("activity", if_match))
        self._write(tenant, [change], reads=reads, timers=timers.changes_for_update(current, updated, stopping=stopping),
                    conditions=conditions + fence + reference_checks)
        return ActivityResult(activity_view(updated), int(updated["version"]), overlapping)

    @staticmethod
    def _memberships_needed(tenant: TenantContext, current: dict[str, Any], project_id: str, target: str, owner: bool) -> set[tuple[str, str]]:
        """The caller's memberships that decide their rights (a non-owner must administer the
        project), and the target member's membership of a new project."""
        if tenant.is_admin:
            return set()
        needed = set()
        if not owner:
            needed.add((current["projectId"], tenant.user_id))
            if project_id != current["projectId"]:
                needed.add((project_id, tenant.user_id))
        if project_id != current["projectId"] or target != current["userId"]:
            needed.add((project_id, target))
        return needed

    @staticmethod
    def _check_update_rights(tenant: TenantContext, current: dict[str, Any], reads: ReadSet, fields: set[str],
                             project_id: str, target: str, owner: bool) -> None:
        if not (tenant.is_admin or owner or is_project_admin(reads.memberships.get((current["projectId"], tenant.user_id)))):
            raise not_found()
        if reads.organization is None:
            raise NotFound("Organization not found")
        if "locked" in fields and not tenant.is_admin:
            raise Forbidden("Only organization Administrators can lock or unlock activities")
        if target != current["userId"] and not tenant.is_admin:
            raise Forbidden("Only organization Administrators can move an activity to another member")
        if (project_id != current["projectId"] and not (tenant.is_admin or owner)
                and not is_project_admin(reads.memberships.get((project_id, tenant.user_id)))):
            raise Forbidden("You can move another member's activity only to a project you administer")
        if current.get("locked") and not tenant.is_admin:
            raise locked()

    # --- delete ----------------------------------------------------------------------------------
    def delete(self, tenant: TenantContext, activity_id: str, if_match: int | None = None) -> None:
        current = self._load(tenant, activity_id)
        if not (tenant.is_admin or current["userId"] == tenant.user_id):
            if not is_project_admin(self.repository.project_membership(tenant.org_id, current["projectId"], tenant.user_id)):
                raise not_found()
        if current.get("locked") and not tenant.is_admin:
            raise locked()
        check_if_match("activity", if_match, current["version"])
        change = ActivityChange(current, None, expected_version=int(current["version"]), fail=stale_write("activity", if_match))
        self._write(tenant, [change], timers=timers.release_on_delete(current))
