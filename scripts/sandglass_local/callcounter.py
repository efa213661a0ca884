"""Count DynamoDB calls made through the shared client (a botocore event hook)."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager

READS = {"GetItem", "BatchGetItem", "Query", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


class CallCounter:
    def __init__(self):
        self.calls: Counter[str] = Counter()

    def _record(self, model, **_kwargs):
        self.calls[model.name] += 1

    @property
    def reads(self) -> int:
        return sum(count for name, count in self.calls.items() if name in READS)

    @property
    def writes(self) -> int:
        return sum(count for name, count in self.calls.items() if name in WRITES)

    @property
    def scans(self) -> int:
        return self.calls["Scan"]

    def reset(self) -> None:
        self.calls.clear()


@contextmanager
def counting():
    """Count every DynamoDB call the application's client makes inside the block."""
    from sandglass.storage.table import client

    counter = CallCounter()
    events = client().meta.events
    events.register("before-call.dynamodb", counter._record)
    try:
        yield counter
    finally:
        events.unregister("before-call.dynamodb", counter._record)
