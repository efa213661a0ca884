"""Background jobs: the purges a tombstone queues, and the schedulers' due entries and ticks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PurgeJob:
    """One queued purge: what goes (its kind, organization and target) and since when. Written by
    the tombstone transaction that needs it; each pass counts in `passes` and stamps `touched_at`."""
    kind: str  # keys.PURGE_ORGANIZATION, PURGE_PROJECT, PURGE_USER
    org_id: str
    target: str = "-"  # the deleted project's or member's id; "-" for the organization
    requested_at: datetime | None = None  # the tombstone's instant (the grace period runs from it)
    requested_by: str | None = None
    passes: int = 0
    touched_at: datetime | None = None  # the last pass that did not finish
    project_id: str | None = None  # a deleted project's purge
    cascade: bool | None = None  # ... with its activities
    user_id: str | None = None  # a deleted member's purge
    organization_created_at: datetime | None = None  # a deleted organization's purge


@dataclass(frozen=True, slots=True, kw_only=True)
class DueEntry:
    """An organization's next run of a scheduled job (auto-lock, reminders). While a tick runs it,
    `next_run` is the tick's lease and `claimed_run` the run's own moment."""
    org_id: str
    job: str
    next_run: datetime
    claimed_run: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TickSummary:
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
