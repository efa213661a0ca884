"""Scheduled auto-lock tick (EventBridge Scheduler, every 15 minutes).

The tick's work (finding due organizations and doing it idempotently) is built by the
Timesheets issue; until then the tick reports honestly that it did nothing.
"""

from __future__ import annotations

import logging

from sandglass.observability import instrumented

logger = logging.getLogger("sandglass.auto_lock")


@instrumented
def lambda_handler(event: dict, _context) -> dict:
    scheduled_time = (event or {}).get("scheduledTime")
    logger.warning("auto-lock tick received but not built yet", extra={"scheduledTime": scheduled_time})
    return {"job": "auto-lock", "scheduledTime": scheduled_time, "status": "NOT_IMPLEMENTED", "organizations": 0}
