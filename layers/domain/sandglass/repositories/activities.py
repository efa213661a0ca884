"""Activities (time entries), running-timer markers and create idempotency records.

Storage decisions
-----------------
Base item: PK ``ORG#<orgId>``, SK ``ACTIVITY#<activityId>`` (keys.activity). Living in the
organization's root partition means the org purge's partition sweep deletes it.

Attributes: id, name, projectId (absent: no project), userId, type (absent: REGULAR; BREAK), billable, startedAt, endedAt (absent while running),
pending (True only while running; removed when stopped), locked (only when set), version,
createdAt, createdBy, updatedAt, updatedBy, notes and bookingIds (only when set). Instants are stored as the API's UTC text
(``2026-07-03T08:30:00.000Z``), which sorts chronologically as a string.

Index keys, recomputed from the attributes on every write (``_stored``), so an update that moves
an activity to another user, project or month is one Put and every index follows it:

- GSI1 (by member):  GSI1PK = keys.user_partition(org, userId),       GSI1SK = ``ACT#<startedAt>#<id>``
- GSI2 (by project): GSI2PK = keys.project_partition(org, projectId), GSI2SK = ``ACT#<startedAt>#<id>`` (only with a project)
- GSI3 (org month):  GSI3PK = keys.month_partition(org, yyyy-mm of startedAt), GSI3SK = ``ACT#<startedAt>#<id>``

(Project memberships share GSI1/GSI2 partitions under ``PROJECT#``/``MEMBER#`` sort prefixes; the
``ACT#`` prefix keeps the two apart.)

Access patterns: by id -> GetItem; user + time range -> Query GSI1; project + time range -> Query
GSI2; organization + month -> Query GSI3 (one partition per month); a member's running timer ->
GetItem of keys.running_timer. No Scan anywhere.

Running timer marker: PK ``ORG#<orgId>``, SK ``TIMER#<userId>`` with activityId and startedAt. It is
created with attribute_not_exists(PK) (or re-pointed with ``activityId = :old``) in the same
transaction that writes the running activity, and deleted with ``activityId = :id`` in the
transaction that stops or deletes it: DynamoDB itself guarantees one running timer per member.

Idempotency record: PK ``ORG#<orgId>``, SK ``IDEMPOTENCY#<userId>#<sha256(key)>`` with requestHash,
activity (the created activity's attributes: the first answer), activityId and ``expiresAt``
(epoch seconds, table TTL); records written before it kept ``activity`` have ``response`` (the
Sandtime answer, whose names are the stored ones) instead. Written with
``attribute_not_exists(PK) OR expiresAt < :now`` in the create's own transaction. DynamoDB TTL
deletes lazily (moto never), so readers also treat an expired record as absent.

Entries fence: PK ``ORG#<orgId>``, SK ``ENTRIES#<userId>`` with ``version``. Read in the write's
BatchGetItem and, under overlapPolicy warn or reject, updated in its transaction to version + 1 on
condition it is still the version read (absent: attribute_not_exists), so the overlap check that
read the member's entries holds at commit (entries_fence).

No shared item takes part in an activity's transaction: every item it touches belongs to one
member (the activity, their timer marker, their idempotency record, their entries fence) or is only ConditionChecked
(project, membership, member). Real DynamoDB cancels concurrent transactions that include the
same item (TransactionConflict), so an organization-wide marker written by every activity write
would turn the 9:00 rush into spurious conflicts.

Two shared marks are therefore written BEFORE the transaction, as plain idempotent writes, each at
most once per Lambda container (note_placement):
- the month marker, PK ``ORG#<orgId>``, SK ``MONTH#<yyyy-mm>`` (keys.time_data_month) with
  ``month``: the months the organization's activities start in, so an organization-wide list walks
  them newest first (months_with_activities). Written first, a month with entries is never
  missing from it; a failed write can leave a listed month empty, which the list tolerates.
- the project's ``hasActivities`` flag (conditioned on the project existing): a project delete
  without cascade is conditioned on its absence, so it cannot race an activity into a deleted
  project.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Collection, Iterable, Iterator, Literal, Mapping, NotRequired, TypedDict, overload

from msgspec import Struct, field

from sandglass import ids, keys, timefmt
from sandglass.context import DELETED
from sandglass.errors import BadRequest, Conflict, DomainError, ValidationFailed
from sandglass.months import month_of, months_between
from sandglass.storage import cursor as cursors
from sandglass.storage import table as db
from sandglass.entities.activities import REGULAR, Activity, IdempotencyRecord, RateRef, RateSnapshot
from sandglass.entities.organizations import Organization
from sandglass.entities.projects import ProjectMembership
from sandglass.repositories import int_ids
from sandglass.repositories.organizations import organization_from_item
from sandglass.repositories.projects import membership_from_item
from sandglass.storage.table import Page, Table
from sandglass.storage.transaction import UnitOfWork

INDEX_ATTRIBUTES = tuple(name for index in (keys.GSI_USER, keys.GSI_PROJECT, keys.GSI_MONTH) for name in (keys.gsi_pk(index), keys.gsi_sk(index)))
_KEY_ATTRIBUTES = {keys.PK, keys.SK, *INDEX_ATTRIBUTES}

IDEMPOTENCY_RACE = "IDEMPOTENCY_RACE"
_CHANGED_MEANWHILE = Conflict("The activity was changed by another request; reload and retry")
_TIMER_RUNNING = Conflict("A timer is already running for this member", code="TIMER_RUNNING")
# What the entries fence raises when another write changed the member's entries after this write's
# overlap check read them: the write reads and decides again.
ENTRIES_CHANGED = "ENTRIES_CHANGED"

# Services type the unit of work they get from unit_of_work() through this module (UnitOfWork is
# re-exported here), never importing storage themselves.

_NOT_ARCHIVED = "(attribute_not_exists(#archived) OR #archived = :false)"

class StoredRate(TypedDict):
    """One kind of an activity's ``rateSnapshot`` as stored (snapshot_attribute)."""

    currency: str
    value: Decimal
    rateId: NotRequired[str]


