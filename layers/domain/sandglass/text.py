"""The one rule for control characters in text (Unicode category Cc: C0, DEL, C1). They are
invisible and break CSV exports, terminals and logs. Single-line text may carry none; multi-line
text line feeds and tabs only. Client input is refused (models.common.Name / Text); text from a
trusted source we cannot send back (an identity provider's `name` claim) is cleaned instead.

No pydantic here: the authorizer imports it and stays lean."""

from __future__ import annotations

import re

ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_BUT_LF_TAB = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def single_line(value: str, max_length: int | None = None) -> str:
    """`value` with every run of control characters turned into one space, trimmed."""
    cleaned = " ".join(ANY_CONTROL.sub(" ", value).split())
    return cleaned[:max_length] if max_length else cleaned
