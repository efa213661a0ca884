"""An injectable clock: services ask it for "now" so tests and the scheduler can travel in time."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until told to move (tests, `--at` time travel)."""

    def __init__(self, instant: datetime):
        self.instant = instant.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self.instant

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.instant += timedelta(**delta)


_clock: Clock = SystemClock()


def get_clock() -> Clock:
    return _clock


def set_clock(clock: Clock) -> None:
    global _clock
    _clock = clock
