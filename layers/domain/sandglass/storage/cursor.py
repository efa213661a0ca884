"""Opaque, tamper-proof pagination cursors bound to one organization and one query."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

from sandglass.errors import BadRequest
from sandglass.settings import get_settings


def _json_default(value: Any):
    if isinstance(value, Decimal):
        return {"__n": str(value)}
    raise TypeError(type(value).__name__)


def _revive(value: dict[str, Any]):
    if set(value) == {"__n"}:
        return Decimal(value["__n"])
    return value


def _signature(payload: bytes, org_id: str, scope: str) -> bytes:
    message = org_id.encode() + b"\x00" + scope.encode() + b"\x00" + payload
    return hmac.new(get_settings().cursor_secret, message, hashlib.sha256).digest()[:16]


def encode(last_key: dict[str, Any], *, org_id: str, scope: str) -> str:
    payload = json.dumps(last_key, separators=(",", ":"), sort_keys=True, default=_json_default).encode()
    token = payload + b"." + _signature(payload, org_id, scope)
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def decode(token: str, *, org_id: str, scope: str) -> dict[str, Any]:
    invalid = BadRequest("The cursor is malformed, expired or belongs to another query", code="INVALID_CURSOR")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload, signature = raw[:-17], raw[-16:]
        if raw[-17:-16] != b"." or not hmac.compare_digest(signature, _signature(payload, org_id, scope)):
            raise invalid
        value = json.loads(payload, object_hook=_revive)
    except (ValueError, TypeError):
        raise invalid from None
    if not isinstance(value, dict):
        raise invalid
    return value
