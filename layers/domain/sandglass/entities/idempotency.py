"""Idempotency-Key records of POST requests: a caller's claim on a key, and the record it leaves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

# PENDING while the first request runs, DONE with its answer, RELEASED when it failed (a retry runs again)
ClaimState = Literal["PENDING", "DONE", "RELEASED"]


@dataclass(frozen=True, slots=True, kw_only=True)
class IdempotencyClaim:
    """One request's claim on its key: the caller's account, the hash of caller and key, the
    request's fingerprint, and until when the key stays taken (whole seconds: the table's TTL)."""
    account: str | None
    key_hash: str
    request_hash: str
    claim_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IdempotencyRecord:
    """What a key holds: the claim's state and request, and once DONE the first answer (the
    function's HTTP response as it was sent: statusCode, headers, body...)."""
    state: ClaimState
    request_hash: str | None
    claim_id: str | None
    expires_at: datetime
    response: Mapping[str, Any] | None = None
