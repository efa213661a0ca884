"""Serialize moto's request processing.

moto's in-memory DynamoDB is not thread-safe (concurrent TransactWriteItems can fail with
"dictionary changed size during iteration"), while real DynamoDB serializes conflicting writes
itself. Concurrency tests and the threaded dev server hold one lock around each emulated call,
so they exercise our conditions and transactions rather than moto's internals.
"""

from __future__ import annotations

import threading

_lock = threading.RLock()
_installed = False
# Called with each request while the lock is held, before moto runs it (txconflicts uses it to
# decide, in DynamoDB's own order, whether a transaction meets another one still in flight).
inside_lock_hooks: list = []


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__

    def locked_call(self, event_name, request, **kwargs):
        if not self.enabled:  # no mock active: the request goes to a real endpoint (e.g. the dev server's)
            return original(self, event_name, request, **kwargs)
        with _lock:
            for hook in inside_lock_hooks:
                hook(event_name, request)
            return original(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = locked_call
    _installed = True


def lock() -> threading.RLock:
    return _lock
