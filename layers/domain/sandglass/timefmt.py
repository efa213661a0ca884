"""The API's one timestamp format: UTC, milliseconds, `Z`."""

from __future__ import annotations

from datetime import datetime, timezone


def iso(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def parse(value: str) -> datetime:
    """Parse an ISO-8601 instant with an offset (naive values are refused)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    if parsed.tzinfo is None:
        raise ValueError("An instant needs an offset or 'Z' (e.g. 2026-07-03T09:00:00+02:00)")
    return parsed.astimezone(timezone.utc)
