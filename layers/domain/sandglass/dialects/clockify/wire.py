"""Clockify's wire conventions: instants, durations, lenient scalars and id types."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Iterable, Optional

from pydantic import BeforeValidator, WithJsonSchema

from sandglass import ids, timefmt

# --- instants ----------------------------------------------------------------------------------


def instant(value: datetime | str | None) -> str | None:
    """Out: UTC, whole seconds, `Z` (`2026-07-03T08:30:00Z`)."""
    if value is None:
        return None
    moment = timefmt.parse(value) if isinstance(value, str) else value.astimezone(timezone.utc)
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


def parse_instant(value: Any) -> datetime:
    """In: any ISO-8601 instant (`Z`, an offset, fractions of a second); one without an offset is
    read as UTC, as Clockify does. ValueError with a client-fit message otherwise."""
    if isinstance(value, str) and value.strip() and "T" in value and not re.search(r"(Z|[+-]\d\d:?\d\d)$", value.strip()):
        value = value.strip() + "Z"
    return timefmt.parse_instant(value)


Instant = Annotated[datetime, BeforeValidator(parse_instant), WithJsonSchema({"type": "string", "format": "date-time",
                                                                             "examples": ["2026-07-03T08:30:00Z"]})]

# --- durations ---------------------------------------------------------------------------------

_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


def duration(value: timedelta | None) -> str | None:
    """ISO-8601 without days (`PT86H40M13S`), whole seconds, `PT0S` for zero; None stays None
    (a running entry)."""
    if value is None:
        return None
    seconds = max(0, int(value.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{seconds}S" if seconds else "")
    return text if text != "PT" else "PT0S"


def parse_duration(text: str) -> timedelta:
    found = _DURATION.match(text or "")
    if not found or text == "PT":
        raise ValueError(f"Expected an ISO-8601 duration such as PT1H30M, not {text!r}")
    hours, minutes, seconds = found.groups()
    return timedelta(hours=int(hours or 0), minutes=int(minutes or 0), seconds=float(seconds or 0))


# --- lenient scalars (this surface only: Clockify clients rely on them) --------------------------

_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


def boolean(value: Any, name: str = "value") -> bool | None:
    """`true|false|1|0` (any letter case); None or "" is None; anything else a ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name} must be true, false, 1 or 0")


def joined(values: Iterable[str] | str | None) -> list[str]:
    """A repeated (`tags=a&tags=b`) or comma-joined (`clients=a,b`) parameter, in order, without
    blanks or repeats."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    seen: list[str] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return seen


def _nullable_id(value: Any) -> Any:
    """An optional id: null and "" mean none; otherwise 24 hex digits (lower-cased)."""
    if value is None or value == "":
        return None
    if not ids.is_short_id(value):
        raise ValueError("Expected a 24-hex id such as 5b715612b079875110791111")
    return value.lower()


def _short_id(value: Any) -> Any:
    if not ids.is_short_id(value):
        raise ValueError("Expected a 24-hex id such as 5b715612b079875110791111")
    return value.lower()


ID_SCHEMA = {"type": "string", "pattern": "^[0-9a-fA-F]{24}$", "examples": ["5b715612b079875110791111"]}
# A 24-hex id in a body (required) and an optional one (null, "" or absent: none).
ShortId = Annotated[str, BeforeValidator(_short_id), WithJsonSchema(ID_SCHEMA)]
OptionalShortId = Annotated[Optional[str], BeforeValidator(_nullable_id), WithJsonSchema({"anyOf": [ID_SCHEMA, {"type": "null"}]})]


def _lenient_bool(value: Any) -> Any:
    return boolean(value)


LenientBool = Annotated[Optional[bool], BeforeValidator(_lenient_bool), WithJsonSchema({"type": "boolean"})]


def _id_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        value = joined(value)
    if not isinstance(value, list):
        raise ValueError("Expected an array of 24-hex ids")
    return [_short_id(item) for item in value if item not in (None, "")]


ShortIdList = Annotated[list[str], BeforeValidator(_id_list), WithJsonSchema({"type": "array", "items": ID_SCHEMA})]
