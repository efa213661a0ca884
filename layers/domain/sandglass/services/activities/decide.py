"""The pure decisions of the activity writes: what a request asks for, whether the rules allow it
on what was read, and the entity it produces. No storage, no clock: unit-tested in tests/unit."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Mapping

from msgspec import Struct
from msgspec.structs import replace

from sandglass.context import TenantContext
from sandglass.entities.activities import BREAK, REGULAR, Activity, IdempotencyRecord, RateSnapshot
from sandglass.errors import Forbidden, NotFound, ValidationFailed, detail
from sandglass.models.activities import NOT_NULL, ActivityCreate, ActivityUpdate
from sandglass.repositories.activities import ReadSet
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
    project_billable,
    request_hash,
)


# --- create ---------------------------------------------------------------------------------------

class CreateIntent(Struct, frozen=True):
    """A create request, parsed and authorized: whose entry, when, running or not."""

    request: ActivityCreate
    target: str
    running: bool
    started: datetime
    ended: datetime | None
    key_hash: str | None = None
    body_hash: str | None = None


def create_intent(tenant: TenantContext, request: ActivityCreate, idempotency_key: str | None, now: datetime) -> CreateIntent:
    """Parse and authorize a create (403 for rights, 422 for the body), before any read."""
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
            key_hash, body_hash = hashlib.sha256(idempotency_key.encode()).hexdigest(), request_hash(request)
    started = request.startedAt or now
    if running:
        problems += check_not_ahead(now, startedAt=started)
    if problems:
        raise invalid(*problems)
    return CreateIntent(request, target, running, started, request.endedAt, key_hash, body_hash)


def replayed(record: IdempotencyRecord | None, intent: CreateIntent, now: datetime) -> ActivityResult | None:
    """The first answer under the same Idempotency-Key (unexpired), or None; another body is 422."""
    if not intent.key_hash or record is None or record.expired(now):
        return None
    return replay(record, intent.body_hash)


def replay(record: IdempotencyRecord, body_hash: str | None) -> ActivityResult:
    if record.request_hash != body_hash:
        raise ValidationFailed("This Idempotency-Key was already used with a different request body",
                               details=[detail("Idempotency-Key", "Reused with a different request body", "header")], code="IDEMPOTENCY_KEY_REUSED")
    return ActivityResult(record.activity, list(record.overlapping))


def check_create(tenant: TenantContext, intent: CreateIntent, reads: ReadSet) -> None:
    """The rules on what was read: the organization lives, the assignment and the times hold."""
    if reads.organization is None:
        raise NotFound("Organization not found")
    project_id, target = intent.request.projectId, intent.target
    problems = check_assignment(tenant, reads.projects.get(project_id), reads.memberships.get((project_id, target)),
                                reads.users.get(target), check_member=target != tenant.user_id, projectless=project_id is None)
    problems += check_times(reads.organization, intent.started, intent.ended)
    if problems:
        raise invalid(*problems)


def billable_of(activity_type: str, billable: bool) -> bool:
    """A break is never billable, whatever was asked (a client's default billable flag included)."""
    return billable and activity_type != BREAK


def new_activity(tenant: TenantContext, intent: CreateIntent, project: Mapping[str, Any] | None, *, activity_id: str, now: datetime,
                 snapshot: RateSnapshot | None, geofence_id: str | None = None, number: int | None = None,
                 booking_ids: tuple[int, ...] = ()) -> Activity:
    """The created entity; `project` None: a project-less entry (not billable unless asked)."""
    request = intent.request
    activity_type = request.type or REGULAR
    billable = project_billable(project) if request.billable is None else request.billable
    return Activity(
        id=activity_id, user_id=intent.target, project_id=request.projectId, started_at=intent.started, ended_at=intent.ended,
        name=request.name, billable=billable_of(activity_type, billable), type=activity_type,
        locked=bool(request.locked), version=1, created_at=now, created_by=tenant.user_id, updated_at=now,
        updated_by=tenant.user_id, rate_snapshot=snapshot, geofence_id=geofence_id, number=number, notes=request.notes,
        booking_ids=booking_ids,
    )


def idempotency_record(tenant: TenantContext, intent: CreateIntent, activity: Activity, overlapping: list[str],
                       now: datetime) -> IdempotencyRecord | None:
    """What a create under an Idempotency-Key keeps for its retries (None: no key)."""
    if not intent.key_hash:
        return None
    return IdempotencyRecord(user_id=tenant.user_id, key_hash=intent.key_hash, request_hash=intent.body_hash, activity=activity,
                             overlapping=tuple(overlapping), created_at=now, expires_at=now + IDEMPOTENCY_TTL)


# --- update ---------------------------------------------------------------------------------------

class UpdateIntent(Struct, frozen=True):
    """A PUT on `current`: the fields sent, and where the entry goes (member, project)."""

    fields: frozenset[str]
    target: str
    project_id: str | None  # None: no project (only where the request allows it, EntryUpdate)
    owner: bool

    def reassigned(self, current: Activity) -> bool:
        return self.project_id != current.project_id or self.target != current.user_id

    @property
    def times_or_member(self) -> bool:
        return bool(self.fields & {"startedAt", "endedAt", "userId"})


def update_intent(tenant: TenantContext, request: ActivityUpdate, current: Activity) -> UpdateIntent:
    fields = set(request.model_fields_set)
    # endedAt: null restates a running timer (checked by updated_times, once the activity is known)
    nulls = [detail(field, f"{field} cannot be null") for field in NOT_NULL
             if field in fields and field != "endedAt" and field not in request.NULLABLE and getattr(request, field) is None]
    if nulls:
        raise invalid(*nulls)
    return UpdateIntent(frozenset(fields), request.userId if "userId" in fields else current.user_id,
                        request.projectId if "projectId" in fields else current.project_id, current.user_id == tenant.user_id)


def memberships_needed(tenant: TenantContext, current: Activity, intent: UpdateIntent) -> set[tuple[str, str]]:
    """The caller's memberships that decide their rights (a non-owner must administer the
    project), and the target member's membership of a new project."""
    if tenant.is_admin:
        return set()
    needed = set()
    if not intent.owner:
        needed.add((current.project_id, tenant.user_id))
        if intent.project_id != current.project_id:
            needed.add((intent.project_id, tenant.user_id))
    if intent.reassigned(current):
        needed.add((intent.project_id, intent.target))
    return {(project_id, user_id) for project_id, user_id in needed if project_id is not None}  # no project: no membership


def check_update_rights(tenant: TenantContext, current: Activity, reads: ReadSet, intent: UpdateIntent) -> None:
    if not (tenant.is_admin or intent.owner or is_project_admin(reads.memberships.get((current.project_id, tenant.user_id)))):
        raise not_found()
    if reads.organization is None:
        raise NotFound("Organization not found")
    if "locked" in intent.fields and not tenant.is_admin:
        raise Forbidden("Only organization Administrators can lock or unlock activities")
    if intent.target != current.user_id and not tenant.is_admin:
        raise Forbidden("Only organization Administrators can move an activity to another member")
    if (intent.project_id != current.project_id and not (tenant.is_admin or intent.owner)
            and not is_project_admin(reads.memberships.get((intent.project_id, tenant.user_id)))):
        raise Forbidden("You can move another member's activity only to a project you administer")
    if current.locked and not tenant.is_admin:
        raise locked()


class UpdatedTimes(Struct, frozen=True):
    started: datetime
    ended: datetime | None  # None: still running
    stopping: bool
    fields: frozenset[str]  # the intent's fields, without an endedAt: null restating a running timer


def updated_times(tenant: TenantContext, request: ActivityUpdate, current: Activity, intent: UpdateIntent, reads: ReadSet,
                  now: datetime) -> UpdatedTimes:
    """The entry's new start and end, checked (422 naming every problem)."""
    fields, running = set(intent.fields), current.running
    if "endedAt" in fields and request.endedAt is None:
        # a client putting back what it read: a running timer has no end yet, so null is a no-op
        if not running or request.pending is False:
            raise invalid(detail("endedAt", "endedAt cannot be null"))
        fields.discard("endedAt")
    stopping = running and ("endedAt" in fields or request.pending is False)
    problems = []
    if request.pending is True and (stopping or not running):
        problems.append(detail("pending", "pending can only be set to false (stop the timer); start a timer with POST /activities"))
    started = request.startedAt if "startedAt" in fields else current.started_at
    if stopping:
        ended = request.endedAt if "endedAt" in fields else max(now, started + timedelta(milliseconds=1))
    elif running:
        ended = None
        if "startedAt" in fields:
            problems += check_not_ahead(now, startedAt=started)
    else:
        ended = request.endedAt if "endedAt" in fields else current.ended_at
    if intent.reassigned(current):
        problems += check_assignment(tenant, reads.projects.get(intent.project_id), reads.memberships.get((intent.project_id, intent.target)),
                                     reads.users.get(intent.target), check_member=intent.target != current.user_id,
                                     projectless=intent.project_id is None)
    if stopping or fields & {"startedAt", "endedAt"}:
        # times already stored stay valid: lowering maxActivityHours later must not block a rename
        problems += check_times(reads.organization, started, ended)
    if problems:
        raise invalid(*problems)
    return UpdatedTimes(started, ended, stopping, frozenset(fields))


def moves_times(times: UpdatedTimes) -> bool:
    """Whether the update can make a new overlap (a stop only shortens a running timer)."""
    return bool(times.fields & {"startedAt", "userId"} or ("endedAt" in times.fields and not times.stopping))


def updated_activity(tenant: TenantContext, request: ActivityUpdate, current: Activity, intent: UpdateIntent, times: UpdatedTimes,
                     now: datetime) -> Activity:
    """`current` with the request applied (rates are re-kept separately: needs_rates)."""
    changes: dict[str, Any] = {name: getattr(request, field) for field, name in (("name", "name"), ("billable", "billable"), ("notes", "notes"))
                               if field in times.fields}
    if "locked" in times.fields:
        changes["locked"] = bool(request.locked)
    if "type" in times.fields and request.type is not None:
        changes["type"] = request.type
    changes["billable"] = billable_of(changes.get("type", current.type), changes.get("billable", current.billable))
    return replace(current, **changes, project_id=intent.project_id, user_id=intent.target, started_at=times.started,
                   ended_at=times.ended, version=current.version + 1, updated_at=now, updated_by=tenant.user_id)


def needs_rates(current: Activity, updated: Activity) -> bool:
    """The rates in force are kept again for the entry's new member, project or start."""
    return (updated.project_id, updated.user_id, updated.started_at) != (current.project_id, current.user_id, current.started_at)
