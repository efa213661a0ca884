"""Background jobs: the purges a tombstone queues."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct


class PurgeJob(Struct, frozen=True, kw_only=True):
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
