"""The scheduled ticks at their functions' edge (AutoLockFunction, RemindersFunction): the
EventBridge Scheduler's event in, the tick's summary out.

A dialect of its own rather than a Sandtime model: the scheduled functions then load no pydantic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandglass.entities.schedules import TickSummary
from sandglass.timefmt import parse_instant


def scheduled_time(event: dict[str, Any] | None) -> str | None:
    """The ScheduleV2 Input's scheduledTime, as it came."""
    return (event or {}).get("scheduledTime")


def scheduled_now(event: dict[str, Any] | None) -> datetime:
    """The tick's "now": the event's scheduledTime (refused if absent or malformed, so a
    misconfigured schedule fails loudly instead of acting on the wall clock)."""
    raw = scheduled_time(event)
    if not raw:
        raise ValueError("The scheduled event carries no scheduledTime (ScheduleV2 Input must pass <aws.scheduler.scheduled-time>)")
    return parse_instant(raw)


def tick_view(summary: TickSummary) -> dict[str, Any]:
    """The function's answer (what the scheduler's logs and `sandglass_local fire` show)."""
    return {"job": summary.job, "status": summary.status, "scheduledTime": summary.scheduled_time, "due": summary.due, "ran": summary.ran,
            "skipped": summary.skipped, "failed": summary.failed, "changed": summary.changed}
