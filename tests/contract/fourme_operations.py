"""The request examples of the 4me Timesheets reference (seeds/003), read from its text.

The reference is a scraped documentation page: each section (List timesheets, List incomplete
timesheets, Get a single timesheet, Get day totals, Lock dates, Unlock dates) gives one or more
`curl ... -X METHOD "https://api.r-service.tech/v1/..."` examples, then `Status: NNN ...` and, for
200, an example body. Every example of a section is documented with that section's status and body."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.contract import dialects

SECTIONS = ("List timesheets", "List incomplete timesheets", "Get a single timesheet", "Get day totals", "Lock dates", "Unlock dates")
CURL = re.compile(r'-H "account: (?P<account>[^"]+)"\s*\\\s*-X (?P<method>GET|POST|DELETE)\s*\\\s*"https://api\.r-service\.tech(?P<url>/v1/[^"]+)"')
STATUS = re.compile(r"Status: (\d{3})")


@dataclass(frozen=True)
class Example:
    section: str
    method: str
    path: str                 # /v1/timesheets...
    query: dict[str, str]
    account: str
    status: int
    response: Any             # the example body (None for 204), "..." placeholders left in


def find_reference() -> Path:
    return dialects.find_reference("003", "4me Timesheets")


def _json_at(text: str, start: int) -> Any:
    opening = min((i for i in (text.find("[", start), text.find("{", start)) if i >= 0), default=-1)
    return json.JSONDecoder().raw_decode(text, opening)[0]


def _sections(text: str) -> list[tuple[str, str]]:
    """(title, text) of each section, found by its 'Заголовок раздела «title»' heading."""
    marks = [(title, text.index(f"«{title}»")) for title in SECTIONS]
    ends = [start for _, start in marks[1:]] + [len(text)]
    return [(title, text[start:end]) for (title, start), end in zip(marks, ends)]


def load(path: Path | None = None) -> list[Example]:
    text = (path or find_reference()).read_text(encoding="utf-8")
    examples = []
    for title, body in _sections(text):
        status_at = STATUS.search(body)
        status = int(status_at.group(1))
        response = _json_at(body, status_at.end()) if status == 200 else None
        for curl in CURL.finditer(body):
            url = urlsplit(curl["url"])
            examples.append(Example(title, curl["method"], url.path, dict(parse_qsl(url.query)), curl["account"], status, response))
    return examples
