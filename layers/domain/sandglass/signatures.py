"""Webhook signatures: `Sandglass-Signature: t=<unix seconds>, v1=<hex HMAC-SHA256 over "t.body">`.

The key is the webhook's token. A receiver verifies with `verify(token, header, body)`: the HMAC
must match (constant-time comparison) and `t` must be within REPLAY_WINDOW of its clock, so a
captured delivery cannot be replayed later. Copy this module as it is: it needs only the standard
library.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Sandglass-Signature"
REPLAY_WINDOW = 300  # seconds a signature stays acceptable, either way of the receiver's clock


def sign(token: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(token.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t}, v1={digest}"


def verify(token: str, header: str, body: bytes, *, now: float | None = None, window: int = REPLAY_WINDOW) -> bool:
    """True when `header` signs `body` with `token` and was made within `window` seconds of `now`."""
    parts = dict(part.strip().split("=", 1) for part in (header or "").split(",") if "=" in part)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > window:
        return False
    expected = hmac.new(token.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))
