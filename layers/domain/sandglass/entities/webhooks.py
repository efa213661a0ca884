"""An outbound webhook: an organization's endpoint that receives one event type, signed."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct


class Webhook(Struct, frozen=True, kw_only=True):
    org_id: str
    id: str
    owner: str  # the Administrator (member id) who created it: limits count per owner; disabling notifies them
    name: str
    url: str
    event: str  # one event type per webhook (Clockify's `webhookEvent`), e.g. NEW_TIME_ENTRY
    trigger_source_type: str  # WORKSPACE_ID (every entity), PROJECT_ID or USER_ID
    trigger_source: tuple[str, ...]  # the project or member ids that trigger it (empty for WORKSPACE_ID)
    token: str  # the shared secret: sent as Clockify-Signature, and the key of Sandglass-Signature's HMAC
    enabled: bool
    created_at: datetime
    version: int = 1
    failing_since: datetime | None = None  # first failed attempt of the current run of failures
    disabled_reason: str | None = None


class WebhookEvent(Struct, frozen=True, kw_only=True):
    """One event for one webhook, as queued for delivery (its id is the change's position: stable
    across redeliveries, so receivers deduplicate on it)."""

    org_id: str
    webhook_id: str
    event_id: str
    event_type: str
    entity_type: str
    entity_id: str
    payload: dict


class Delivery(Struct, frozen=True, kw_only=True):
    """One event's entry in a webhook's delivery log: its last attempt and how many there were."""

    event_id: str
    event_type: str
    entity_type: str
    entity_id: str
    status: str  # DELIVERED | RETRYING | DEAD | SKIPPED
    last_attempt_at: datetime
    attempts: int = 0
    status_code: int | None = None  # the receiver's answer; None: none (a timeout, a refused target, skipped)
    latency_ms: int | None = None
    response_body: str | None = None  # capped
    error: str | None = None
    next_attempt_at: datetime | None = None  # RETRYING only


class Deliveries(Struct, frozen=True, kw_only=True):
    """One page of a delivery log, newest event first, and the signed cursor of the next page."""

    items: tuple[Delivery, ...]
    cursor: str | None = None
