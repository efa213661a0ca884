"""Scheduled auto-lock tick (EventBridge Scheduler, every 15 minutes).

"Now" is the scheduler's `scheduledTime` (a retried or late invocation acts for the moment it was
scheduled), never the wall clock. The rules live in sandglass.services.schedules.
"""

from __future__ import annotations

from sandglass import keys
from sandglass.composition.schedules import schedules as schedule_service
from sandglass.observability import instrumented
from sandglass.dialects.scheduler import scheduled_now, scheduled_time, tick_view

service = schedule_service


@instrumented
def lambda_handler(event: dict, _context) -> dict:
    return tick_view(service().tick(keys.JOB_AUTO_LOCK, scheduled_now(event), scheduled_time(event)))
