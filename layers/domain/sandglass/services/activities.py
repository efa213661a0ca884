"""Activities: time entries, running timers and administrators' corrections.

Rules
-----
- Running timers. ``POST /activities`` with ``pending: true`` and no ``endedAt`` starts a timer
  (``startedAt`` defaults to now). A member has at most one running timer, guaranteed by
  DynamoDB: the timer marker (keys.running_timer) is written in the same transaction as the
  activity, with ``attribute_not_exists``. **Starting a timer while another runs stops the old
  one at the new one's start** (like Toggl and Clockify): the old activity gets ``endedAt`` =
  the new ``startedAt`` and the marker is re-pointed, all in the new timer's transaction,
  conditioned on the old timer still running at the version read and on the marker still
  pointing at it. A request that loses a race (another start got there first) answers 409 and
  stores nothing. The new timer must start after the old one (else 422). If the old timer ran
  longer than the organization's ``maxActivityHours``, it is stopped at start + maxActivityHours.
  ``PUT`` with ``endedAt`` (or ``pending: false``, meaning "now") stops a timer and deletes the
  marker in the same transaction.
- Rights. A User sees and edits their own activities; a project Administrator also those on the
  projects they administer; an organization Administrator all of them, and may create or correct
  activities for another member (``userId``) and set ``locked``. Anything else is 404 (never
  revealing whether the id exists). A ``locked`` activity can be changed only by organization
  Administrators (409 ``ACTIVITY_LOCKED`` otherwise).
- Validation (422 with field details, nothing stored): ``endedAt`` after ``startedAt``; duration
  at most the organization's ``maxActivityHours`` (default 24); ``name`` up to 3000 characters;
  the project exists, is not archived and has the activity's member as a member (organization
  Administrators are exempt from the membership rule); ``billable`` defaults from the project.
- Lists filter on ``from``/``to`` (``from <= startedAt < to``), ``userId``, ``projectId`` and
  ``pending`` and come in start order, paged by ``limit`` and a signed cursor. Which partition is
  read:
    * ``projectId`` given: that project's GSI2 partition (org and project Administrators see
      everyone's entries, other members only their own);
    * else ``userId`` given: that member's GSI1 partition (a project Administrator listing
      another member sees only the entries on projects they administer);
    * else, organization Administrators: the organization's month partitions (GSI3) covering
      ``[from, to)``; without ``from`` and ``to`` that is the current UTC month, ``from`` alone
      runs to the end of the current month (or of ``from``'s month when it lies ahead), ``to``
      alone starts at the start of the current month (or of ``to``'s month when it lies behind);
      at most 12 months per request (422 beyond — filter by member or project instead);
    * else (Users and project Administrators without filters): the caller's own activities.
      Project Administrators list a project's entries with ``projectId``.
- Every write (create, update, delete, and stopping the previous timer) goes through
  ``ActivityService._write`` — the single place where write guards (see ``WriteGuard``) add their
  ConditionChecks to the same transaction. The Timesheets locks belong there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Optional

from sandglass import ids, keys, timefmt
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from sandglass.models.activities import NOT_NULL, ActivityCreate, ActivityUpdate, activity_view, parse_instant
from sandglass.repositories.activities import IDEMPOTENCY_RACE, ActivityChange, ActivityRepository, ReadSet, TimerChange, entities, month_of
from sandglass.repositories.projects import PROJECT_ADMINISTRATOR, ProjectRepository
from sandglass.storage.table import Op
from sandglass.timefmt import iso

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
MAX_MONTHS = 12
DEFAULT_MAX_HOURS = 24
IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_IDEMPOTENCY_KEY = 255

# A write guard sees every activity change of a transaction (before/after images; before None on
# create, after None on delete) and returns extra transaction ops (typically ConditionChecks, e.g.
# "the period of this day is not locked") that must hold for the write to commit.
WriteGuard = Callable[[TenantContext, list[ActivityChange]], list[Op]]


@dataclass
class ActivityResult:
    activity: dict[str, Any]
    version: int


@dataclass
class ActivityList:
    activities: dict[str, dict[str, Any]]
    cursor: Optional[str]
    pages: int = 1


def _detail(field: str, message: str, where: str = "body") -> dict[str, str]:
    return {"field": field, "in": where, "message": message, "type": "value_error"}


def _invalid(*details: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(details[0]["message"] if len(details) == 1 else "The activity is invalid", details=list(details))


def _locked() -> Conflict:
    return Conflict("This activity is locked; only organization Administrators can change it", code="ACTIVITY_LOCKED")


def _not_found() -> NotFound:
    return NotFound("Activity not found")


def _is_project_admin(membership: dict[str, Any] | None) -> bool:
    return bool(membership) and membership.get("role") == PROJECT_ADMINISTRATOR and not membership.get("archived")


def _is_project_member(membership: dict[str, Any] | None) -> bool:
    return bool(membership) and not membership.get("archived")


def _max_hours(organization: dict[str, Any] | None) -> int:
    try:
        return int((organization or {}).get("maxActivityHours") or DEFAULT_MAX_HOURS)
    except (TypeError, ValueError):
        return DEFAULT_MAX_HOURS


def _instant(text: str) -> datetime:
    return parse_instant(text)


def _month_start(instant: datetime) -> datetime:
    return instant.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(instant: datetime) -> datetime:
    start = _month_start(instant)
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)


def _months(lower: datetime, upper: datetime) -> list[str]:
    months, cursor = [], _month_start(lower)
    while cursor < upper:
        months.append(cursor.strftime("%Y-%m"))
        cursor = _next_month(cursor)
    return months


def _request_hash(request: ActivityCreate) -> str:
    payload = json.dumps(request.model_dump(mode="json", exclude_unset=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


class ActivityService:
    def __init__(self, repository: ActivityRepository | None = None, clock: Clock | None = None, guards: Iterable[WriteGuard] = (), projects: ProjectRepository | None = None):
        self.repository = repository or ActivityRepository()
        self.projects = projects or ProjectRepository(self.repository.table)
        self._clock = clock
        self.guards: list[WriteGuard] = list(guards)

    @property
    def clock(self) -> Clock:
        return self._clock or get_clock()

    def add_guard(self, guard: WriteGuard) -> None:
        """Register a write guard (the Timesheets lock rules plug in here)."""
        self.guards.append(guard)

    def _now(self) -> datetime:
        now = self.clock.now().astimezone(timezone.utc)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    # --- the single write path -------------------------------------------------------------------
    def _write(self, tenant: TenantContext, changes: list[ActivityChange], *, timers: Iterable[TimerChange] = (), idempotency: dict[str, Any] | None = None) -> None:
        """EVERY activity write goes through here: create, update, delete and the stop of a
        previous timer. Guards add their ops (ConditionChecks) to the same transaction, so a
        rule such as "a User cannot write into a locked week" holds atomically with the write."""
        extra: list[Op] = []
        for guard in self.guards:
            extra.extend(guard(tenant, changes))
        self.repository.commit(tenant.org_id, changes, timers=list(timers), idempotency=idempotency,
                               now_epoch=int(self._now().timestamp()), extra_ops=extra)

    # --- reads -----------------------------------------------------------------------------------
    def _load(self, tenant: TenantContext, activity_id: str) -> dict[str, Any]:
        if not ids.is_uuid(activity_id) or len(activity_id) != 36:
            raise ValidationFailed("activityId must be a UUID", details=[_detail("activityId", "Expected a UUID", "path")])
        item = self.repository.get(tenant.org_id, activity_id.lower())
        if item is None:
            raise _not_found()
        return item

    def get(self, tenant: TenantContext, activity_id: str) -> ActivityResult:
        """At most two reads: the activity, and the caller's project membership when they do not own it."""
        item = self._load(tenant, activity_id)
        if not (tenant.is_admin or item["userId"] == tenant.user_id):
            if not _is_project_admin(self.repository.project_membership(tenant.org_id, item["projectId"], tenant.user_id)):
                raise _not_found()
        return ActivityResult(activity_view(item), int(item["version"]))

    # --- create ----------------------------------------------------------------------------------
    def create(self, tenant: TenantContext, request: ActivityCreate, idempotency_key: str | None = None) -> ActivityResult:
        now = self._now()
        target = request.userId or tenant.user_id
        if target != tenant.user_id and not tenant.is_admin:
            raise Forbidden("Only organization Administrators can record activities for another member")
        if request.locked is not None and not tenant.is_admin:
            raise Forbidden("Only organization Administrators can lock activities")
        running = bool(request.pending)
        problems = []
        if running and request.endedAt is not None:
            problems.append(_detail("endedAt", "A running timer (pending: true) has no endedAt"))
        if not running:
            if request.startedAt is None:
                problems.append(_detail("startedAt", "startedAt is required unless pending is true"))
            if request.endedAt is None:
                problems.append(_detail("endedAt", "endedAt is required unless pending is true (a running timer)"))
        key_hash = request_hash = None
        if idempotency_key is not None:
            if not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY or not idempotency_key.isprintable():
                problems.append(_detail("Idempotency-Key", f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters", "header"))
            else:
                key_hash = hashlib.sha256(idempotency_key.encode()).hexdigest()
                request_hash = _request_hash(request)
        if problems:
            raise _invalid(*problems)
        started = request.startedAt or now
        project_id = request.projectId
        reads = self.repository.read_set(
            tenant.org_id,
            projects=[project_id],
            memberships=[] if tenant.is_admin else [(project_id, target)],
            users=[target] if target != tenant.user_id else [],
            timers=[target] if running else [],
            idempotency=(tenant.user_id, key_hash) if key_hash else None,
        )
        if key_hash and reads.idempotency and int(reads.idempotency.get("expiresAt", 0)) >= int(now.timestamp()):
            return self._replay(reads.idempotency, request_hash)
        if reads.organization is None:
            raise NotFound("Organization not found")
        problems = self._check_assignment(tenant, reads, project_id, target, check_member=target != tenant.user_id)
        problems += self._check_times(reads.organization, started, request.endedAt)
        if problems:
            raise _invalid(*problems)
        project = reads.projects[project_id]
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
            "version": 1,
            "createdAt": iso(now),
            "createdBy": tenant.user_id,
            "updatedAt": iso(now),
            "updatedBy": tenant.user_id,
        }
        changes = [ActivityChange(None, activity)]
        timers: list[TimerChange] = []
        if running:
            marker = reads.timers.get(target)
            if marker is None:
                timers.append(TimerChange("claim", target, activity["id"], activity["startedAt"]))
            else:
                previous = self._stop_previous(tenant, reads.organization, marker, started, now)
                if previous is not None:
                    changes.append(previous)
                timers.append(TimerChange("claim", target, activity["id"], activity["startedAt"], replacing=marker["activityId"],
                                          fail=Conflict("Another timer was started at the same time; retry", code="TIMER_RUNNING")))
        view = activity_view(activity)
        record = None
        if key_hash:
            record = {"userId": tenant.user_id, "keyHash": key_hash, "requestHash": request_hash, "response": view,
                      "activityId": activity["id"], "version": 1, "createdAt": iso(now),
                      "expiresAt": int((now + IDEMPOTENCY_TTL).timestamp())}
        try:
            self._write(tenant, changes, timers=timers, idempotency=record)
        except Conflict as error:
            if error.code != IDEMPOTENCY_RACE:
                raise
            stored = self.repository.idempotency_record(tenant.org_id, tenant.user_id, key_hash)
            if stored is None:
                raise Conflict("A request with this Idempotency-Key is in progress; retry", code="IDEMPOTENCY_IN_PROGRESS") from None
            return self._replay(stored, request_hash)
        return ActivityResult(view, 1)

    def _stop_previous(self, tenant: TenantContext, organization: dict[str, Any], marker: dict[str, Any], started: datetime, now: datetime) -> ActivityChange | None:
        """The running timer `marker` points at, stopped at `started` (the new timer's start).
        None when the marker is orphaned (its activity went with a purged project or user): the
        new timer then simply takes the marker over, still conditioned on it pointing there."""
        old = self.repository.get(tenant.org_id, marker["activityId"])
        lost = Conflict("Another request stopped or changed the running timer at the same time; retry", code="TIMER_RUNNING")
        if old is None:
            return None
        if not old.get("pending"):
            raise lost
        old_start = _instant(old["startedAt"])
        if started <= old_start:
            raise _invalid(_detail("startedAt", f"A timer has been running since {old['startedAt']}; a new timer must start after it"))
        if old.get("locked") and not tenant.is_admin:
            raise _locked()
        stop_at = min(started, old_start + timedelta(hours=_max_hours(organization)))
        stopped = {**old, "endedAt": iso(stop_at), "pending": None, "version": int(old["version"]) + 1,
                   "updatedAt": iso(now), "updatedBy": tenant.user_id}
        return ActivityChange(old, stopped, expected_version=int(old["version"]), fail=lost, require_running=True)

    def _replay(self, record: dict[str, Any], request_hash: str | None) -> ActivityResult:
        if record.get("requestHash") != request_hash:
            raise ValidationFailed("This Idempotency-Key was already used with a different request body",
                                   details=[_detail("Idempotency-Key", "Reused with a different request body", "header")], code="IDEMPOTENCY_KEY_REUSED")
        return ActivityResult(dict(record["response"]), int(record.get("version", 1)))

    def _check_assignment(self, tenant: TenantContext, reads: ReadSet, project_id: str, user_id: str, *, check_member: bool) -> list[dict[str, str]]:
        problems = []
        project = reads.projects.get(project_id)
        if project is None:
            problems.append(_detail("projectId", "No such project in this organization"))
        elif project.get("archived"):
            problems.append(_detail("projectId", "The project is archived"))
        elif not tenant.is_admin and not _is_project_member(reads.memberships.get((project_id, user_id))):
            problems.append(_detail("projectId", "The user is not a member of this project; a project Administrator can add them"))
        if check_member:
            member = reads.users.get(user_id)
            if member is None or member.get("archived"):
                problems.append(_detail("userId", "No such active member in this organization"))
        return problems

    def _check_times(self, organization: dict[str, Any], started: datetime, ended: datetime | None) -> list[dict[str, str]]:
        if ended is None:
            return []
        if ended <= started:
            return [_detail("endedAt", "endedAt must be after startedAt")]
        limit = _max_hours(organization)
        if ended - started > timedelta(hours=limit):
            return [_detail("endedAt", f"An activity may last at most {limit} hours in this organization")]
        return []

    # --- update ----------------------------------------------------------------------------------
    def update(self, tenant: TenantContext, activity_id: str, request: ActivityUpdate, if_match: int | None = None) -> ActivityResult:
        """Two reads (the activity, then one BatchGet of everything the rules need) and one transaction."""
        fields = set(request.model_fields_set)
        # endedAt: null restates a running timer (checked below, once the activity is known and visible)
        nulls = [_detail(field, f"{field} cannot be null") for field in NOT_NULL
                 if field in fields and field != "endedAt" and getattr(request, field) is None]
        if nulls:
            raise _invalid(*nulls)
        current = self._load(tenant, activity_id)
        now = self._now()
        owner = current["userId"] == tenant.user_id
        target = request.userId if "userId" in fields else current["userId"]
        project_id = request.projectId if "projectId" in fields else current["projectId"]
        project_changed = project_id != current["projectId"]
        user_changed = target != current["userId"]
        memberships = set()
        if not tenant.is_admin:
            if not owner:
                memberships.add((current["projectId"], tenant.user_id))
                if project_changed:
                    memberships.add((project_id, tenant.user_id))
            if project_changed or user_changed:
                memberships.add((project_id, target))
        reads = self.repository.read_set(
            tenant.org_id,
            projects=[project_id] if project_changed or user_changed else [],
            memberships=sorted(memberships),
            users=[target] if user_changed else [],
        )
        if not (tenant.is_admin or owner or _is_project_admin(reads.memberships.get((current["projectId"], tenant.user_id)))):
            raise _not_found()
        if reads.organization is None:
            raise NotFound("Organization not found")
        if "locked" in fields and not tenant.is_admin:
            raise Forbidden("Only organization Administrators can lock or unlock activities")
        if user_changed and not tenant.is_admin:
            raise Forbidden("Only organization Administrators can move an activity to another member")
        if project_changed and not (tenant.is_admin or owner) and not _is_project_admin(reads.memberships.get((project_id, tenant.user_id))):
            raise Forbidden("You can move another member's activity only to a project you administer")
        if current.get("locked") and not tenant.is_admin:
            raise _locked()
        if if_match is not None and if_match != int(current["version"]):
            raise PreconditionFailed("The activity was changed since you read it; reload and retry")

        running = bool(current.get("pending"))
        if "endedAt" in fields and request.endedAt is None:
            # a client putting back what it read: a running timer has no end yet, so null is a no-op
            if not running or request.pending is False:
                raise _invalid(_detail("endedAt", "endedAt cannot be null"))
            fields.discard("endedAt")
        stopping = running and ("endedAt" in fields or request.pending is False)
        problems = []
        if request.pending is True and (stopping or not running):
            problems.append(_detail("pending", "pending can only be set to false (stop the timer); start a timer with POST /activities"))
        started = request.startedAt if "startedAt" in fields else _instant(current["startedAt"])
        if stopping:
            ended: datetime | None = request.endedAt if "endedAt" in fields else max(now, started + timedelta(milliseconds=1))
        elif running:
            ended = None
        else:
            ended = request.endedAt if "endedAt" in fields else _instant(current["endedAt"])
        if project_changed or user_changed:
            problems += self._check_assignment(tenant, reads, project_id, target, check_member=user_changed)
        if stopping or fields & {"startedAt", "endedAt"}:
            # times already stored stay valid: lowering maxActivityHours later must not block a rename
            problems += self._check_times(reads.organization, started, ended)
        if problems:
            raise _invalid(*problems)

        updated = dict(current)
        for field in ("name", "billable"):
            if field in fields:
                updated[field] = getattr(request, field)
        if "locked" in fields:
            updated["locked"] = True if request.locked else None
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
        timers: list[TimerChange] = []
        if stopping:
            timers.append(TimerChange("release", current["userId"], current["id"]))
        elif running and user_changed:
            timers.append(TimerChange("release", current["userId"], current["id"]))
            timers.append(TimerChange("claim", target, current["id"], updated["startedAt"]))
        elif running and updated["startedAt"] != current["startedAt"]:
            timers.append(TimerChange("claim", target, current["id"], updated["startedAt"], replacing=current["id"]))
        stale = PreconditionFailed("The activity was changed since you read it; reload and retry") if if_match is not None else None
        self._write(tenant, [ActivityChange(current, updated, expected_version=int(current["version"]), fail=stale)], timers=timers)
        return ActivityResult(activity_view(updated), int(updated["version"]))

    # --- delete ----------------------------------------------------------------------------------
    def delete(self, tenant: TenantContext, activity_id: str, if_match: int | None = None) -> None:
        current = self._load(tenant, activity_id)
        if not (tenant.is_admin or current["userId"] == tenant.user_id):
            if not _is_project_admin(self.repository.project_membership(tenant.org_id, current["projectId"], tenant.user_id)):
                raise _not_found()
        if current.get("locked") and not tenant.is_admin:
            raise _locked()
        if if_match is not None and if_match != int(current["version"]):
            raise PreconditionFailed("The activity was changed since you read it; reload and retry")
        timers = [TimerChange("release", current["userId"], current["id"])] if current.get("pending") else []
        stale = PreconditionFailed("The activity was changed since you read it; reload and retry") if if_match is not None else None
        self._write(tenant, [ActivityChange(current, None, expected_version=int(current["version"]), fail=stale)], timers=timers)

    # --- list ------------------------------------------------------------------------------------
    def list(
        self,
        tenant: TenantContext,
        *,
        from_: str | None = None,
        to: str | None = None,
        user_id: str | None = None,
        project_id: str | None = None,
        pending: str | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> ActivityList:
        problems = []
        lower = upper = None
        for name, raw in (("from", from_), ("to", to)):
            if raw is None:
                continue
            try:
                value = parse_instant(raw)
            except ValueError as error:
                problems.append(_detail(name, str(error), "query"))
                continue
            if timefmt.parse(raw.strip()).microsecond % 1000:
                # stored instants are whole milliseconds: round a finer bound up, so from stays
                # inclusive and to exclusive (truncating would take in, or leave out, one ms)
                value += timedelta(milliseconds=1)
            if name == "from":
                lower = value
            else:
                upper = value
        for name, raw in (("userId", user_id), ("projectId", project_id)):
            if raw is not None and (not ids.is_uuid(raw) or len(raw) != 36):
                problems.append(_detail(name, "Expected a UUID", "query"))
        if pending is not None and pending not in ("true", "false"):
            problems.append(_detail("pending", "Expected true or false", "query"))
        if not 1 <= limit <= MAX_LIMIT:
            problems.append(_detail("limit", f"limit must be between 1 and {MAX_LIMIT}", "query"))
        if lower and upper and upper <= lower:
            problems.append(_detail("to", "to must be after from", "query"))
        if problems:
            raise _invalid(*problems)
        user_id = user_id.lower() if user_id else None
        project_id = project_id.lower() if project_id else None

        filters, values, names = [], {}, {}
        if pending == "true":
            filters.append("#pending = :pending")
            names["#pending"] = "pending"
            values[":pending"] = True
        elif pending == "false":
            filters.append("attribute_not_exists(#pending)")
            names["#pending"] = "pending"
        low_text = iso(lower) if lower else "0"
        high_text = iso(upper) if upper else "~"

        def run_partition(index: str, partition: str) -> ActivityList:
            expression = " AND ".join(f"({part})" for part in filters) or None
            page = self.repository.query_partition(
                tenant.org_id, index=index, partition=partition, lower=low_text, upper=high_text, limit=limit, cursor=cursor,
                filter_expression=expression, filter_values=values or None, filter_names=names or None,
                scope_suffix=f"{expression}:{sorted(values.items(), key=str)}",
            )
            return self._page(page)

        if project_id:
            if not tenant.is_admin and not _is_project_admin(self.repository.project_membership(tenant.org_id, project_id, tenant.user_id)):
                if user_id and user_id != tenant.user_id:
                    return ActivityList({}, None, 0)
                user_id = tenant.user_id
            if user_id:
                filters.append("#user = :user")
                names["#user"] = "userId"
                values[":user"] = user_id
            return run_partition(keys.GSI_PROJECT, keys.project_partition(tenant.org_id, project_id))
        if user_id:
            if not tenant.is_admin and user_id != tenant.user_id:
                administered = self.projects.administered_project_ids(tenant.org_id, tenant.user_id)[:100]
                if not administered:
                    return ActivityList({}, None, 0)
                placeholders = []
                for index, administered_id in enumerate(sorted(administered)):
                    values[f":p{index}"] = administered_id
                    placeholders.append(f":p{index}")
                filters.append(f"#project IN ({', '.join(placeholders)})")
                names["#project"] = "projectId"
            return run_partition(keys.GSI_USER, keys.user_partition(tenant.org_id, user_id))
        if not tenant.is_admin:
            return run_partition(keys.GSI_USER, keys.user_partition(tenant.org_id, tenant.user_id))

        # organization Administrator, no member/project filter: the month partitions of [from, to)
        now = self._now()
        if lower is None and upper is None:
            lower, upper = _month_start(now), _next_month(now)
        elif upper is None:  # through the current month, or from's month when it lies ahead
            upper = _next_month(max(now, lower))
        elif lower is None:  # from the current month, or to's month when it lies behind
            lower = _month_start(min(now, upper - timedelta(milliseconds=1)))
        months = _months(lower, upper) if upper > lower else []
        if len(months) > MAX_MONTHS:
            raise _invalid(_detail("from", f"An organization-wide list covers at most {MAX_MONTHS} months; narrow from/to or filter by userId or projectId", "query"))
        if not months:
            return ActivityList({}, None, 0)
        expression = " AND ".join(f"({part})" for part in filters) or None
        page = self.repository.query_months(
            tenant.org_id, months=months, lower=iso(lower), upper=iso(upper), limit=limit, cursor=cursor,
            filter_expression=expression, filter_values=values or None, filter_names=names or None,
            scope_suffix=f"{expression}:{sorted(values.items(), key=str)}",
        )
        return self._page(page)

    @staticmethod
    def _page(page) -> ActivityList:
        return ActivityList({item["id"]: activity_view(item) for item in entities(page.items)}, page.cursor, page.pages_read)


__all__ = ["ActivityService", "ActivityResult", "ActivityList", "WriteGuard", "ActivityChange", "month_of"]
