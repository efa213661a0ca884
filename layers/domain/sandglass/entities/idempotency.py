"""Idempotency-Key records of POST requests: a caller's claim on a key, and the record it leaves."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from msgspec import Struct


# PENDING while the first request runs, DONE with its answer, RELEASED when it failed (a retry runs again)
ClaimState = Literal["PENDING", "DONE", "RELEASED"]


class IdempotencyClaim(Struct, frozen=True, kw_only=True):
    """One request's claim on its key: the caller's account, the hash of caller and key, the
    request's fingerprint, and until when the key stays taken (whole seconds: the table's TTL)."""
    account: str | None
    key_hash: str
    request_hash: str
    claim_id: str
    expires_at: datetime


class IdempotencyRecord(Struct, frozen=True, kw_only=True):
    """What a key holds: the claim's state and request, and once DONE the first answer (the
    function's HTTP response as it was sent: statusCode, headers, body...)."""
    state: ClaimState
    request_hash: str | None
    claim_id: str | None
    expires_at: datetime
    response: Mapping[str, Any] | None = None
