"""Timesheet locks: explicit locks, temporary unlock windows and the per-member lock version.

Items (all in the organization's root partition, so the organization purge removes them)
----------------------------------------------------------------------------------------
- Member locks, keys.member_locks(org, user): ``userId``, ``version`` (a number), ``days`` (a
  string set of ``yyyy-mm-dd``: the member's 4me-style locked dates, a week or a month lock being
  its days) and one attribute per Sandtime user-week record, ``week#2026-W27`` -> ``{id, year,
  week, unlockedTo?, createdAt, updatedAt}``.
- Organization locks, keys.organization_locks(org): ``version`` and ``days`` (the dates locked for
  the whole organization).
- Week lock pointer, keys.week_lock(org, lockId): ``{id, userId, year, week}``, written in the same
  transaction as the member's record, so DELETE /timesheets/lock/{lockId} is one GetItem away.

Why a per-member version (the concurrency design)
-------------------------------------------------
A User's activity write must never land in a period locked concurrently. The write reads, in its
one BatchGetItem, the organization (time zone, auto-lock watermark), the organization locks and
the member's locks, decides, and ConditionChecks ``version`` of the MEMBER's lock item (or its
absence) in its transaction. Every change that can lock a member's day bumps that version AFTER
(or atomically with) changing what the decision reads:
- a member's lock or unlock window: in the same transaction as the member's item;
- an organization-wide lock or a watermark move: the organization item first, then every
  member's version, one UpdateItem each (rare administrator / scheduled operations).
So a write that read the old state either committed before the member's bump (it precedes the lock
for that member) or fails its ConditionCheck and re-decides on fresh reads (409 PERIOD_LOCKED).
No organization-wide item takes part in an activity transaction: real DynamoDB cancels concurrent
transactions sharing an item (TransactionConflict), which would turn the 9:00 rush into conflicts.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable, Mapping

from sandglass import keys
from sandglass.context import DELETED
from sandglass.entities.locks import LockState, LockStates, WeekApproval, WeekLock
from sandglass.errors import Conflict, NotFound
from sandglass.storage import table as db
from sandglass.storage.table import Op, Table
from sandglass.storage.transaction import UnitOfWork
from sandglass.timefmt import iso, parse_stored

__all__ = ["LOCKS_CHANGED", "LockRepository", "LockState", "LockStates", "WeekApproval", "WeekLock"]

# What a write's lock ConditionCheck raises when a member's locks changed after the write read them.
LOCKS_CHANGED = "LOCKS_CHANGED"

_WEEK_ATTRIBUTE = re.compile(r"^week#(\d{4})-W(\d{2})$")
_APPROVAL_ATTRIBUTE = re.compile(r"^approved#(\d{4})-W(\d{2})$")
PAGE_SIZE = 200


def _week_attribute(year: int, week: int) -> str:
    return f"week#{year:04d}-W{week:02d}"


def _approval_attribute(year: int, week: int) -> str:
    return f"approved#{year:04d}-W{week:02d}"


def _week_lock(value: Mapping[str, Any], user_id: str, year: int, week: int) -> WeekLock:
    return WeekLock(id=str(value["id"]), user_id=user_id, year=year, week=week, unlocked_to=parse_stored(value.get("unlockedTo")),
                    created_at=parse_stored(value.get("createdAt")), updated_at=parse_stored(value.get("updatedAt")))


def _approval(value: Mapping[str, Any]) -> WeekApproval:
    return WeekApproval(request_id=str(value.get("requestId", "")), approved_at=parse_stored(value.get("approvedAt")),
                        approved_by=str(value.get("approvedBy", "")))


def _state(item: Mapping[str, Any] | None, user_id: str | None) -> LockState:
    if item is None:
        return LockState(user_id=user_id)
    weeks, approvals = {}, {}
    for name, value in item.items():
        if not isinstance(value, Mapping):
            continue
        if approved := _APPROVAL_ATTRIBUTE.match(name):
            approvals[(int(approved.group(1)), int(approved.group(2)))] = _approval(value)
        if matched := _WEEK_ATTRIBUTE.match(name):
            year, week = int(matched.group(1)), int(matched.group(2))
            weeks[(year, week)] = _week_lock(value, str(user_id), year, week)
    days = frozenset(date.fromisoformat(day) for day in item.get("days") or ())
    return LockState(user_id=user_id, days=days, weeks=weeks, version=int(item.get("version", 0)), approvals=approvals)


def _record(lock: WeekLock) -> dict[str, Any]:
    record = {"id": lock.id, "year": lock.year, "week": lock.week, "createdAt": iso(lock.created_at), "updatedAt": iso(lock.updated_at)}
    if lock.unlocked_to is not None:
        record["unlockedTo"] = iso(lock.unlocked_to)
    return record


def _unchanged_condition(state: LockState) -> tuple[str, dict[str, str], dict[str, Any] | None]:
    if state.version is None:
        return "attribute_not_exists(#v)", {"#v": "version"}, None
    return "#v = :v", {"#v": "version"}, {":v": state.version}


def _locks_changed() -> Conflict:
    return Conflict("The timesheet locks changed while this request ran; retry", code=LOCKS_CHANGED)


def _approval_record(approval: WeekApproval) -> dict[str, Any]:
    return {"requestId": approval.request_id, "approvedAt": iso(approval.approved_at), "approvedBy": approval.approved_by}


class LockRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- what an activity write reads and checks ------------------------------------------------
    def state_keys(self, org_id: str, user_ids: Iterable[str]) -> list[dict[str, str]]:
        """The items a lock decision for `user_ids` reads (to join a write's BatchGetItem)."""
        return [keys.organization_locks(org_id), *(keys.member_locks(org_id, user_id) for user_id in sorted(set(user_ids)))]

    def states_from(self, org_id: str, user_ids: Iterable[str], items: Mapping[tuple[str, str], Mapping[str, Any]]) -> LockStates:
        """The lock states in `items` (fetched by the keys of state_keys, keyed by (PK, SK))."""
        def pick(key: Mapping[str, str]):
            return items.get((key[keys.PK], key[keys.SK]))

        return LockStates(organization=_state(pick(keys.organization_locks(org_id)), None),
                          members={user_id: _state(pick(keys.member_locks(org_id, user_id)), user_id) for user_id in set(user_ids)})

    def read(self, org_id: str, user_ids: Iterable[str]) -> LockStates:
        """The organization's and the members' locks: one strongly consistent BatchGetItem."""
        user_ids = list(user_ids)
        found = self.table.batch_get(self.state_keys(org_id, user_ids), consistent=True)
        return self.states_from(org_id, user_ids, {(item[keys.PK], item[keys.SK]): item for item in found})

    def unchanged(self, org_id: str, state: LockState) -> Op:
        """A write condition: the member's locks are still the ones `state` was read at (what the
        activities write guard hands its write; stage_unchanged for a unit of work)."""
        return db.check(keys.member_locks(org_id, state.user_id), *_unchanged_condition(state), fail=_locks_changed())

    def stage_unchanged(self, tx: UnitOfWork, org_id: str, state: LockState) -> None:
        tx.check(keys.member_locks(org_id, state.user_id), *_unchanged_condition(state), fail=_locks_changed())

    # --- 4me-style date locks ---------------------------------------------------------------------
    def change_days(self, org_id: str, user_id: str | None, days: Iterable[date], *, lock: bool) -> None:
        """Add (lock) or remove (unlock) dates of a member's or (user_id None) the organization's
        locks. A member's change bumps their version in the same UpdateItem; the organization's is
        followed by bump_members."""
        values = {":days": {day.isoformat() for day in days}, ":one": 1}
        key = keys.organization_locks(org_id) if user_id is None else keys.member_locks(org_id, user_id)
        names = {"#d": "days", "#v": "version"}
        expression = "ADD #d :days, #v :one" if lock else "DELETE #d :days ADD #v :one"
        if user_id is not None:
            expression += " SET #u = :user"
            names["#u"] = "userId"
            values[":user"] = user_id
        self.table.update(key, expression, names, values)
        if user_id is None:
            self.bump_members(org_id)

    def bump_members(self, org_id: str) -> int:
        """Bump the lock version of every member (not deleted) of the organization, page by page:
        after an organization-wide change of what a lock decision reads (organization locks, the
        auto-lock watermark), so a write that read the old state cannot commit. The number bumped."""
        bumped = 0
        for page in self.table.query_all(key_condition=db.key_condition(sort="prefix"),
                                         values={":pk": keys.org_pk(org_id), ":prefix": keys.USER_SK_PREFIX}, page_size=PAGE_SIZE):
            for user in page:
                if user.get("status") == DELETED or not user.get("id"):
                    continue
                self.table.update(keys.member_locks(org_id, user["id"]), "ADD #v :one SET #u = :user",
                                  {"#v": "version", "#u": "userId"}, {":one": 1, ":user": user["id"]})
                bumped += 1
        return bumped

    # --- Sandtime user-week locks -----------------------------------------------------------------
    def save_week(self, org_id: str, lock: WeekLock, seen: LockState, *, new: bool) -> None:
        """Create or replace a member's user-week record, conditioned on the member's locks being
        those `seen` (else 409 LOCKS_CHANGED: the service retries on fresh reads)."""
        tx = UnitOfWork(self.table)
        self.stage_week(tx, org_id, lock, seen, new=new)
        tx.commit()

    def stage_week(self, tx: UnitOfWork, org_id: str, lock: WeekLock, seen: LockState, *, new: bool,
                   approval: WeekApproval | None = None, withdraw_approval: bool = False) -> None:
        """Stage the member's user-week record (optionally also marking the week approved, or
        withdrawing its approval) and, for a new record, its pointer; conditioned on the member's
        locks being those `seen` (else 409 LOCKS_CHANGED)."""
        attribute = _week_attribute(lock.year, lock.week)
        names = {"#w": attribute, "#u": "userId", "#v": "version"}
        values: dict[str, Any] = {":record": _record(lock), ":user": lock.user_id, ":one": 1}
        expression = "SET #w = :record, #u = :user"
        if approval is not None:
            names["#ap"] = _approval_attribute(lock.year, lock.week)
            values[":approval"] = _approval_record(approval)
            expression += ", #ap = :approval"
        expression += " ADD #v :one"
        if withdraw_approval:
            names["#ap"] = _approval_attribute(lock.year, lock.week)
            expression += " REMOVE #ap"
        if seen.version is not None:
            values[":seen"] = seen.version
        tx.update(keys.member_locks(org_id, lock.user_id), expression, names, values,
                  "attribute_not_exists(#v)" if seen.version is None else "#v = :seen",
                  fail=Conflict("The member's locks changed meanwhile; retry", code=LOCKS_CHANGED))
        if new:
            tx.put({**keys.week_lock(org_id, lock.id), "id": lock.id, "userId": lock.user_id, "year": lock.year, "week": lock.week},
                   "attribute_not_exists(PK)", fail=Conflict("A lock with this id already exists"))

    def week_by_id(self, org_id: str, lock_id: str) -> dict[str, Any] | None:
        """The pointer of a user-week lock: {id, userId, year, week}."""
        item = self.table.get(keys.week_lock(org_id, lock_id))
        return None if item is None else {name: item[name] for name in ("id", "userId", "year", "week") if name in item}

    def delete_week(self, org_id: str, pointer: Mapping[str, Any]) -> None:
        """Remove a user-week record and its pointer in one transaction (404 if a concurrent
        delete won)."""
        year, week = int(pointer["year"]), int(pointer["week"])
        tx = UnitOfWork(self.table)
        tx.delete(keys.week_lock(org_id, pointer["id"]), "attribute_exists(PK)", fail=NotFound("Timesheet lock not found"))
        tx.update(keys.member_locks(org_id, pointer["userId"]), "REMOVE #w ADD #v :one", {"#w": _week_attribute(year, week), "#v": "version"},
                  {":one": 1})
        tx.commit()

    # --- listing ----------------------------------------------------------------------------------
    def all_states(self, org_id: str) -> LockStates:
        """The organization's locks and every member's (one Query of the member lock items, paged,
        plus one GetItem): for the administrators' list of locks."""
        return LockStates(organization=_state(self.table.get(keys.organization_locks(org_id)), None), members=self._member_states(org_id))

    def approved_weeks(self, org_id: str) -> dict[str, set[tuple[int, int]]]:
        """Every member's approved ISO weeks (one paged Query of the member lock items): for reports."""
        return {user_id: set(state.approvals) for user_id, state in self._member_states(org_id).items() if state.approvals}

    def _member_states(self, org_id: str) -> dict[str, LockState]:
        members: dict[str, LockState] = {}
        for page in self.table.query_all(key_condition=db.key_condition(sort="prefix"),
                                         values={":pk": keys.org_pk(org_id), ":prefix": keys.MEMBER_LOCKS_SK_PREFIX}, page_size=PAGE_SIZE):
            for item in page:
                user_id = str(item[keys.SK])[len(keys.MEMBER_LOCKS_SK_PREFIX):]
                members[user_id] = _state(item, user_id)
        return members
