"""moto's DynamoDB in the memory of its data, not of its history: two patches for long local runs.

Measured (docs/changes.md, "Memory of the local stack"): without them, the replay of 1,000 random
operations grew the test process by gigabytes, faster with every write, because

- moto keeps every model object it ever made in a class-level list (`instances_tracked`, for its
  dashboard, emptied only when a mock ends): every version of every item, every stream record and,
  worst, the whole-table copy moto's own TransactWriteItems makes per action to roll back
  (sandglass_local.motoundo replaces that copy; the list kept even the ones it still makes);
- the table's stream shard keeps every record it was given (DynamoDB drops them after 24 hours),
  and every GetRecords answer registers a new shard iterator that is never dropped (DynamoDB's expire
  after 15 minutes).

Installed, the DynamoDB and DynamoDB Streams models are not tracked (nothing here reads moto's
dashboard), a shard iterator is dropped once used (GetRecords answers the next one) or 15 minutes
after it was handed out, and a GetRecords releases the stream records no remaining iterator can
reach: the local stream keeps what a reader may still ask for, not the table's whole history. A
reader that asks for TRIM_HORIZON later starts at the oldest record kept, as a DynamoDB reader
that comes after the 24-hour retention does. GetRecords runs as a moto call, under whatever lock
serializes them (motolock, the embedded DynamoDB's), so a transaction's rollback never sees the
stream shortened under it.
"""

from __future__ import annotations

import time
from typing import Any

ITERATOR_LIFETIME_SECONDS = 15 * 60  # DynamoDB Streams' shard iterators expire after 15 minutes
_installed = False


def _untracked_new(cls, *args: Any, **kwargs: Any):
    return object.__new__(cls)


def _models(root: type) -> list[type]:
    found, pending = [], [root]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.append(subclass)
            pending.append(subclass)
    return found


def install() -> None:
    global _installed
    if _installed:
        return
    import moto.dynamodb.models  # noqa: F401  (defines the models untracked below)
    from moto.core.common_models import BaseModel
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

    for model in _models(BaseModel):
        if model.__module__.startswith(("moto.dynamodb.", "moto.dynamodbstreams.")):
            model.__new__ = staticmethod(_untracked_new)
            model.instances_tracked = []

    issued = ShardIterator.__init__

    def init(self, *args: Any, **kwargs: Any) -> None:
        issued(self, *args, **kwargs)
        self.issued_at = time.monotonic()

    def get_records(self, iterator_arn: str, limit: int) -> dict[str, Any]:
        iterator = self.shard_iterators.pop(iterator_arn)  # used: the answer carries the next one
        answer = iterator.get(limit)
        _release(self, iterator.stream_shard)
        return answer

    ShardIterator.__init__ = init
    DynamoDBStreamsBackend.get_records = get_records
    _installed = True


def _release(backend, shard) -> None:
    """Drop expired iterators, then the shard's records before the earliest position a remaining
    iterator of it reads from."""
    deadline = time.monotonic() - ITERATOR_LIFETIME_SECONDS
    for arn in [arn for arn, it in backend.shard_iterators.items() if getattr(it, "issued_at", 0) < deadline]:
        del backend.shard_iterators[arn]
    positions = [it.sequence_number for it in backend.shard_iterators.values() if it.stream_shard is shard]
    end = shard.starting_sequence_number + len(shard.items)
    released = min([end, *positions]) - shard.starting_sequence_number
    if released > 0:
        del shard.items[:released]
        shard.starting_sequence_number += released
