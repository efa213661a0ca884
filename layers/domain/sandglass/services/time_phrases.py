"""When an agent says when: "2h yesterday afternoon", "90m monday at 14:00", "9:00-10:30 2026-12-03".

The grammar is small on purpose (it is documented in SKILL.md); words may come in any order,
case and commas do not matter:

    phrase   := duration [day] [start]  |  range [day]
    duration := 2h | 1.5h | 90m | 1h30 | 1h30m | 2 hours | 45 minutes     (a number with a unit)
    range    := 9:00-10:30 | from 9:00 to 10:30                             (local wall times)
    day      := today | yesterday | monday..sunday | last monday | 2026-12-03
    start    := at 14:00 | 14:00 | 9am | 2pm | morning | afternoon | evening (09:00, 13:00, 18:00)

A weekday is the most recent one (today included; `last monday` excludes today). Without a day,
today. Without a start: on a past day the entry starts at 09:00; today it ends now. Wall times are
in the organization's time zone; a duration is elapsed time (a 2h entry across a DST change lasts
two real hours). Weeks: `2026-W49`, `this week`, `last week`, or any date inside the week.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from msgspec import Struct


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PARTS = {"morning": time(9, 0), "afternoon": time(13, 0), "evening": time(18, 0)}
DEFAULT_START = time(9, 0)
MAX_MINUTES = 24 * 60
GRAMMAR = ("say e.g. '2h yesterday afternoon', '90m today at 14:00', '1h30 monday morning', "
           "'9:00-10:30 2026-12-03' or 'from 9:00 to 10:30 yesterday'")

_HOURS = r"(?:h|hr|hrs|hour|hours)"
_MINUTES = r"(?:m|min|mins|minute|minutes)"
_DURATION = re.compile(rf"^(?:(?P<h>\d+(?:\.\d+)?)\s*{_HOURS}\s*(?:(?P<hm>\d+)\s*{_MINUTES}?)?|(?P<m>\d+)\s*{_MINUTES})$")
_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d"
_RANGE = re.compile(rf"^(?:from\s+)?(?P<a>{_CLOCK})\s*(?:-|–|to|until)\s*(?P<b>{_CLOCK})$")
_AT = re.compile(rf"^(?:at\s+)?(?:(?P<clock>{_CLOCK})|(?P<h12>1[0-2]|0?[1-9])(?::(?P<m12>[0-5]\d))?\s*(?P<ampm>am|pm))$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK = re.compile(r"^(?P<y>\d{4})-?w(?P<w>\d{1,2})$")


class Span(Struct, frozen=True):
    start: datetime  # aware, UTC
    end: datetime

    @property
    def minutes(self) -> int:
        return round((self.end - self.start).total_seconds() / 60)


class PhraseError(ValueError):
    pass


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _tokens(phrase: str) -> list[str]:
    """Words, with the multi-word units of the grammar glued back together."""
    text = re.sub(r"\s+", " ", phrase.lower().replace(",", " ")).strip()
    # "2 hours 30 minutes" / "1h 30m" / "from 9:00 to 10:30" / "9:00 - 10:30" / "at 14:00" / "last monday" / "2 pm"
    text = re.sub(rf"(\d+(?:\.\d+)?)\s+({_HOURS}|{_MINUTES})\b", r"\1\2", text)
    text = re.sub(rf"(\d{_HOURS})\s+([0-5]?\d(?:{_MINUTES})?)\b(?![-:.\d])", r"\1\2", text)
    text = re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", text)
    text = re.sub(rf"\b(?:from\s+)?({_CLOCK})\s*(?:-|–|\bto\b|\buntil\b)\s*({_CLOCK})", r"\1-\2", text)
    text = re.sub(r"\b(at|last)\s+", r"\1_", text)
    return text.split(" ") if text else []


def _day(token: str, today: date) -> date | None:
    if token == "today":
        return today
    if token == "yesterday":
        return today - timedelta(days=1)
    last = token.startswith("last_")
    name = token[5:] if last else token
    if name in WEEKDAYS:
        back = (today.weekday() - WEEKDAYS.index(name)) % 7
        return today - timedelta(days=back or (7 if last else 0))
    if _DATE.match(token):
        try:
            return date.fromisoformat(token)
        except ValueError:
            raise PhraseError(f"'{token}' is not a date") from None
    return None


def parse_when(phrase: str, now: datetime, zone: ZoneInfo) -> Span:
    """The span a phrase names, in UTC. Raises PhraseError (a ValueError) with the grammar."""
    if not isinstance(phrase, str) or not phrase.strip():
        raise PhraseError(f"Say when: {GRAMMAR}")
    today = now.astimezone(zone).date()
    said = _said(phrase, today)
    if said.end is not None:
        return _range(said, today, zone)
    return _lasting(said, now, today, zone)


class _Said(Struct):
    """What a phrase's words named (a clock time wins over a part of the day)."""

    minutes: float | None = None
    day: date | None = None
    start: time | None = None
    end: time | None = None


