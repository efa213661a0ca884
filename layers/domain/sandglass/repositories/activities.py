"""Activities (time entries), running-timer markers and create idempotency records.

Storage decisions
-----------------
Base item: PK ``ORG#<orgId>``, SK ``ACTIVITY#<activityId>`` (keys.activity). Living in the
organization's root partition means the org purge's partition sweep deletes it.

Attributes: id, name, projectId, userId, billable, startedAt, endedAt (absent while running),
pending (True only while running; removed when stopped), locked (only when set), version,
createdAt, createdBy, updatedAt, updatedBy. Instants are stored as the API's UTC text
(``2026-07-03T08:30:00.000Z``), which sorts chronologically as a string.

Index keys, recomputed from the attributes on every write (``_stored``), so an update that moves
an activity to another user, project or month is one Put and every index follows it:

- GSI1 (by member):  GSI1PK = keys.user_partition(org, userId),       GSI1SK = ``ACT#<startedAt>#<id>``
- GSI2 (by project): GSI2PK = keys.project_partition(org, projectId), GSI2SK = ``ACT#<startedAt>#<id>``
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
response (the first answer), activityId and ``expiresAt`` (epoch seconds, table TTL). Written with
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
would turn the 9:00 rush into spurious conflicts. (Activities used to register their month with a
``MONTH#`` marker; every activity lives in the ``ORG#<orgId>`` item collection, which the
organization purge deletes page by page, so the marker was dropped.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Collection, Iterable, Mapping

from sandglass import ids, keys
from sandglass.context import DELETED
from sandglass.errors import BadRequest, Conflict, DomainError, ValidationFailed
from sandglass.storage import cursor as cursors
from sandglass.storage import table as db
from sandglass.storage.table import Op, Page, Table

INDEX_ATTRIBUTES = tuple(name for index in (keys.GSI_USER, keys.GSI_PROJECT, keys.GSI_MONTH) for name in (keys.gsi_pk(index), keys.gsi_sk(index)))
_KEY_ATTRIBUTES = {keys.PK, keys.SK, *INDEX_ATTRIBUTES}

IDEMPOTENCY_RACE = "IDEMPOTENCY_RACE"
# What the entries fence raises when another write changed the member's entries after this write's
# overlap check read them: the write reads and decides again.
ENTRIES_CHANGED = "ENTRIES_CHANGED"

# A condition that must hold for an activity write to commit (a ConditionCheck in its transaction).
# Services pass these along without looking inside; repositories build them.
WriteCondition = Op

_NOT_ARCHIVED = "(attribute_not_exists(#archived) OR #archived = :false)"


def month_of(started_at: str) -> str:
    return started_at[:7]


def _entity(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {name: value for name, value in item.items() if name not in _KEY_ATTRIBUTES}


def _stored(org_id: str, activity: dict[str, Any]) -> dict[str, Any]:
    """The full item: the activity's attributes plus the keys every index derives from them."""
    activity_id, started_at = activity["id"], activity["startedAt"]
    item = {name: value for name, value in activity.items() if value is not None and name not in _KEY_ATTRIBUTES}
    item.update(keys.activity(org_id, activity_id))
    item[keys.gsi_pk(keys.GSI_USER)] = keys.user_partition(org_id, activity["userId"])
    item[keys.gsi_sk(keys.GSI_USER)] = keys.activity_member_sort(started_at, activity_id)
    item[keys.gsi_pk(keys.GSI_PROJECT)] = keys.project_partition(org_id, activity["projectId"])
    item[keys.gsi_sk(keys.GSI_PROJECT)] = keys.activity_member_sort(started_at, activity_id)
    item[keys.gsi_pk(keys.GSI_MONTH)] = keys.month_partition(org_id, month_of(started_at))
    item[keys.gsi_sk(keys.GSI_MONTH)] = keys.activity_month_sort(started_at, activity_id)
    return item


