"""Creating, correcting and deleting activities (and starting and stopping timers through them).

Every write is parse -> authorize -> read -> decide -> stage -> commit: one strongly consistent
BatchGetItem of everything the rules decide on (ActivityRepository.read_set), the pure decisions
of decide.py and timers.py, then one unit of work (ActivityServiceBase._commit) that carries the
conditions under which that decision still holds: the activity's version, the timer marker, the
project still active and the membership still there, the entries fence, the guards' checks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from msgspec.structs import replace

from sandglass import ids
from sandglass.context import TenantContext
from sandglass.entities.activities import Activity, RateSnapshot
from sandglass.entities.organizations import Organization
from sandglass.errors import Conflict, check_if_match, stale_write
from sandglass.models.activities import ActivityCreate, ActivityUpdate
from sandglass.repositories.activities import ENTRIES_CHANGED, IDEMPOTENCY_RACE, ReadSet, TimerMarker
from sandglass.services.activities import decide, timers
from sandglass.services.activities.base import ActivityServiceBase
from sandglass.services.activities.rules import (
    ActivityResult,
    Interval,
    interval_of,
    is_project_admin,
    locked,
    not_found,
    overlap_conflict,
    overlap_policy,
    overlap_window,
    overlaps,
    project_has_activities,
)
from sandglass.repositories.activities import UnitOfWork
from sandglass.services.activities.references import stage_activity_references, with_references
from sandglass.timefmt import iso, parse

# How often a write re-reads and re-checks when its entries fence (the overlap check) went stale.
ENTRIES_ATTEMPTS = 4


def _fenced(write: Callable[[], Any]) -> Any:
    """Run a write; when another write of the member's entries committed between its overlap
    check and its transaction (ENTRIES_CHANGED), read, check and write again."""
    for attempt in range(ENTRIES_ATTEMPTS):
        try:
            return write()
        except Conflict as error:
            if error.code != ENTRIES_CHANGED or attempt == ENTRIES_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


class ActivityWrites(ActivityServiceBase):
    # --- create ----------------------------------------------------------------------------------
    def create(self, tenant: TenantContext, request: ActivityCreate, idempotency_key: str | None = None, *,
               geofence_id: str | None = None, booking_ids: tuple[int, ...] = ()) -> ActivityResult:
        """`booking_ids`: an external planner's bookings the entry was recorded against (references, kept as sent).
        `geofence_id`: the geofence whose enter event starts this timer, kept on the activity;
        a running timer started by the same geofence is the one this start asks for, not one to
        stop: the start is refused (409 TIMER_RUNNING) instead, decided on the marker the write
        reads and conditions on (so racing duplicate starts never replace each other)."""
        return _fenced(lambda: self._create(tenant, request, idempotency_key, geofence_id, booking_ids))

    def _create(self, tenant: TenantContext, request: ActivityCreate, idempotency_key: str | None, geofence_id: str | None,
                booking_ids: tuple[int, ...] = ()) -> ActivityResult:
        now = self._now()
        intent = decide.create_intent(tenant, request, idempotency_key, now)
        reads = self._create_reads(tenant, intent)
        if (known := decide.replayed(reads.idempotency, intent, now)) is not None:
            return known
        decide.check_create(tenant, intent, reads)
        marker = reads.timers.get(intent.target)
        overlapping = self._overlaps(tenant, reads.organization, intent.target, intent.started, intent.ended, marker,
                                     exclude={marker.activity_id} if intent.running and marker else set())
        project = reads.projects[request.projectId] if request.projectId is not None else None
        activity = self._new_activity(tenant, intent, project, geofence_id, booking_ids, now)
        previous = self._previous_timer(tenant, intent, reads, marker, geofence_id, now)
        record = decide.idempotency_record(tenant, intent, activity, overlapping, now)

        def stage(tx: UnitOfWork, at: datetime) -> None:
            org_id = tenant.org_id
            if record is not None:  # first, so a racing retry reports this (and replays the stored answer)
                self.repository.stage_idempotency_record(tx, org_id, record, now_epoch=int(at.timestamp()))
            self.repository.stage_create(tx, org_id, activity)
            stage_activity_references(tx, org_id, None, activity)
            if previous is not None:
                self.repository.stage_update(tx, org_id, previous[0], previous[1], fail=Conflict(timers.RACE_LOST, code="TIMER_RUNNING"),
                                             require_running=True)
            if intent.running:
                self._stage_moves(tx, org_id, [timers.claim(activity, marker)])
            self._stage_assignment(tx, tenant, activity, check_member=intent.target != tenant.user_id)
            self._stage_fence(tx, tenant, reads, intent.target)

        self.repository.note_placement(tenant.org_id, activity, project_marked=project_has_activities(project))
        images = [activity, *(previous or ())]
        try:
            self._commit(tenant, images, stage, reads)
        except Conflict as error:
            if error.code != IDEMPOTENCY_RACE:
                raise
            return self._replay_stored(tenant, intent)
        return ActivityResult(activity, overlapping)

    def _new_activity(self, tenant: TenantContext, intent: decide.CreateIntent, project: dict[str, Any] | None, geofence_id: str | None,
                      booking_ids: tuple[int, ...], now: datetime) -> Activity:
        """The activity a create makes: decided, numbered, priced at its start, filed under its task and tags."""
        request = intent.request
        activity = decide.new_activity(tenant, intent, project, activity_id=ids.new_id(), number=self.repository.next_number(tenant.org_id),
                                       now=now, geofence_id=geofence_id, booking_ids=booking_ids,
                                       snapshot=self.rates_at(tenant.org_id, request.projectId, intent.target, intent.started))
        return with_references(activity, request.taskId, request.tagIds)

    def _create_reads(self, tenant: TenantContext, intent: decide.CreateIntent) -> ReadSet:
        target, project_id = intent.target, intent.request.projectId
        return self.repository.read_set(
            tenant.org_id,
            projects=[] if project_id is None else [project_id],
            memberships=[] if tenant.is_admin or project_id is None else [(project_id, target)],
            users=[target] if target != tenant.user_id else [],
            timers=[target],  # a running one is stopped (pending) or may overlap (the overlap policy)
            idempotency=(tenant.user_id, intent.key_hash) if intent.key_hash else None,
            extra=self._guard_reads(tenant, [target]) + [self.repository.entries_fence_key(tenant.org_id, target)],
        )

    def _previous_timer(self, tenant: TenantContext, intent: decide.CreateIntent, reads: ReadSet, marker: TimerMarker | None,
                        geofence_id: str | None, now: datetime) -> tuple[Activity, Activity] | None:
        """The member's running timer and its stopped image, when this start stops it (None otherwise)."""
        if not intent.running or marker is None:
            return None
        old = self.repository.get(tenant.org_id, marker.activity_id)
        if geofence_id is not None and old is not None and old.running and old.geofence_id == geofence_id:
            raise Conflict("This timer is already running", code="TIMER_RUNNING")
        stopped = timers.stop_previous(tenant, reads.organization, old, intent.started, now)
        return None if stopped is None else (old, stopped)

    def _replay_stored(self, tenant: TenantContext, intent: decide.CreateIntent) -> ActivityResult:
        stored = self.repository.idempotency_record(tenant.org_id, tenant.user_id, intent.key_hash)
        if stored is None:
            raise Conflict("A request with this Idempotency-Key is in progress; retry", code="IDEMPOTENCY_IN_PROGRESS") from None
        return decide.replay(stored, intent.body_hash)

    # --- what every write stages --------------------------------------------------------------------
    def _overlaps(self, tenant: TenantContext, organization: Organization | None, user_id: str, started: datetime,
                  ended: datetime | None, marker: TimerMarker | None, *, exclude: set[str]) -> list[str]:
        """The organization's overlap policy on the member's interval [started, ended) (ended None: a
        running timer): under allow nothing is read; otherwise ONE Query of the member's entries
        that can reach the interval, plus their running timer (its marker, already read), whatever
        their project. reject raises 409 ACTIVITY_OVERLAP naming them; warn returns their ids."""
        policy = overlap_policy(organization)
        if policy == "allow":
            return []
        lower, upper = overlap_window(organization, started, ended)
        others = [interval_of(other) for other in self.repository.starting_between(tenant.org_id, user_id, iso(lower), iso(upper) if upper else "~")]
        if marker is not None and all(other.id != marker.activity_id for other in others):
            others.append(Interval(marker.activity_id, parse(marker.started_at), None))
        conflicts = overlaps(started, ended, others, exclude=exclude)
        if conflicts and policy == "reject":
            raise overlap_conflict(conflicts)
        return [other.id for other in conflicts]

    def _stage_fence(self, tx: UnitOfWork, tenant: TenantContext, reads: ReadSet, user_id: str) -> None:
        """Under warn or reject, the write bumps the member's entries fence (read in `reads` with
        the overlap check) in its transaction: a concurrent write of the member's entries that
        committed after that check makes this one fail with ENTRIES_CHANGED and check again.
        Under allow nothing is written."""
        if overlap_policy(reads.organization) != "allow":
            self.repository.stage_entries_fence(tx, tenant.org_id, user_id, reads)

    def _stage_assignment(self, tx: UnitOfWork, tenant: TenantContext, activity: Activity, *, check_member: bool) -> None:
        self.repository.stage_assignment_checks(tx, tenant.org_id, activity.project_id, activity.user_id,
                                                membership=not tenant.is_admin, member=check_member)

    def _stage_moves(self, tx: UnitOfWork, org_id: str, moves: list[timers.TimerMove]) -> None:
        for move in moves:
            if move.action == "release":
                self.repository.stage_timer_release(tx, org_id, move.user_id, move.activity.id, fail=move.fail)
            else:
                self.repository.stage_timer_claim(tx, org_id, move.activity, replacing=move.replacing, fail=move.fail)

    # --- update ----------------------------------------------------------------------------------
    def update(self, tenant: TenantContext, activity_id: str, request: ActivityUpdate, if_match: int | None = None) -> ActivityResult:
        return _fenced(lambda: self._update(tenant, activity_id, request, if_match))

    def _update(self, tenant: TenantContext, activity_id: str, request: ActivityUpdate, if_match: int | None) -> ActivityResult:
        """Two reads (the activity, then one BatchGet of everything the rules need) and one transaction."""
        current = self._load(tenant, activity_id)
        now = self._now()
        intent = decide.update_intent(tenant, request, current)
        reads = self._update_reads(tenant, current, intent)
        decide.check_update_rights(tenant, current, reads, intent)
        check_if_match("activity", if_match, current.version)
        times = decide.updated_times(tenant, request, current, intent, reads, now)
        moves = decide.moves_times(times)
        overlapping = self._overlaps(tenant, reads.organization, intent.target, times.started, times.ended,
                                     reads.timers.get(intent.target), exclude={current.id}) if moves else []
        updated = decide.updated_activity(tenant, request, current, intent, times, now)
        updated = with_references(updated, request.taskId if "taskId" in intent.fields else current.task_id,
                                  request.tagIds if "tagIds" in intent.fields else current.tag_ids)
        if decide.needs_rates(current, updated):
            snapshot = self.rates_at(tenant.org_id, updated.project_id, updated.user_id, updated.started_at)
            updated = updated if snapshot is None else _with_rates(updated, snapshot)
        reassigned = intent.reassigned(current)

        def stage(tx: UnitOfWork, at: datetime) -> None:
            self.repository.stage_update(tx, tenant.org_id, current, updated, fail=stale_write("activity", if_match))
            stage_activity_references(tx, tenant.org_id, current, updated)
            self._stage_moves(tx, tenant.org_id, timers.moves_for_update(current, updated))
            if reassigned:
                self._stage_assignment(tx, tenant, updated, check_member=intent.target != current.user_id)
            if moves:
                self._stage_fence(tx, tenant, reads, intent.target)

        if reassigned:
            project = reads.projects[intent.project_id] if intent.project_id is not None else None
            self.repository.note_placement(tenant.org_id, updated, project_marked=project_has_activities(project))
        self._commit(tenant, [current, updated], stage, reads)
        return ActivityResult(updated, overlapping)

    def _update_reads(self, tenant: TenantContext, current: Activity, intent: decide.UpdateIntent) -> ReadSet:
        target = intent.target
        return self.repository.read_set(
            tenant.org_id,
            projects=[intent.project_id] if intent.reassigned(current) and intent.project_id is not None else [],
            memberships=sorted(decide.memberships_needed(tenant, current, intent)),
            users=[target] if target != current.user_id else [],
            timers=[target] if intent.times_or_member else [],
            extra=self._guard_reads(tenant, {current.user_id, target})
            + ([self.repository.entries_fence_key(tenant.org_id, target)] if intent.times_or_member else []),
        )

    # --- delete ----------------------------------------------------------------------------------
    def delete(self, tenant: TenantContext, activity_id: str, if_match: int | None = None) -> None:
        current = self._load(tenant, activity_id)
        if not (tenant.is_admin or current.user_id == tenant.user_id):
            if current.project_id is None or not is_project_admin(self.repository.project_membership(tenant.org_id, current.project_id, tenant.user_id)):
                raise not_found()
        if current.locked and not tenant.is_admin:
            raise locked()
        check_if_match("activity", if_match, current.version)

        def stage(tx: UnitOfWork, at: datetime) -> None:
            self.repository.stage_delete(tx, tenant.org_id, current, fail=stale_write("activity", if_match))
            self._stage_moves(tx, tenant.org_id, timers.moves_for_delete(current))

        self._commit(tenant, [current], stage)


def _with_rates(activity: Activity, snapshot: RateSnapshot) -> Activity:
    return replace(activity, rate_snapshot=snapshot)