class StoredSnapshot(TypedDict, total=False):
    revenue: StoredRate
    cost: StoredRate


class ActivityRow(TypedDict):
    """A lean row of an activity (in_range(lean=True), rows): the stored attributes bulk reads
    project, under their stored names, absent ones absent. A plain dict at run time (no object per
    row: reports read up to a million); the keys are declared for the reader and the type checker."""

    id: str
    name: NotRequired[str]
    projectId: NotRequired[str]  # absent: no project
    userId: str
    billable: NotRequired[bool]
    startedAt: str  # UTC text, as stored
    endedAt: NotRequired[str]  # absent while running
    pending: NotRequired[bool]  # True only while running
    rateSnapshot: NotRequired[StoredSnapshot]
    type: NotRequired[str]  # absent: REGULAR


# The attributes bulk reads project: ActivityRow's keys, in its order.
ROW_ATTRIBUTES: tuple[str, ...] = tuple(ActivityRow.__annotations__)
ROW_PROJECTION = ", ".join(f"#a{index}" for index in range(len(ROW_ATTRIBUTES)))
ROW_NAMES = {f"#a{index}": name for index, name in enumerate(ROW_ATTRIBUTES)}


def _stored(org_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """The full item: the activity's attributes plus the keys every index derives from them."""
    activity_id, started_at = attributes["id"], attributes["startedAt"]
    item = {name: value for name, value in attributes.items() if value is not None and name not in _KEY_ATTRIBUTES}
    item.update(keys.activity(org_id, activity_id))
    item[keys.gsi_pk(keys.GSI_USER)] = keys.user_partition(org_id, attributes["userId"])
    item[keys.gsi_sk(keys.GSI_USER)] = keys.activity_member_sort(started_at, activity_id)
    if attributes.get("projectId"):  # a project-less activity is absent from the project index (sparse)
        item[keys.gsi_pk(keys.GSI_PROJECT)] = keys.project_partition(org_id, attributes["projectId"])
        item[keys.gsi_sk(keys.GSI_PROJECT)] = keys.activity_member_sort(started_at, activity_id)
    item[keys.gsi_pk(keys.GSI_MONTH)] = keys.month_partition(org_id, month_of(started_at))
    item[keys.gsi_sk(keys.GSI_MONTH)] = keys.activity_month_sort(started_at, activity_id)
    return item


# --- item <-> entity ---------------------------------------------------------------------------------

def _rate(value: Mapping[str, Any] | None) -> RateRef | None:
    if not value:
        return None
    return RateRef(currency=str(value["currency"]), value=Decimal(str(value["value"])), rate_id=str(value.get("rateId", "")))


def _rate_attribute(rate: RateRef | None) -> dict[str, Any] | None:
    return None if rate is None else {"currency": rate.currency, "value": rate.value, "rateId": rate.rate_id}


def row_of(item: Mapping[str, Any]) -> ActivityRow:
    """A stored activity item (or a stream image) -> its lean row."""
    return {name: item[name] for name in ROW_ATTRIBUTES if name in item}  # type: ignore[return-value]


def snapshot_from(value: Mapping[str, Any] | None) -> RateSnapshot | None:
    """A stored ``rateSnapshot`` map (absent kinds: no window then) -> RateSnapshot; None: none kept."""
    if value is None:
        return None
    return RateSnapshot(revenue=_rate(value.get("revenue")), cost=_rate(value.get("cost")))


def snapshot_attribute(snapshot: RateSnapshot | None) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    kinds = {"revenue": _rate_attribute(snapshot.revenue), "cost": _rate_attribute(snapshot.cost)}
    return {kind: rate for kind, rate in kinds.items() if rate is not None}


def from_item(item: Mapping[str, Any]) -> Activity:
    """A stored activity item (index keys or not) -> the entity."""
    return Activity(
        id=item["id"], user_id=item["userId"], project_id=item.get("projectId"), started_at=timefmt.parse(item["startedAt"]),
        ended_at=timefmt.parse_stored(item.get("endedAt")), name=item.get("name", ""), billable=bool(item.get("billable", False)),
        locked=bool(item.get("locked")), version=int(item.get("version", 1)),
        created_at=timefmt.parse_stored(item.get("createdAt")), created_by=item.get("createdBy"),
        updated_at=timefmt.parse_stored(item.get("updatedAt")), updated_by=item.get("updatedBy"),
        rate_snapshot=snapshot_from(item.get("rateSnapshot")), geofence_id=item.get("geofenceId"), rerate_id=item.get("rerateId"),
        task_id=item.get("taskId"), tag_ids=tuple(item.get("tagIds") or ()), type=item.get("type") or REGULAR,
        notes=item.get("notes", ""), booking_ids=tuple(int(booking) for booking in item.get("bookingIds") or ()),
        number=int(item["number"]) if item.get("number") is not None else None,
    )


def attributes_of(activity: Activity) -> dict[str, Any]:
    """The entity -> its stored attributes (absent ones None; `pending` only while running, `locked` only when set)."""
    return {
        "id": activity.id, "name": activity.name, "projectId": activity.project_id, "userId": activity.user_id,
        "billable": activity.billable, "startedAt": timefmt.iso(activity.started_at),
        "endedAt": timefmt.iso(activity.ended_at) if activity.ended_at else None,
        "pending": True if activity.running else None, "locked": True if activity.locked else None, "version": activity.version,
        "createdAt": timefmt.iso(activity.created_at) if activity.created_at else None, "createdBy": activity.created_by,
        "updatedAt": timefmt.iso(activity.updated_at) if activity.updated_at else None, "updatedBy": activity.updated_by,
        "rateSnapshot": snapshot_attribute(activity.rate_snapshot), "geofenceId": activity.geofence_id, "rerateId": activity.rerate_id,
        "taskId": activity.task_id, "tagIds": list(activity.tag_ids) or None,
        "type": None if activity.type == REGULAR else activity.type,  # absent: REGULAR
        "notes": activity.notes or None, "bookingIds": list(activity.booking_ids) or None, "number": activity.number,
    }


def to_item(org_id: str, activity: Activity) -> dict[str, Any]:
    """The entity -> the full item, index keys included."""
    return _stored(org_id, attributes_of(activity))


def idempotency_item(record: IdempotencyRecord) -> dict[str, Any]:
    """A create's idempotency record -> its attributes (without keys)."""
    activity = record.activity
    return {"userId": record.user_id, "keyHash": record.key_hash, "requestHash": record.request_hash,
            "activity": {name: value for name, value in attributes_of(activity).items() if value is not None},
            "activityId": activity.id, "number": activity.number, "version": activity.version, "createdAt": timefmt.iso(record.created_at),
            "overlapping": list(record.overlapping), "expiresAt": int(record.expires_at.timestamp())}


def idempotency_from_item(item: Mapping[str, Any]) -> IdempotencyRecord:
    kept = item.get("activity")
    if kept is None:  # written before records kept the activity: its Sandtime answer, under the stored names
        kept = {**item["response"], "version": item.get("version", 1), "number": item.get("number")}
    return IdempotencyRecord(
        user_id=item["userId"], key_hash=item["keyHash"], request_hash=item.get("requestHash"), activity=from_item(kept),
        overlapping=tuple(item.get("overlapping") or ()), created_at=timefmt.parse(item["createdAt"]),
        expires_at=datetime.fromtimestamp(int(item.get("expiresAt", 0)), timezone.utc))


class TimerMarker(Struct, frozen=True):
    """A member's running-timer marker: which activity runs, since when (UTC text)."""

    user_id: str
    activity_id: str
    started_at: str


def marker_from_item(item: Mapping[str, Any] | None) -> TimerMarker | None:
    return None if item is None else TimerMarker(item["userId"], item["activityId"], str(item.get("startedAt", "")))


class ReadSet(Struct):
    organization: Organization | None = None
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    memberships: dict[tuple[str, str], ProjectMembership] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    timers: dict[str, TimerMarker] = field(default_factory=dict)
    idempotency: IdempotencyRecord | None = None
    extra: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # write guards' items, by (PK, SK)

    def add(self, kind: str, ref: Any, item: dict[str, Any]) -> None:
        """One item read for the set, filed where its kind belongs (`ref`: what it is of)."""
        if kind == "organization":
            self.organization = None if item.get("status") == DELETED else organization_from_item(item)  # tombstoned: as gone
        elif kind == "project":
            self.projects[ref] = item
        elif kind == "membership":
            self.memberships[ref] = membership_from_item(item)
        elif kind == "user":
            self.users[ref] = item
        elif kind == "timer":
            self.timers[ref] = marker_from_item(item)
        elif kind == "extra":
            self.extra[(item[keys.PK], item[keys.SK])] = item
        else:
            self.idempotency = idempotency_from_item(item)


def _wanted(org_id: str, organization: bool, projects: Iterable[str], memberships: Iterable[tuple[str, str]], users: Iterable[str],
            timers: Iterable[str], idempotency: tuple[str, str] | None, extra: Iterable[Mapping[str, str]]) -> dict[tuple[str, str], tuple[str, Any]]:
    """The keys a read set reads, by (PK, SK), each with its kind and what it is of; a key named twice is read once."""
    named: list[tuple[Mapping[str, str], str, Any]] = [(keys.organization(org_id), "organization", None)] if organization else []
    named += [(keys.project(org_id, project_id), "project", project_id) for project_id in projects]
    named += [(keys.project_member(org_id, project_id, ids.project_member_id(project_id, user_id)), "membership", (project_id, user_id))
              for project_id, user_id in memberships]
    named += [(keys.user(org_id, user_id), "user", user_id) for user_id in users]
    named += [(keys.running_timer(org_id, user_id), "timer", user_id) for user_id in timers]
    named += [(keys.idempotency(org_id, *idempotency), "idempotency", None)] if idempotency else []
    named += [(key, "extra", None) for key in extra]
    wanted: dict[tuple[str, str], tuple[str, Any]] = {}
    for key, kind, ref in named:
        wanted.setdefault((key[keys.PK], key[keys.SK]), (kind, ref))
    return wanted


class ActivityRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads ------------------------------------------------------------------------------
    def get(self, org_id: str, activity_id: str) -> Activity | None:
        item = self.table.get(keys.activity(org_id, activity_id))
        return None if item is None else from_item(item)

    def project_membership(self, org_id: str, project_id: str, user_id: str) -> ProjectMembership | None:
        item = self.table.get(keys.project_member(org_id, project_id, ids.project_member_id(project_id, user_id)))
        return None if item is None else membership_from_item(item)

    def running_timer(self, org_id: str, user_id: str) -> TimerMarker | None:
        return marker_from_item(self.table.get(keys.running_timer(org_id, user_id)))

    def idempotency_record(self, org_id: str, user_id: str, key_hash: str) -> IdempotencyRecord | None:
        item = self.table.get(keys.idempotency(org_id, user_id, key_hash))
        return None if item is None else idempotency_from_item(item)

    def read_set(
        self,
        org_id: str,
        *,
        organization: bool = True,
        projects: Iterable[str] = (),
        memberships: Iterable[tuple[str, str]] = (),
        users: Iterable[str] = (),
        timers: Iterable[str] = (),
        idempotency: tuple[str, str] | None = None,
        extra: Iterable[Mapping[str, str]] = (),
    ) -> ReadSet:
        """Everything a write decides on, in ONE strongly consistent BatchGetItem: settings,
        projects, project memberships (project, user), members, timer markers, the idempotency
        record (a timer marker read stale would make a start conflict for no reason) and the
        `extra` items write guards name (e.g. lock state), returned in `extra` by (PK, SK)."""
        wanted = _wanted(org_id, organization, projects, memberships, users, timers, idempotency, extra)
        found = ReadSet()
        if wanted:
            for item in self.table.batch_get([{keys.PK: pk, keys.SK: sk} for pk, sk in wanted], consistent=True):
                found.add(*wanted[(item[keys.PK], item[keys.SK])], item)
        return found

    # --- staging one write (services commit the unit of work) -----------------------------------
    def next_number(self, org_id: str) -> int:
        """A new activity's integer id (from this container's block: repositories/int_ids.py)."""
        return int_ids.IntIdRepository(self.table).mint(org_id, "activity")

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.table)

    def commit(self, tx: UnitOfWork) -> None:
        """Commit one activity write's unit of work (all or nothing)."""
        tx.commit()

    def stage_create(self, tx: UnitOfWork, org_id: str, activity: Activity) -> None:
        tx.put(to_item(org_id, activity), "attribute_not_exists(PK)", fail=Conflict("An activity with this id already exists"))
        int_ids.stage_alias(tx, org_id, "activity", activity.number, activity.id)

    def stage_update(self, tx: UnitOfWork, org_id: str, before: Activity, after: Activity, *, fail: DomainError | None = None,
                     require_running: bool = False) -> None:
        """Replace `before` by `after` (one Put: every index key follows), if its version is still
        before's (and, with `require_running`, it still runs); else `fail`."""
        condition, names, values = self._unchanged(before, require_running)
        tx.put(to_item(org_id, after), condition, names, values, fail=fail or _CHANGED_MEANWHILE)

    def stage_delete(self, tx: UnitOfWork, org_id: str, activity: Activity, *, fail: DomainError | None = None) -> None:
        condition, names, values = self._unchanged(activity, False)
        tx.delete(keys.activity(org_id, activity.id), condition, names, values, fail=fail or _CHANGED_MEANWHILE)
        int_ids.stage_alias_removal(tx, org_id, "activity", activity.number, activity.id)

    @staticmethod
    def _unchanged(activity: Activity, require_running: bool) -> tuple[str, dict[str, str], dict[str, Any]]:
        condition, names, values = "#v = :expected", {"#v": "version"}, {":expected": activity.version}
        if require_running:
            condition += " AND #p = :true"
            names["#p"] = "pending"
            values[":true"] = True
        return condition, names, values

    def stage_timer_claim(self, tx: UnitOfWork, org_id: str, activity: Activity, *, replacing: str | None = None,
                          fail: DomainError | None = None) -> None:
        """`activity` (running) takes its member's marker: a fresh claim (attribute_not_exists), or
        a re-point from the timer it replaces (``activityId = :old``)."""
        item = {**keys.running_timer(org_id, activity.user_id), "userId": activity.user_id, "activityId": activity.id,
                "startedAt": timefmt.iso(activity.started_at)}
        lost = fail or _TIMER_RUNNING
        if replacing is not None:
            tx.put(item, "activityId = :old", values={":old": replacing}, fail=lost)
        else:
            tx.put(item, "attribute_not_exists(PK)", fail=lost)

    def stage_timer_release(self, tx: UnitOfWork, org_id: str, user_id: str, activity_id: str, *, fail: DomainError | None = None) -> None:
        tx.delete(keys.running_timer(org_id, user_id), "activityId = :id", values={":id": activity_id}, fail=fail or _TIMER_RUNNING)

    def stage_idempotency_record(self, tx: UnitOfWork, org_id: str, record: IdempotencyRecord, *, now_epoch: int) -> None:
        """The create's first answer under its Idempotency-Key (absent or expired before)."""
        tx.put({**keys.idempotency(org_id, record.user_id, record.key_hash), **idempotency_item(record)},
               "attribute_not_exists(PK) OR expiresAt < :now", values={":now": now_epoch},
               fail=Conflict("A request with this Idempotency-Key is in progress", code=IDEMPOTENCY_RACE))

    def stage_assignment_checks(self, tx: UnitOfWork, org_id: str, project_id: str | None, user_id: str, *, membership: bool,
                                member: bool) -> None:
        """What an activity's (project, member) pair needs at commit time, checked in its
        transaction (the reads that decided the request may be overtaken by a concurrent archive,
        removal or purge):
        - with `membership` (members' own writes), the member's project membership is still active.
          The project item itself is not checked then: every member's writes would include it,
          and DynamoDB cancels concurrent transactions that share an item, so a busy project's
          9:00 rush would conflict. A project archived or deleted in the milliseconds between the
          (strongly consistent) read and the commit can thus still receive that one entry; a
          cascading delete's purge pages remove it with the rest.
        - without it (organization Administrators' writes, which need no membership), the project
          exists and is not archived;
        - with `member`, the member is an active member of the organization.
        A project-less activity (`project_id` None) has no project or membership to check."""
        archived = {"#archived": "archived"}
        if project_id is None:
            pass
        elif membership:
            tx.check(keys.project_member(org_id, project_id, ids.project_member_id(project_id, user_id)),
                     f"attribute_exists(PK) AND {_NOT_ARCHIVED}", archived, {":false": False},
                     fail=ValidationFailed.field("projectId", "The user is no longer a member of this project"))
        else:
            tx.check(keys.project(org_id, project_id), f"attribute_exists(PK) AND {_NOT_ARCHIVED}", archived, {":false": False},
                     fail=ValidationFailed.field("projectId", "The project was archived or deleted meanwhile"))
        if member:
            tx.check(keys.user(org_id, user_id), f"attribute_exists(PK) AND {_NOT_ARCHIVED} AND #status <> :deleted",
                     {**archived, "#status": "status"}, {":false": False, ":deleted": DELETED},
                     fail=ValidationFailed.field("userId", "No such active member in this organization"))

    # --- the overlap check's fence -----------------------------------------------------------
    @staticmethod
    def entries_fence_key(org_id: str, user_id: str) -> dict[str, str]:
        """The item to read (in the write's read_set, as `extra`) with the overlap check's Query."""
        return keys.entries_fence(org_id, user_id)

    def stage_entries_fence(self, tx: UnitOfWork, org_id: str, user_id: str, reads: ReadSet) -> None:
        """Bump the member's entries fence in the write's transaction, if it still holds the
        version read in `reads` (absent: attribute_not_exists). Two writes of one member that both
        checked against the same entries cannot both commit: the second fails with ENTRIES_CHANGED
        (or TransactionConflict, retried by the table, then that)."""
        key = keys.entries_fence(org_id, user_id)
        seen = reads.extra.get((key[keys.PK], key[keys.SK]))
        fail = Conflict("This member's entries changed meanwhile; retry", code=ENTRIES_CHANGED)
        update = "SET #v = :next, userId = :user"
        if seen is None:
            tx.update(key, update, {"#v": "version"}, {":next": 1, ":user": user_id}, "attribute_not_exists(PK)", fail=fail)
            return
        version = int(seen.get("version", 0))
        tx.update(key, update, {"#v": "version"}, {":next": version + 1, ":seen": version, ":user": user_id}, "#v = :seen", fail=fail)

    # --- the shared marks written before the transaction -----------------------------------------
    def note_placement(self, org_id: str, activity: Activity, *, project_marked: bool) -> None:
        """The two shared marks an activity's placement needs (module doc), written BEFORE its
        transaction, deliberately outside it: the month marker of its start and, unless
        `project_marked`, the project's hasActivities flag (raises 422 when the project is gone)."""
        self.note_months(org_id, {month_of(activity.started_at)})
        if not project_marked and activity.project_id is not None:
            self.note_project_used(org_id, activity.project_id)

    # --- re-rating -------------------------------------------------------------------------------
    def set_rate_snapshot(self, org_id: str, activity_id: str, expected_version: int, snapshot: RateSnapshot, *,
                          at: str, by: str, rerate_id: str) -> None:
        """Replace one activity's rateSnapshot (an applied re-rate), if its version is unchanged."""
        snapshot = snapshot_attribute(snapshot)
        self.table.update(keys.activity(org_id, activity_id),
                          "SET rateSnapshot = :snapshot, #v = #v + :one, updatedAt = :at, updatedBy = :by, rerateId = :rerate",
                          {"#v": "version"}, {":snapshot": snapshot, ":one": 1, ":at": at, ":by": by, ":rerate": rerate_id,
                                              ":expected": expected_version},
                          condition="#v = :expected",
                          fail=Conflict("An activity changed during the re-rate; preview and apply again", code="RERATE_CONFLICT"))

    def get_many(self, org_id: str, activity_ids: list[str]) -> list[Activity]:
        """Activities by id (BatchGetItem, 100 keys per call), strongly consistent."""
        return [from_item(item) for item in self.table.batch_get([keys.activity(org_id, activity_id) for activity_id in activity_ids], consistent=True)]

    # --- the organization's months -------------------------------------------------------------
    def note_months(self, org_id: str, months: Iterable[str]) -> None:
        """Record that activities start in `months` (keys.time_data_month): an unconditional PutItem,
        idempotent, outside any transaction, skipped for months this container already noted.
        Written before the activity, so a listed month can be empty (its entries were moved or the
        write failed) but a month with entries is never missing."""
        for month in sorted(months):
            if (org_id, month) in _NOTED_MONTHS:
                continue
            self.table.put({**keys.time_data_month(org_id, month), "month": month})
            _NOTED_MONTHS.add((org_id, month))

    def note_project_used(self, org_id: str, project_id: str) -> None:
        """Mark the project as holding time data (`hasActivities`), once, before its first
        activity's transaction: a project delete without cascade is conditioned on the mark's
        absence, so it can never race an activity into a deleted project (the mark is set on an
        existing project only: after a delete this fails and so does the write). Outside the
        transaction and set once, so a busy project's entries never share the item."""
        if (org_id, project_id) in _USED_PROJECTS:
            return
        self.table.update(keys.project(org_id, project_id), "SET hasActivities = :true", values={":true": True},
                          condition="attribute_exists(PK)", fail=ValidationFailed.field("projectId", "The project was deleted meanwhile"))
        _USED_PROJECTS.add((org_id, project_id))

    def months_with_activities(self, org_id: str) -> list[str]:
        """Every ``yyyy-mm`` the organization's activities ever started in, oldest first (one Query
        per 1 MB of month markers: a dozen a year)."""
        return [item["month"] for items in self.table.query_all(
            key_condition=db.key_condition(sort="prefix"), values={":pk": keys.org_pk(org_id), ":prefix": keys.TIME_DATA_MONTH_PREFIX},
            consistent=True) for item in items]

    def list_newest_first(self, org_id: str, months: list[str], *, pending: bool | None = None, limit: int, cursor: str | None,
                          months_per_request: int = 12) -> ActivityPage:
        """The organization's activities, newest first, walking `months` from the last one back.
        The cursor names the month it stopped in (not its position), so months noted between two
        pages never invalidate it. At most `months_per_request` month partitions are read per
        request (a page may be short and still carry a cursor)."""
        condition = _Filter(pending)
        scope = f"activities:newest:{condition.scope}"
        newest = sorted(months, reverse=True)
        position, inner = 0, None
        if cursor:
            state = cursors.decode(cursor, org_id=org_id, scope=scope)
            month, inner = state.get("m"), state.get("c")
            if not isinstance(month, str) or not (inner is None or isinstance(inner, str)):
                raise BadRequest("The cursor is malformed, expired or belongs to another query", code="INVALID_CURSOR")
            position = next((index for index, candidate in enumerate(newest) if candidate <= month), len(newest))
            if position < len(newest) and newest[position] != month:
                inner = None
        items: list[dict[str, Any]] = []
        pages = 0
        while position < len(newest) and pages < months_per_request:
            month = newest[position]
            page = self.table.query_page(
                org_id=org_id, scope=f"{scope}:{month}", index=keys.GSI_MONTH,
                key_condition=db.key_condition(keys.GSI_MONTH, "prefix"),
                values={":pk": keys.month_partition(org_id, month), ":prefix": keys.ACTIVITY_INDEX_PREFIX, **condition.values},
                names=condition.names or None, filter_expression=condition.expression,
                limit=limit - len(items), cursor=inner, forward=False)
            pages += 1
            items.extend(page.items)
            if page.cursor:
                return ActivityPage(entities(items), cursors.encode({"m": month, "c": page.cursor}, org_id=org_id, scope=scope), pages)
            position, inner = position + 1, None
            if len(items) >= limit:
                break
        more = cursors.encode({"m": newest[position], "c": None}, org_id=org_id, scope=scope) if position < len(newest) else None
        return ActivityPage(entities(items), more, pages)

    # --- lists ------------------------------------------------------------------------------
    def list_of_user(self, org_id: str, user_id: str, window: TimeWindow, *, pending: bool | None = None,
                     projects: Collection[str] | None = None, limit: int, cursor: str | None, newest_first: bool = False) -> ActivityPage:
        """A member's activities starting in `window` (their GSI1 partition), optionally only those
        on `projects` (filtered inside the partition: it never reads other members' entries);
        in start order, or newest first."""
        return self._list_partition(org_id, keys.GSI_USER, keys.user_partition(org_id, user_id), window,
                                    pending=pending, projects=projects, limit=limit, cursor=cursor, forward=not newest_first)

    def list_of_project(self, org_id: str, project_id: str, window: TimeWindow, *, pending: bool | None = None,
                        limit: int, cursor: str | None) -> ActivityPage:
        """Every member's activities on one project starting in `window` (its GSI2 partition)."""
        return self._list_partition(org_id, keys.GSI_PROJECT, keys.project_partition(org_id, project_id), window,
                                    pending=pending, limit=limit, cursor=cursor)

    def list_of_months(self, org_id: str, months: list[str], window: TimeWindow, *, pending: bool | None = None,
                       limit: int, cursor: str | None) -> ActivityPage:
        """The organization's activities starting in `window`, over its month partitions (GSI3), in
        start order. One Query per month partition touched, and a request moves on to the next
        month only while its page is not full. The cursor (signed, bound to the query) carries the
        month and the position inside it."""
        condition = _Filter(pending)
        outer_scope = f"activities:months:{','.join(months)}:{window.lower}:{window.upper}:{condition.scope}"
        position, inner = 0, None
        if cursor:
            state = cursors.decode(cursor, org_id=org_id, scope=outer_scope)
            position, inner = state.get("m"), state.get("c")
            if not isinstance(position, int) or not 0 <= position < len(months) or not (inner is None or isinstance(inner, str)):
                raise BadRequest("The cursor is malformed, expired or belongs to another query", code="INVALID_CURSOR")
        items: list[dict[str, Any]] = []
        pages = 0
        while position < len(months):
            month = months[position]
            page = self._query_window(org_id, keys.GSI_MONTH, keys.month_partition(org_id, month), window, condition,
                                      scope=f"{outer_scope}:{month}", limit=limit - len(items), cursor=inner)
            pages += 1
            items.extend(page.items)
            if page.cursor:
                return ActivityPage(entities(items), cursors.encode({"m": position, "c": page.cursor}, org_id=org_id, scope=outer_scope), pages)
            position, inner = position + 1, None
            if len(items) >= limit and position < len(months):
                return ActivityPage(entities(items), cursors.encode({"m": position, "c": None}, org_id=org_id, scope=outer_scope), pages)
        return ActivityPage(entities(items), None, pages)

    def latest_of_user(self, org_id: str, user_id: str) -> Activity | None:
        """The member's activity with the latest start, or None: one Query, newest first, Limit 1."""
        page = self.table.query_page(
            org_id=org_id, scope="activities:latest", index=keys.GSI_USER,
            key_condition=db.key_condition(keys.GSI_USER, "between"),
            values={":pk": keys.user_partition(org_id, user_id), ":lo": keys.ACTIVITY_INDEX_PREFIX + OPEN_LOWER,
                    ":hi": keys.ACTIVITY_INDEX_PREFIX + OPEN_UPPER},
            limit=1, forward=False)
        return from_item(page.items[0]) if page.items else None

    def starting_between(self, org_id: str, user_id: str, lower: str, upper: str) -> list[Activity]:
        """Every activity of the member with ``lower <= startedAt <= upper`` (their GSI1 partition,
        one Query per 1 MB): the entries a new interval may overlap (the overlap policy)."""
        return [from_item(item) for items in self.table.query_all(
            index=keys.GSI_USER, key_condition=db.key_condition(keys.GSI_USER, "between"),
            values={":pk": keys.user_partition(org_id, user_id), ":lo": keys.ACTIVITY_INDEX_PREFIX + lower,
                    ":hi": keys.ACTIVITY_INDEX_PREFIX + upper}) for item in items]

    # --- ranges (the one range read: lists above, reports, timesheets, re-rates) -------------
    @overload
    def in_range(self, org_id: str, window: TimeWindow, *, user_id: str | None = None, project_id: str | None = None,
                 lean: Literal[True]) -> Iterator[list[ActivityRow]]: ...

    @overload
    def in_range(self, org_id: str, window: TimeWindow, *, user_id: str | None = None, project_id: str | None = None,
                 lean: Literal[False] = False) -> Iterator[list[Activity]]: ...

    def in_range(self, org_id: str, window: TimeWindow, *, user_id: str | None = None, project_id: str | None = None,
                 lean: bool = False) -> Iterator[list[ActivityRow]] | Iterator[list[Activity]]:
        """Every activity with ``window.lower <= startedAt < window.upper``, page by page (no Limit:
        up to 1 MB a Query page): a member's (GSI_USER) with `user_id`, a project's (GSI_PROJECT)
        with `project_id`, else the organization's month partitions (GSI_MONTH, one per UTC month
        the window touches; the window then needs real bounds).

        `lean`: pages of ActivityRow, plain dicts of ROW_ATTRIBUTES only (a ProjectionExpression, decoded
        without boto3's deserializer: Table.query_all(lean=True)), for bulk reads that never write
        back (reports, timesheets). Otherwise pages of Activity entities."""
        if user_id is not None and project_id is not None:
            raise ValueError("in_range reads one partition: a member's or a project's, not both")
        if user_id is not None:
            partitions = [(keys.GSI_USER, keys.user_partition(org_id, user_id))]
        elif project_id is not None:
            partitions = [(keys.GSI_PROJECT, keys.project_partition(org_id, project_id))]
        else:
            partitions = [(keys.GSI_MONTH, keys.month_partition(org_id, month)) for month in months_between(window.lower, window.upper)]
        for index, partition in partitions:
            for items in self.table.query_all(
                # BETWEEN on "ACT#<startedAt>#<id>": the upper bound without "#<id>" sorts before
                # every key that starts at `upper`, so the range is lower <= startedAt < upper
                key_condition=db.key_condition(index, "between"),
                values={":pk": partition, ":lo": keys.activity_sort_bound(window.lower), ":hi": keys.activity_sort_bound(window.upper)},
                index=index,
                **({"names": ROW_NAMES, "projection": ROW_PROJECTION, "lean": True} if lean else {}),
            ):
                yield items if lean else [from_item(item) for item in items]

    def rows(self, org_id: str, activity_ids: Collection[str]) -> list[ActivityRow]:
        """Activities by id as lean rows (ROW_ATTRIBUTES; one BatchGetItem per 100, eventually consistent)."""
        if not activity_ids:
            return []
        return [row_of(item) for item in self.table.batch_get([keys.activity(org_id, activity_id) for activity_id in activity_ids])]

    def running_markers(self, org_id: str, *, page_size: int | None = None) -> list[TimerMarker]:
        """Every running-timer marker of the organization: one Query of its partition's ``TIMER#``
        range per page."""
        return [marker_from_item(item) for items in self.table.query_all(
            key_condition=db.key_condition(sort="prefix"), values={":pk": keys.org_pk(org_id), ":prefix": keys.TIMER_SK_PREFIX},
            page_size=page_size) for item in items]

    def _list_partition(self, org_id: str, index: str, partition: str, window: TimeWindow, *, pending: bool | None,
                        projects: Collection[str] | None = None, limit: int, cursor: str | None, forward: bool = True) -> ActivityPage:
        condition = _Filter(pending, projects)
        scope = f"activities:{index}:{partition}:{window.lower}:{window.upper}:{condition.scope}" + ("" if forward else ":newest")
        page = self._query_window(org_id, index, partition, window, condition, scope=scope, limit=limit, cursor=cursor, forward=forward)
        return ActivityPage(condition.keep(entities(page.items)), page.cursor, 1)

    def _query_window(self, org_id: str, index: str, partition: str, window: TimeWindow, condition: "_Filter", *,
                      scope: str, limit: int, cursor: str | None, forward: bool = True) -> Page:
        """One Query of an index partition's activities with ``lower <= startedAt < upper``."""
        return self.table.query_page(
            org_id=org_id,
            scope=scope,
            index=index,
            key_condition=f"{keys.gsi_pk(index)} = :pk AND {keys.gsi_sk(index)} BETWEEN :lo AND :hi",
            values={":pk": partition, ":lo": keys.ACTIVITY_INDEX_PREFIX + window.lower,
                    ":hi": keys.ACTIVITY_INDEX_PREFIX + window.upper, **condition.values},
            limit=limit,
            cursor=cursor,
            forward=forward,
            filter_expression=condition.expression,
            names=condition.names or None,
        )


