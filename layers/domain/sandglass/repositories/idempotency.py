"""Idempotency records of POST requests (services/idempotency.py).

Item: keys.request_idempotency(org, hash of caller and key) with requestHash (method, path, query
and body), state (PENDING while the first request runs, DONE with its response), response
(statusCode, headers, body) and ``expiresAt`` (epoch seconds, table TTL; moto never expires, so
readers treat an expired record as absent). Only PutItem and GetItem: every API function's
policy allows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from sandglass import keys
from sandglass.entities.idempotency import IdempotencyClaim, IdempotencyRecord
from sandglass.errors import Conflict
from sandglass.storage.table import Table

CLAIMED_ALREADY = "IDEMPOTENCY_CLAIMED"


class IdempotencyRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def claim(self, claim: IdempotencyClaim, now: datetime) -> None:
        """Write the PENDING record unless a live one exists (Conflict CLAIMED_ALREADY then)."""
        self.table.put({**keys.request_idempotency(claim.account, claim.key_hash), **_claim_fields(claim, "PENDING")},
                       "attribute_not_exists(PK) OR expiresAt < :now", values={":now": _epoch(now)},
                       fail=Conflict("This Idempotency-Key is taken", code=CLAIMED_ALREADY))

    def get(self, account: str | None, key_hash: str) -> IdempotencyRecord | None:
        item = self.table.get(keys.request_idempotency(account, key_hash))
        return record_from_item(item) if item is not None else None

    def complete(self, claim: IdempotencyClaim, response: Mapping[str, Any]) -> None:
        """Keep the first answer for the rest of the key's lifetime."""
        self.table.put({**keys.request_idempotency(claim.account, claim.key_hash), **_claim_fields(claim, "DONE"), "response": dict(response)})

    def release(self, claim: IdempotencyClaim) -> None:
        """Give up our PENDING claim (the request failed: a retry runs it again) by marking it
        expired, which the next claim's condition accepts (a PutItem: every function may)."""
        try:
            self.table.put({**keys.request_idempotency(claim.account, claim.key_hash), "state": "RELEASED", "claimId": claim.claim_id, "expiresAt": 0},
                           "claimId = :claim", values={":claim": claim.claim_id})
        except Conflict:
            pass


# --- item <-> entity ----------------------------------------------------------------------------

def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def _claim_fields(claim: IdempotencyClaim, state: str) -> dict[str, Any]:
    return {"state": state, "requestHash": claim.request_hash, "claimId": claim.claim_id, "expiresAt": _epoch(claim.expires_at)}


def record_from_item(item: Mapping[str, Any]) -> IdempotencyRecord:
    response = item.get("response")
    return IdempotencyRecord(state=item.get("state", "PENDING"), request_hash=item.get("requestHash"), claim_id=item.get("claimId"),
                             expires_at=datetime.fromtimestamp(int(item.get("expiresAt", 0)), timezone.utc),
                             response=dict(response) if response is not None else None)
