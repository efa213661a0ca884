"""A unit of work: the writes of one decision, committed together or not at all.

Services open one, hand it to repositories' ``stage_*`` methods (which know the item layout and
the conditions that guard it), then commit::

    tx = UnitOfWork(table)
    activities.stage_create(tx, org_id, activity)
    timers.stage_claim(tx, org_id, activity)
    tx.commit()

Each staged action carries the domain error its condition raises (`fail`), so a cancelled
transaction surfaces as the rule that failed (409 locked, 412 stale If-Match, ...) rather than a
DynamoDB reason code. Conflicts with other transactions are retried by the table with the one
backoff policy (`storage.retry.CONFLICTS`).

One staged action commits as a single conditional write (half the write units of a
transaction); two or more as one TransactWriteItems (at most 100 actions, one per item).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandglass import keys
from sandglass.errors import DomainError
from sandglass.storage import table as db
from sandglass.storage.table import Op, Table

MAX_ACTIONS = 100


class UnitOfWork:
    def __init__(self, table: Table | None = None, *, token: str | None = None):
        self.table = table or Table()
        self.token = token  # ClientRequestToken: a retried commit with the same token is a no-op
        self._ops: list[Op] = []
        self._items: set[tuple[str, str]] = set()

    def put(self, item: Mapping[str, Any], condition: str | None = None, names=None, values=None, *, fail: DomainError | None = None) -> None:
        self._stage(db.put(item, condition, names, values, fail=fail), item)

    def update(self, key: Mapping[str, str], expression: str, names=None, values=None, condition: str | None = None, *,
               fail: DomainError | None = None) -> None:
        self._stage(db.update(key, expression, names, values, condition, fail=fail), key)

    def delete(self, key: Mapping[str, str], condition: str | None = None, names=None, values=None, *, fail: DomainError | None = None) -> None:
        self._stage(db.delete(key, condition, names, values, fail=fail), key)

    def check(self, key: Mapping[str, str], condition: str, names=None, values=None, *, fail: DomainError | None = None) -> None:
        self._stage(db.check(key, condition, names, values, fail=fail), key)

    def stages(self, key: Mapping[str, str]) -> bool:
        """Whether an action on the item at `key` is already staged (DynamoDB allows one per item)."""
        return (key[keys.PK], key[keys.SK]) in self._items

    def __len__(self) -> int:
        return len(self._ops)

    def commit(self) -> None:
        """Write everything staged, atomically; raises the `fail` of the first condition that did not hold."""
        ops, self._ops, self._items = self._ops, [], set()
        if not ops:
            return
        if len(ops) == 1 and ops[0].kind != "ConditionCheck":
            self._write_one(ops[0])
            return
        self.table.transact(ops, token=self.token)

    def _stage(self, op: Op, key: Mapping[str, Any]) -> None:
        identity = (key[keys.PK], key[keys.SK])
        if identity in self._items:
            raise ValueError(f"two actions on one item in one transaction: {identity}")
        if len(self._ops) >= MAX_ACTIONS:
            raise ValueError(f"a transaction holds at most {MAX_ACTIONS} actions")
        self._items.add(identity)
        self._ops.append(op)

    def _write_one(self, op: Op) -> None:
        params, fail = op.params, op.on_condition_failed
        condition = params.get("ConditionExpression")
        names, values = params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
        if op.kind == "Put":
            self.table.put(params["Item"], condition, names, values, fail=fail)
        elif op.kind == "Update":
            self.table.update(params["Key"], params["UpdateExpression"], names, values, condition, fail=fail)
        else:
            self.table.delete(params["Key"], condition, names, values, fail=fail)