@dataclass
class ActivityChange:
    """One activity write: create (before None), update (both), delete (after None).

    `expected_version` guards updates and deletes; `fail` is what a failed guard raises (412 for
    a stale If-Match, 409 for a concurrent change); `require_running` adds ``pending = true``.
    """

    before: dict[str, Any] | None
    after: dict[str, Any] | None
    expected_version: int | None = None
    fail: DomainError | None = None
    require_running: bool = False

    @property
    def activity_id(self) -> str:
        return (self.after or self.before)["id"]


@dataclass
class TimerChange:
    """Claim (or re-point from `replacing`) or release a member's running-timer marker."""

    action: str  # claim | release
    user_id: str
    activity_id: str
    started_at: str | None = None
    replacing: str | None = None
    fail: DomainError | None = None


@dataclass
class ReadSet:
    organization: dict[str, Any] | None = None
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    memberships: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    timers: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotency: dict[str, Any] | None = None
    extra: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # write guards' items, by (PK, SK)


class ActivityRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads ------------------------------------------------------------------------------
    def get(self, org_id: str, activity_id: str) -> dict[str, Any] | None:
        return _entity(self.table.get(keys.activity(org_id, activity_id)))

    def project_membership(self, org_id: str, project_id: str, user_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.project_member(org_id, project_id, ids.project_member_id(project_id, user_id)))

    def running_timer(self, org_id: str, user_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.running_timer(org_id, user_id))

    def idempotency_record(self, org_id: str, user_id: str, key_hash: str) -> dict[str, Any] | None:
        return self.table.get(keys.idempotency(org_id, user_id, key_hash))

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
        wanted: dict[tuple[str, str], tuple[str, Any]] = {}

        def want(key: dict[str, str], kind: str, ref: Any) -> None:
            wanted.setdefault((key[keys.PK], key[keys.SK]), (kind, ref))

        if organization:
            want(keys.organization(org_id), "organization", None)
        for project_id in projects:
            want(keys.project(org_id, project_id), "project", project_id)
        for project_id, user_id in memberships:
            want(keys.project_member(org_id, project_id, ids.project_member_id(project_id, user_id)), "membership", (project_id, user_id))
        for user_id in users:
            want(keys.user(org_id, user_id), "user", user_id)
        for user_id in timers:
            want(keys.running_timer(org_id, user_id), "timer", user_id)
        if idempotency:
            want(keys.idempotency(org_id, *idempotency), "idempotency", None)
        for key in extra:
            want(key, "extra", None)
        found = ReadSet()
        if not wanted:
            return found
        for item in self.table.batch_get([{keys.PK: pk, keys.SK: sk} for pk, sk in wanted], consistent=True):
            kind, ref = wanted[(item[keys.PK], item[keys.SK])]
            if kind == "organization":
                found.organization = None if item.get("status") == DELETED else item  # tombstoned: as gone
            elif kind == "project":
                found.projects[ref] = item
            elif kind == "membership":
                found.memberships[ref] = item
            elif kind == "user":
                found.users[ref] = item
            elif kind == "timer":
                found.timers[ref] = item
            elif kind == "extra":
                found.extra[(item[keys.PK], item[keys.SK])] = item
            else:
                found.idempotency = item
        return found

    # --- write conditions -------------------------------------------------------------------
    def assignment_conditions(self, org_id: str, project_id: str, user_id: str, *, membership: bool, member: bool) -> list[WriteCondition]:
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
        - with `member`, the member is an active member of the organization."""
        archived = {"#archived": "archived"}
        if membership:
            conditions = [db.check(
                keys.project_member(org_id, project_id, ids.project_member_id(project_id, user_id)),
                f"attribute_exists(PK) AND {_NOT_ARCHIVED}", archived, {":false": False},
                fail=ValidationFailed.field("projectId", "The user is no longer a member of this project"))]
        else:
            conditions = [db.check(keys.project(org_id, project_id), f"attribute_exists(PK) AND {_NOT_ARCHIVED}", archived, {":false": False},
                                   fail=ValidationFailed.field("projectId", "The project was archived or deleted meanwhile"))]
        if member:
            conditions.append(db.check(
                keys.user(org_id, user_id), f"attribute_exists(PK) AND {_NOT_ARCHIVED} AND #status <> :deleted",
                {**archived, "#status": "status"}, {":false": False, ":deleted": DELETED},
                fail=ValidationFailed.field("userId", "No such active member in this organization")))
        return conditions

    # --- the overlap check's fence -----------------------------------------------------------
    @staticmethod
    def entries_fence_key(org_id: str, user_id: str) -> dict[str, str]:
        """The item to read (in the write's read_set, as `extra`) with the overlap check's Query."""
        return keys.entries_fence(org_id, user_id)

    def entries_fence(self, org_id: str, user_id: str, seen: Mapping[str, Any] | None) -> WriteCondition:
        """Bump the member's entries fence in the write's transaction, if it still holds the
        version `seen` (the item read with the overlap check, None: absent). Two writes of one
        member that both checked against the same entries cannot both commit: the second fails
        with ENTRIES_CHANGED (or TransactionConflict, retried by Table.transact, then that)."""
        fail = Conflict("This member's entries changed meanwhile; retry", code=ENTRIES_CHANGED)
        update = "SET #v = :next, userId = :user"
        if seen is None:
            return db.update(keys.entries_fence(org_id, user_id), update, {"#v": "version"}, {":next": 1, ":user": user_id},
                             "attribute_not_exists(PK)", fail=fail)
        version = int(seen.get("version", 0))
        return db.update(keys.entries_fence(org_id, user_id), update, {"#v": "version"},
                         {":next": version + 1, ":seen": version, ":user": user_id}, "#v = :seen", fail=fail)

    # --- the one transaction ----------------------------------------------------------------
    def commit(
        self,
        org_id: str,
        changes: list[ActivityChange],
        *,
        timers: Iterable[TimerChange] = (),
        idempotency: dict[str, Any] | None = None,
        now_epoch: int = 0,
        conditions: Iterable[WriteCondition] = (),
    ) -> None:
        """Write activities, timer markers, the idempotency record and any guard conditions in ONE
        TransactWriteItems (all or nothing). The months the activities land in are noted first,
        outside the transaction (note_months)."""
        self.note_months(org_id, {month_of(change.after["startedAt"]) for change in changes if change.after is not None})
        ops: list[Op] = []
        if idempotency is not None:
            # first, so a racing retry reports this (and the service replays the stored answer)
            ops.append(db.put(
                {**keys.idempotency(org_id, idempotency["userId"], idempotency["keyHash"]), **idempotency},
                "attribute_not_exists(PK) OR expiresAt < :now", values={":now": now_epoch},
                fail=Conflict("A request with this Idempotency-Key is in progress", code=IDEMPOTENCY_RACE),
            ))
        for change in changes:
            ops.append(self._activity_op(org_id, change))
        for timer in timers:
            ops.append(self._timer_op(org_id, timer))
        ops.extend(conditions)
        self.table.transact(ops)

    def _activity_op(self, org_id: str, change: ActivityChange) -> Op:
        stale = change.fail or Conflict("The activity was changed by another request; reload and retry")
        if change.before is None:
            return db.put(_stored(org_id, change.after), "attribute_not_exists(PK)",
                          fail=Conflict("An activity with this id already exists"))
        condition = "#v = :expected"
        names = {"#v": "version"}
        values: dict[str, Any] = {":expected": change.expected_version}
        if change.require_running:
            condition += " AND #p = :true"
            names["#p"] = "pending"
            values[":true"] = True
        if change.after is None:
            return db.delete(keys.activity(org_id, change.before["id"]), condition, names, values, fail=stale)
        return db.put(_stored(org_id, change.after), condition, names, values, fail=stale)

    def _timer_op(self, org_id: str, timer: TimerChange) -> Op:
        key = keys.running_timer(org_id, timer.user_id)
        lost = timer.fail or Conflict("A timer is already running for this member", code="TIMER_RUNNING")
        if timer.action == "release":
            return db.delete(key, "activityId = :id", values={":id": timer.activity_id}, fail=lost)
        item = {**key, "userId": timer.user_id, "activityId": timer.activity_id, "startedAt": timer.started_at}
        if timer.replacing:
            return db.put(item, "activityId = :old", values={":old": timer.replacing}, fail=lost)
        return db.put(item, "attribute_not_exists(PK)", fail=lost)

    # --- re-rating -------------------------------------------------------------------------------
    def set_rate_snapshot(self, org_id: str, activity_id: str, expected_version: int, snapshot: dict[str, Any], *,
                          at: str, by: str, rerate_id: str) -> None:
        """Replace one activity's rateSnapshot (an applied re-rate), if its version is unchanged."""
        self.table.update(keys.activity(org_id, activity_id),
                          "SET rateSnapshot = :snapshot, #v = #v + :one, updatedAt = :at, updatedBy = :by, rerateId = :rerate",
                          {"#v": "version"}, {":snapshot": snapshot, ":one": 1, ":at": at, ":by": by, ":rerate": rerate_id,
                                              ":expected": expected_version},
                          condition="#v = :expected",
                          fail=Conflict("An activity changed during the re-rate; preview and apply again", code="RERATE_CONFLICT"))

    def get_many(self, org_id: str, activity_ids: list[str]) -> list[dict[str, Any]]:
        """Activities by id (BatchGetItem, 100 keys per call), strongly consistent."""
        return [_entity(item) for item in self.table.batch_get([keys.activity(org_id, activity_id) for activity_id in activity_ids], consistent=True)]

    def record_rerate(self, org_id: str, record: dict[str, Any]) -> None:
        self.table.put({**keys.rerate_record(org_id, record["appliedAt"], record["id"]), **record}, "attribute_not_exists(PK)")

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

    def latest_of_user(self, org_id: str, user_id: str) -> dict[str, Any] | None:
        """The member's activity with the latest start, or None: one Query, newest first, Limit 1."""
        page = self.table.query_page(
            org_id=org_id, scope="activities:latest", index=keys.GSI_USER,
            key_condition=db.key_condition(keys.GSI_USER, "between"),
            values={":pk": keys.user_partition(org_id, user_id), ":lo": keys.ACTIVITY_INDEX_PREFIX + TimeWindow.lower,
                    ":hi": keys.ACTIVITY_INDEX_PREFIX + TimeWindow.upper},
            limit=1, forward=False)
        return _entity(page.items[0]) if page.items else None

    def starting_between(self, org_id: str, user_id: str, lower: str, upper: str) -> list[dict[str, Any]]:
        """Every activity of the member with ``lower <= startedAt <= upper`` (their GSI1 partition,
        one Query per 1 MB): the entries a new interval may overlap (the overlap policy)."""
        return [_entity(item) for items in self.table.query_all(
            index=keys.GSI_USER, key_condition=db.key_condition(keys.GSI_USER, "between"),
            values={":pk": keys.user_partition(org_id, user_id), ":lo": keys.ACTIVITY_INDEX_PREFIX + lower,
                    ":hi": keys.ACTIVITY_INDEX_PREFIX + upper}) for item in items]

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


@dataclass(frozen=True)
class TimeWindow:
    """``lower <= startedAt < upper`` as the stored UTC text; the defaults are open bounds."""

    lower: str = "0"
    upper: str = "~"


@dataclass
class ActivityPage:
    activities: list[dict[str, Any]]
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

    def keep(self, activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.projects is None or len(self.projects) <= _MAX_IN_OPERANDS:
            return activities
        return [activity for activity in activities if activity["projectId"] in self.projects]


def entities(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_entity(item) for item in items]
