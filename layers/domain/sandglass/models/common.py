"""Field types shared by every route group's models: one instant rule, one id rule, one rule for
characters in free text (Name for single-line fields, Text for multi-line notes)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal, Optional, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from sandglass import ids, reference, text, timefmt


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
InstantText = Annotated[str, BeforeValidator(_instant_text), WithJsonSchema({"type": "string", "format": "date-time"})]
# An entity id: a UUID in its canonical 36-character form (case-insensitive in, lower case out).
EntityId = Annotated[str, Field(max_length=36), AfterValidator(_check_id)]


def _time_zone(value):
    """Checked before the model's whitespace stripping, so `"Europe/Warsaw "` is refused, not trimmed."""
    if not isinstance(value, str):
        return value  # the str schema answers its own type error
    try:
        return reference.check_time_zone(value)
    except ValueError as error:
        raise PydanticCustomError("time_zone", "{reason}", {"reason": str(error)}) from None


# A time zone: an IANA name the shipped tzdata lists, exactly (sandglass.reference.check_time_zone).
# Every field that holds a zone has this type.
TimeZone = Annotated[str, BeforeValidator(_time_zone),
                     WithJsonSchema({"type": "string", "description": "An IANA time zone name, e.g. Europe/Warsaw", "examples": ["Europe/Warsaw"]})]


# The one control-character rule (sandglass.text): refused in client input.
_ANY_CONTROL = text.ANY_CONTROL
_CONTROL_BUT_LF_TAB = text.CONTROL_BUT_LF_TAB


def _refuse(pattern: re.Pattern, value: str, allowed: str) -> str:
    found = pattern.search(value)
    if found:
        raise PydanticCustomError(
            "control_character",
            "Control character U+{code} at position {position} is not allowed{allowed}",
            {"code": f"{ord(found.group()):04X}", "position": found.start(), "allowed": allowed},
        )
    return value


def _single_line(value: str) -> str:
    return _refuse(_ANY_CONTROL, value, " (single-line text)")


def _multi_line(value: str) -> str:
    return _refuse(_CONTROL_BUT_LF_TAB, value, " (only line feed and tab)")


# A single-line text (names, titles, tags, phone numbers, URLs): no control character at all.
Name = Annotated[str, AfterValidator(_single_line)]
# Multi-line free text (notes): line feeds and tabs, no other control character.
Text = Annotated[str, AfterValidator(_multi_line)]


def _not_documented_nullable(schema: dict) -> None:
    options = [option for option in schema.pop("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options
    if "default" in schema and schema["default"] is None:
        del schema["default"]


T = TypeVar("T")
# A field of a partial update that may be left out but is refused as null (the service answers 422
# naming it): typed Optional so "absent" reads as None, documented without null so the OpenAPI
# document does not promise what the API refuses.
Omittable = Annotated[Optional[T], Field(json_schema_extra=_not_documented_nullable)]

# An e-mail address. No whitespace and no control characters (NUL, DEL, C1...) anywhere: a member's
# address becomes their identity.
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$")]

ProjectRole = Literal["Administrator", "User"]  # a member's role in a project (project members, join requests)
