"""Idempotency records of POST requests (services/idempotency.py).

Item: keys.request_idempotency(org, hash of caller and key) with requestHash (method, path, query
and body), state (PENDING while the first request runs, DONE with its response), response
(statusCode, headers, body) and ``expiresAt`` (epoch seconds, table TTL; moto never expires, so
readers treat an expired record as absent). Only PutItem and GetItem: every API function's
policy allows them.
"""

from __future__ import annotations

from typing import Any

from sandglass import keys
from sandglass.errors import Conflict
from sandglass.storage.table import Table

CLAIMED_ALREADY = "IDEMPOTENCY_CLAIMED"


class IdempotencyRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def claim(self, account: str | None, key_hash: str, record: dict[str, Any], now_epoch: int) -> None:
        """Write the PENDING record unless a live one exists (Conflict CLAIMED_ALREADY then)."""
        self.table.put({**keys.request_idempotency(account, key_hash), **record}, "attribute_not_exists(PK) OR expiresAt < :now",
                       values={":now": now_epoch}, fail=Conflict("This Idempotency-Key is taken", code=CLAIMED_ALREADY))

    def get(self, account: str | None, key_hash: str) -> dict[str, Any] | None:
        return self.table.get(keys.request_idempotency(account, key_hash))

    def complete(self, account: str | None, key_hash: str, record: dict[str, Any]) -> None:
        self.table.put({**keys.request_idempotency(account, key_hash), **record})

    def release(self, account: str | None, key_hash: str, claim_id: str) -> None:
        """Give up our PENDING claim (the request failed: a retry runs it again) by marking it
        expired, which the next claim's condition accepts (a PutItem: every function may)."""
        try:
            self.table.put({**keys.request_idempotency(account, key_hash), "state": "RELEASED", "claimId": claim_id, "expiresAt": 0},
                           "claimId = :claim", values={":claim": claim_id})
        except Conflict:
            pass
