"""Field types shared by every route group's models: one instant rule, one id rule."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from sandglass import ids, timefmt


def _check_id(value: str) -> str:
    canonical = ids.canonical_id(value)
    if canonical is None:
        raise ValueError("Expected a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6")
    return canonical


def _instant_text(value) -> str:
    return timefmt.iso(timefmt.parse_instant(value))


# An instant in: any ISO-8601 offset; out of validation: aware UTC datetime at millisecond precision.
Instant = Annotated[datetime, BeforeValidator(timefmt.parse_instant)]
# A range bound (`from`/`to` of a list): the same rule, sub-millisecond bounds rounded up.
InstantBound = Annotated[datetime, BeforeValidator(timefmt.parse_bound)]
# The same rule, kept as the stored text (`2026-07-03T07:00:00.000Z`).
InstantText = Annotated[str, BeforeValidator(_instant_text)]
# An entity id: a UUID in its canonical 36-character form (case-insensitive in, lower case out).
EntityId = Annotated[str, Field(max_length=36), AfterValidator(_check_id)]