# the open bounds of a time window, as stored UTC text sorts ("0" before any instant, "~" after)
OPEN_LOWER, OPEN_UPPER = "0", "~"


class TimeWindow(Struct, frozen=True):
    """``lower <= startedAt < upper`` as the stored UTC text; the defaults are open bounds."""

    lower: str = OPEN_LOWER
    upper: str = OPEN_UPPER


class ActivityPage(Struct):
    activities: list[Activity]
    cursor: str | None
    pages_read: int = 1


# (org id, month) pairs this container has noted already (note_months): a Lambda container writes
# each month marker once, whatever number of activities it writes into that month.
_NOTED_MONTHS: set[tuple[str, str]] = set()
# (org id, project id) pairs this container has marked as holding activities (note_project_used).
_USED_PROJECTS: set[tuple[str, str]] = set()

# DynamoDB allows at most 100 operands in an IN list; beyond that the page is filtered here.
_MAX_IN_OPERANDS = 100


class _Filter:
    """The FilterExpression of a list (running or stopped only, some projects only)."""

    def __init__(self, pending: bool | None, projects: Collection[str] | None = None):
        parts: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self.projects = frozenset(projects) if projects is not None else None
        if pending is True:
            parts.append("#pending = :pending")
            self.names["#pending"] = "pending"
            self.values[":pending"] = True
        elif pending is False:
            parts.append("attribute_not_exists(#pending)")
            self.names["#pending"] = "pending"
        if self.projects is not None and len(self.projects) <= _MAX_IN_OPERANDS:
            placeholders = []
            for index, project_id in enumerate(sorted(self.projects)):
                self.values[f":p{index}"] = project_id
                placeholders.append(f":p{index}")
            parts.append(f"#project IN ({', '.join(placeholders)})")
            self.names["#project"] = "projectId"
        self.expression = " AND ".join(f"({part})" for part in parts) or None
        self.scope = f"{pending}:{sorted(self.projects) if self.projects is not None else '*'}"

    def keep(self, activities: list[Activity]) -> list[Activity]:
        if self.projects is None or len(self.projects) <= _MAX_IN_OPERANDS:
            return activities
        return [activity for activity in activities if activity.project_id in self.projects]


def entities(items: list[dict[str, Any]]) -> list[Activity]:
    return [from_item(item) for item in items]
