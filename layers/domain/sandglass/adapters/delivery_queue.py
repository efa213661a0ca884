"""The webhook delivery queue's adapters (the port: sandglass.ports.webhooks).

- `SqsQueue` (AWS): an SQS FIFO queue (WEBHOOK_QUEUE_URL). Group = webhook + entity, so one
  endpoint gets one entity's events in order while other entities' proceed; deduplication id =
  webhook + event id, so a change fanned out twice (stream redelivery) is queued once. A failed
  attempt sets the message's visibility to the next backoff, and after MAX_RECEIVES the queue's
  redrive policy moves it to the dead-letter queue.
- `LocalQueue` (`WEBHOOK_QUEUE=local`, the dev server and tests): the same semantics in process,
  on the domain clock (so tests travel through a day of backoff in an instant); the local stack
  delivers it to the worker function as Lambda's SQS event source would.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from datetime import datetime, timedelta
from typing import Any

from msgspec import Struct, field

from sandglass.adapters.aws import LazyClient
from sandglass.clock import get_clock
from sandglass.ports.webhooks import MAX_RECEIVES, DeliveryQueue, QueuedMessage  # noqa: F401  (known here by these names)

VISIBILITY_TIMEOUT = 360  # seconds a received message stays hidden (template.yaml: VisibilityTimeout)


class SqsQueue(LazyClient):
    service = "sqs"

    def __init__(self, url: str):
        self.url = url

    def send(self, messages: list[QueuedMessage]) -> None:
        for start in range(0, len(messages), 10):
            entries = [{"Id": str(n), "MessageBody": json.dumps(m.body), "MessageGroupId": m.group[:128], "MessageDeduplicationId": m.dedup[:128]}
                       for n, m in enumerate(messages[start:start + 10])]
            response = self.client().send_message_batch(QueueUrl=self.url, Entries=entries)
            if response.get("Failed"):
                raise RuntimeError(f"SQS refused {len(response['Failed'])} webhook messages: {response['Failed'][0]}")

    def retry_in(self, receipt: str, seconds: int) -> None:
        self.client().change_message_visibility(QueueUrl=self.url, ReceiptHandle=receipt, VisibilityTimeout=min(seconds, 43200))


class _Local(Struct):
    id: str
    group: str
    dedup: str
    body: dict[str, Any]
    sent_at: datetime
    visible_at: datetime
    receives: int = 0
    receipt: str | None = None


class LocalQueue(Struct):
    """A FIFO queue in process: per group only the oldest message is ever in flight."""

    messages: list[_Local] = field(default_factory=list)
    dead: list[_Local] = field(default_factory=list)
    _dedup: dict[str, datetime] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def send(self, messages: list[QueuedMessage]) -> None:
        now = get_clock().now()
        with self._lock:
            for message in messages:
                if message.dedup in self._dedup:
                    continue  # SQS FIFO drops a duplicate within its 5-minute window; here: for the queue's life
                self._dedup[message.dedup] = now
                number = next(self._ids)
                self.messages.append(_Local(f"m{number}", message.group, message.dedup, message.body, now, now))

    def retry_in(self, receipt: str, seconds: int) -> None:
        with self._lock:
            for message in self.messages:
                if message.receipt == receipt:
                    message.visible_at = get_clock().now() + timedelta(seconds=seconds)

    def receive(self, limit: int = 10) -> list[_Local]:
        """The visible heads of their groups, marked received (hidden for VISIBILITY_TIMEOUT)."""
        now = get_clock().now()
        taken, seen_groups = [], set()
        with self._lock:
            for message in self.messages:
                if message.group in seen_groups:
                    continue
                seen_groups.add(message.group)
                if message.visible_at <= now and len(taken) < limit:
                    message.receives += 1
                    message.receipt = f"{message.id}-{message.receives}"
                    message.visible_at = now + timedelta(seconds=VISIBILITY_TIMEOUT)
                    taken.append(message)
        return taken

    def delete(self, receipt: str) -> None:
        with self._lock:
            self.messages = [m for m in self.messages if m.receipt != receipt]

    def dead_letter(self, receipt: str) -> None:
        with self._lock:
            found = [m for m in self.messages if m.receipt == receipt]
            self.messages = [m for m in self.messages if m.receipt != receipt]
            self.dead.extend(found)

    def next_visible(self) -> datetime | None:
        with self._lock:
            return min((m.visible_at for m in self.messages), default=None)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.dead.clear()
            self._dedup.clear()


_local = LocalQueue()


def local_queue() -> LocalQueue:
    """The process's one local queue (the stream consumer sends to it, the local stack drains it)."""
    return _local


def queue_from_env() -> DeliveryQueue | None:
    """SQS when WEBHOOK_QUEUE_URL is set, the local queue when WEBHOOK_QUEUE=local, else None (no webhooks)."""
    if os.environ.get("WEBHOOK_QUEUE") == "local":
        return _local
    url = os.environ.get("WEBHOOK_QUEUE_URL")
    return SqsQueue(url) if url else None