def _said(phrase: str, today: date) -> _Said:
    said = _Said()
    for token in _tokens(phrase):
        word = token.replace("at_", "at ")
        if (found := _DURATION.match(word)) is not None:
            if said.minutes is not None:
                raise PhraseError(f"Give one duration, not two: {GRAMMAR}")
            said.minutes = float(found["h"]) * 60 + int(found["hm"] or 0) if found["h"] else int(found["m"])
        elif (found := _RANGE.match(word)) is not None:
            said.start, said.end = _clock(found["a"]), _clock(found["b"])
        elif (found := _AT.match(word)) is not None:
            if found["clock"]:
                said.start = _clock(found["clock"])
            else:
                hour = int(found["h12"]) % 12 + (12 if found["ampm"] == "pm" else 0)
                said.start = time(hour, int(found["m12"] or 0))
        elif word in PARTS:
            said.start = said.start or PARTS[word]
        elif (named := _day(token, today)) is not None:
            said.day = named
        elif word not in ("for", "on", "in", "the", "of", "and"):
            raise PhraseError(f"'{token.replace('_', ' ')}' is not understood; {GRAMMAR}")
    return said


def _range(said: _Said, today: date, zone: ZoneInfo) -> Span:
    """A from-to range of wall times on the day said (today by default)."""
    if said.minutes is not None:
        raise PhraseError("Give either a duration or a from-to range, not both")
    on = said.day or today
    lower, upper = _at(on, said.start, zone), _at(on, said.end, zone)
    if upper <= lower:
        raise PhraseError("The range must end after it starts (an entry past midnight: give start and end instead)")
    return Span(lower, upper)


def _lasting(said: _Said, now: datetime, today: date, zone: ZoneInfo) -> Span:
    """A duration: from the start said (09:00 by default) on a past day; today without a start, ending now."""
    if said.minutes is None:
        raise PhraseError(f"Say how long: {GRAMMAR}")
    if not 0 < said.minutes <= MAX_MINUTES:
        raise PhraseError("A duration must be more than 0 and at most 24 hours")
    length = timedelta(minutes=round(said.minutes))
    if said.start is None and (said.day is None or said.day == today):
        upper = now.astimezone(timezone.utc).replace(microsecond=0)
        return Span(upper - length, upper)
    lower = _at(said.day or today, said.start or DEFAULT_START, zone)
    return Span(lower, lower + length)


def _at(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """A local wall time as a UTC instant (a time skipped by DST moves forward by the jump)."""
    local = datetime.combine(day, wall, tzinfo=zone)
    return local.astimezone(timezone.utc).astimezone(zone).astimezone(timezone.utc)


def local_instant(text: str, zone: ZoneInfo) -> datetime:
    """`2026-12-03T09:00` (a wall time in the organization's zone) or an ISO instant with an offset."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00") if text.strip().endswith("Z") else text.strip())
    except ValueError:
        raise PhraseError(f"'{text}' is not a time: give a local time such as 2026-12-03T09:00 (or one with an offset)") from None
    if parsed.tzinfo is None:
        return _at(parsed.date(), parsed.time(), zone)
    return parsed.astimezone(timezone.utc)


def parse_week(text: str | None, now: datetime, zone: ZoneInfo) -> tuple[int, int]:
    """(ISO year, ISO week): `2026-W49`, `this week`, `last week`, or a date inside the week."""
    today = now.astimezone(zone).date()
    value = re.sub(r"\s+", " ", (text or "this week").strip().lower())
    if value in ("this week", "current week", "this", "current"):
        day = today
    elif value in ("last week", "previous week", "last", "previous"):
        day = today - timedelta(days=7)
    elif (found := _WEEK.match(value)) is not None:
        year, week = int(found["y"]), int(found["w"])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise PhraseError(f"{year} has no ISO week {week}") from None
        return year, week
    else:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise PhraseError(f"'{text}' is not a week: give 2026-W49, 'this week', 'last week' or a date such as 2026-12-03") from None
    year, week, _ = day.isocalendar()
    return year, week
