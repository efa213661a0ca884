"""`Idempotency-Key` on every POST that creates or changes something, one mechanism for all routes.

Rules
-----
- A POST carrying `Idempotency-Key` (1 to 255 printable characters, else 422) is claimed before it
  runs: a PENDING record keyed by the organization, the caller and the key (sha256), holding a
  fingerprint of the request (method, path, query and body, the body's JSON canonicalised).
- The same key again with the same request: the first response (status, headers, body), marked
  `Idempotent-Replayed: true`; while the first one still runs, 409 IDEMPOTENCY_IN_PROGRESS (retry).
- The same key with another request (body, query or route): 422 IDEMPOTENCY_KEY_REUSED.
- Only success is remembered: a 2xx answer is stored for 24 h (DynamoDB TTL on `expiresAt`); any
  other answer drops the claim, so a retry runs again (a 409 that a lock caused, say, may pass later).
- Keys are per caller: another member (or another organization) using the same key is unrelated.
- `POST /activities` keeps its key inside the activity's own transaction (services/activities:
  the record commits with the entry or not at all); read-only POSTs (`/reports/results`, `/activities/rerate/preview`) store nothing.

The resolver (http/resolver.py) calls `begin` before the route and `finish` after it, so every
route group and every surface built on `create_app` inherits it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sandglass.clock import Clock, CurrentClock
from sandglass.entities.idempotency import IdempotencyClaim
from sandglass.errors import Conflict, ValidationFailed, detail
from sandglass.repositories.idempotency import CLAIMED_ALREADY, IdempotencyRepository

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL = timedelta(hours=24)
MAX_KEY = 255
# Routes (resource paths below /api) that handle the key themselves, or that create nothing.
IN_TRANSACTION = frozenset({"/activities"})
READ_ONLY = frozenset({"/reports/results", "/activities/rerate/preview"})
# A stored answer must fit a DynamoDB item (400 KB) with room to spare; larger ones are not kept.
MAX_STORED_BODY = 300_000


def applies(method: str, resource: str) -> bool:
    return method.upper() == "POST" and resource not in IN_TRANSACTION and resource not in READ_ONLY


def fingerprint(method: str, path: str, query: Mapping[str, str] | None, body: str | None) -> str:
    text = body or ""
    try:
        canonical: Any = json.loads(text) if text.strip() else None
    except ValueError:
        canonical = text
    payload = json.dumps([method.upper(), path, sorted((query or {}).items()), canonical], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


class IdempotencyService:
    def __init__(self, repository: IdempotencyRepository | None = None, clock: Clock | None = None):
        self.repository = repository or IdempotencyRepository()
        self.clock = clock or CurrentClock()

    def begin(self, key: str, *, account: str | None, caller: str, method: str, path: str, query: Mapping[str, str] | None,
              body: str | None) -> tuple[IdempotencyClaim | None, dict[str, Any] | None]:
        """(our claim, None): run the request, then `finish`; (None, response): answer the stored
        first response instead. Raises 422 for a bad or reused key, 409 while the first runs."""
        if not 1 <= len(key) <= MAX_KEY or not key.isprintable():
            raise ValidationFailed(f"{HEADER} must be 1 to {MAX_KEY} printable characters",
                                   details=[detail(HEADER, f"{HEADER} must be 1 to {MAX_KEY} printable characters", "header")])
        now = self.clock.now().replace(microsecond=0)  # whole seconds, like the table's TTL
        key_hash = hashlib.sha256(f"{caller}\n{key}".encode()).hexdigest()
        claim = IdempotencyClaim(account=account, key_hash=key_hash, request_hash=fingerprint(method, path, query, body),
                                 claim_id=uuid.uuid4().hex, expires_at=now + TTL)
        try:
            self.repository.claim(claim, now)
            return claim, None
        except Conflict as error:
            if error.code != CLAIMED_ALREADY:
                raise
        stored = self.repository.get(account, key_hash)
        if stored is None or stored.expires_at < now:
            raise Conflict("A request with this Idempotency-Key is in progress; retry", code="IDEMPOTENCY_IN_PROGRESS")
        if stored.request_hash != claim.request_hash:
            raise ValidationFailed("This Idempotency-Key was already used with a different request",
                                   details=[detail(HEADER, "Reused with a different request body, query or route", "header")],
                                   code="IDEMPOTENCY_KEY_REUSED")
        if stored.state != "DONE":
            raise Conflict("A request with this Idempotency-Key is in progress; retry", code="IDEMPOTENCY_IN_PROGRESS")
        return None, dict(stored.response or {})

    def finish(self, claim: IdempotencyClaim, response: Mapping[str, Any]) -> None:
        """Keep a 2xx answer for the key's lifetime; drop the claim of anything else."""
        status = int(response.get("statusCode") or 0)
        body = response.get("body")
        if 200 <= status < 300 and (body is None or len(body) <= MAX_STORED_BODY):
            kept = {name: response[name] for name in ("statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded") if name in response}
            self.repository.complete(claim, kept)
        else:
            self.repository.release(claim)


def replayed(response: Mapping[str, Any]) -> dict[str, Any]:
    """The stored response, marked as a replay."""
    response = dict(response)
    if "multiValueHeaders" in response and response["multiValueHeaders"] is not None:
        response["multiValueHeaders"] = {**response["multiValueHeaders"], REPLAYED_HEADER: ["true"]}
    else:
        response["headers"] = {**(response.get("headers") or {}), REPLAYED_HEADER: "true"}
    if "statusCode" in response:
        response["statusCode"] = int(response["statusCode"])
    return response
