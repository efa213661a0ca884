"""An injectable clock: services ask it for "now" so tests and the scheduler can travel in time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
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
        self.instant += timedelta(**delta)


class CurrentClock:
    """The process's clock as `set_clock` last installed it, asked at every call: what the
    composition root hands to services, so time travel (tests, the dev server's `--at`) reaches
    services built before it."""

    def now(self) -> datetime:
        return _clock.now()


_clock: Clock = SystemClock()


def get_clock() -> Clock:
    return _clock


def set_clock(clock: Clock) -> None:
    global _clock
    _clock = clock
