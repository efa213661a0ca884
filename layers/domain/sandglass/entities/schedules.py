"""The schedulers (auto-lock, reminders): an organization's due entry and what one tick did."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct


class DueEntry(Struct, frozen=True, kw_only=True):
    """An organization's next run of a scheduled job (auto-lock, reminders). While a tick runs it,
    `next_run` is the tick's lease and `claimed_run` the run's own moment."""
    org_id: str
    job: str
    next_run: datetime
    claimed_run: datetime | None = None


class TickSummary(Struct, frozen=True, kw_only=True):
    """What one scheduled tick did: entries due, run (`changed` of them changed something), skipped
    (claimed elsewhere, or the job is off) and failed (due again when their lease ends)."""
    job: str
    scheduled_time: str  # the scheduler's scheduledTime as it came (else the tick's "now")
    status: str = "OK"
    due: int = 0
    ran: int = 0
    skipped: int = 0
    failed: int = 0
    changed: int = 0
