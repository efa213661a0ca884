"""The one retry policy of the table: exponential backoff with full jitter.

A transaction cancelled by another transaction holding one of its items (TransactionConflict),
and a batch call that DynamoDB answered only in part (unprocessed items), are tried again after a
random pause in ``[0, min(cap, base * 2**attempt))`` so racing requests spread out instead of
colliding again. Tests replace `sleep` to record the pauses instead of waiting.
"""

from __future__ import annotations

import random
import time

from msgspec import Struct

sleep = time.sleep


class Backoff(Struct, frozen=True):
    attempts: int
    base_seconds: float
    cap_seconds: float

    def delay(self, attempt: int) -> float:
        """Full jitter for `attempt` (counting from 0)."""
        return random.uniform(0, min(self.cap_seconds, self.base_seconds * (2 ** attempt)))

    def pause(self, attempt: int) -> None:
        """Wait before the next attempt; nothing after the last one (the caller gives up then)."""
        if attempt + 1 < self.attempts:
            sleep(self.delay(attempt))


# Worst case ~1.3 s on average over all attempts, well inside API Gateway's 29 s.
CONFLICTS = Backoff(attempts=8, base_seconds=0.02, cap_seconds=2.0)
# DynamoDB's partial answer under throttling; after the last attempt the caller gets Throttled.
UNPROCESSED = Backoff(attempts=8, base_seconds=0.05, cap_seconds=2.0)
