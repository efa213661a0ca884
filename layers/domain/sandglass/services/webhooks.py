"""Webhooks: managing them (organization Administrators), and which changes become which events.

Event names mirror Clockify's where it has one (NEW_TIME_ENTRY, TIME_ENTRY_UPDATED, NEW_PROJECT...);
a webhook takes one event type and a trigger (every entity of the organization, or only those of
some projects or members), as Clockify's `webhookEvent` / `triggerSourceType` / `triggerSource`,
so a Clockify dialect maps onto these rules without new ones. Limits: 10 per Administrator, 100 per
organization (one counter item, changed in the webhook's transaction under both limits).

Fan-out: the change-log consumer hands each logged change to `WebhookFanOut`, which queues one
message per matching enabled webhook (group = webhook + entity: per-endpoint order by entity;
deduplication id = webhook + change position: a redelivered change is queued once).
"""

from __future__ import annotations

import secrets
from typing import Any, Iterable

from msgspec.structs import replace

from sandglass import ids
from sandglass.clock import Clock, get_clock
from sandglass.context import DELETED, TenantContext
from sandglass.entities.changes import Change, json_value
from sandglass.entities.webhooks import Deliveries, Webhook, WebhookEvent
from sandglass.errors import Conflict, NotFound, ValidationFailed, check_if_match
from sandglass.ports.webhooks import DeliveryQueue, QueuedMessage, UnsafeTarget, check_url
from sandglass.repositories.webhooks import WebhookRepository
from sandglass.settings import get_settings
from sandglass.repositories import UnitOfWork
from sandglass.timefmt import iso

PER_OWNER = 10
PER_ORGANIZATION = 100

# (entity type, operation) -> event type
EVENTS: dict[tuple[str, str], str] = {
    ("activity", "created"): "NEW_TIME_ENTRY",
    ("activity", "updated"): "TIME_ENTRY_UPDATED",
    ("activity", "deleted"): "TIME_ENTRY_DELETED",
    ("project", "created"): "NEW_PROJECT",
    ("project", "updated"): "PROJECT_UPDATED",
    ("project", "deleted"): "PROJECT_DELETED",
    ("member", "created"): "USER_JOINED_WORKSPACE",
    ("member", "updated"): "USER_UPDATED",
    ("member", "deleted"): "USER_DELETED_FROM_WORKSPACE",
    ("request", "created"): "NEW_APPROVAL_REQUEST",
    ("request", "updated"): "APPROVAL_REQUEST_STATUS_UPDATED",
    ("costRate", "created"): "COST_RATE_UPDATED",
    ("costRate", "updated"): "COST_RATE_UPDATED",
    ("costRate", "deleted"): "COST_RATE_UPDATED",
    ("revenueRate", "created"): "BILLABLE_RATE_UPDATED",
    ("revenueRate", "updated"): "BILLABLE_RATE_UPDATED",
    ("revenueRate", "deleted"): "BILLABLE_RATE_UPDATED",
    # Sandglass's own (Clockify has no lock events)
    ("weekLock", "created"): "TIMESHEET_LOCKED",
    ("weekLock", "deleted"): "TIMESHEET_UNLOCKED",
}
TIMER_STARTED = "NEW_TIMER_STARTED"  # an activity created running (also NEW_TIME_ENTRY)
EVENT_TYPES = tuple(sorted({*EVENTS.values(), TIMER_STARTED}))
TRIGGER_TYPES = ("WORKSPACE_ID", "PROJECT_ID", "USER_ID")


def events_of(change: Change) -> list[str]:
    """The event types one change raises (pure)."""
    kind = (change.entity_type, change.operation)
    if kind == ("member", "updated") and (change.state or {}).get("status") == DELETED:
        kind = ("member", "deleted")  # removing a person keeps their record, marked DELETED: they left the workspace
    found = [EVENTS[kind]] if kind in EVENTS else []
    if change.entity_type == "activity" and change.operation == "created" and (change.state or {}).get("pending"):
        found.append(TIMER_STARTED)
    return found


def triggers(webhook: Webhook, change: Change) -> bool:
    """Whether `webhook` wants `change` (its trigger source; pure)."""
    if not webhook.enabled:
        return False
    if webhook.trigger_source_type == "WORKSPACE_ID":
        return True
    state = change.state or {}
    if webhook.trigger_source_type == "PROJECT_ID":
        project = change.entity_id if change.entity_type == "project" else state.get("projectId")
        return project in webhook.trigger_source
    return (change.owner or state.get("userId")) in webhook.trigger_source


def payload(change: Change, event_type: str) -> dict[str, Any]:
    """What a receiver gets: the event and the change it reports (the entity's state, or a tombstone)."""
    return {"eventId": change.position, "eventType": event_type, "organizationId": change.org_id, "entityType": change.entity_type,
            "entityId": change.entity_id, "operation": change.operation, "at": iso(change.at), "actor": change.actor,
            "state": None if change.state is None else json_value(change.state)}


class WebhookFanOut:
    """Queues the events of logged changes for the webhooks that want them (no queue: no webhooks)."""

    def __init__(self, repository: WebhookRepository, queue: DeliveryQueue | None):
        self.repository = repository
        self.queue = queue

    def fan_out(self, changes: Iterable[Change]) -> int:
        """One Query of webhooks per organization in the batch, one queue send per 10 messages."""
        if self.queue is None:
            return 0
        hooks: dict[str, list[Webhook]] = {}
        messages = []
        for change in changes:
            kinds = events_of(change)
            if not kinds:
                continue
            if change.org_id not in hooks:
                hooks[change.org_id] = self.repository.list(change.org_id)
            for webhook in hooks[change.org_id]:
                if webhook.event in kinds and triggers(webhook, change):
                    event = WebhookEvent(org_id=change.org_id, webhook_id=webhook.id, event_id=change.position, event_type=webhook.event,
                                         entity_type=change.entity_type, entity_id=change.entity_id, payload=payload(change, webhook.event))
                    messages.append(QueuedMessage(group=f"{webhook.id}:{change.entity_id}", dedup=f"{webhook.id}:{change.position}",
                                                  body=event_message(event)))
        if messages:
            self.queue.send(messages)
        return len(messages)


def event_message(event: WebhookEvent) -> dict[str, Any]:
    return {"orgId": event.org_id, "webhookId": event.webhook_id, "eventId": event.event_id, "eventType": event.event_type,
            "entityType": event.entity_type, "entityId": event.entity_id, "payload": event.payload}


def event_from_message(body: dict[str, Any]) -> WebhookEvent:
    return WebhookEvent(org_id=body["orgId"], webhook_id=body["webhookId"], event_id=body["eventId"], event_type=body["eventType"],
                        entity_type=body["entityType"], entity_id=body["entityId"], payload=body["payload"])


# --- management ------------------------------------------------------------------------------------

def new_token() -> str:
    return secrets.token_urlsafe(32)


def check_target(url: str) -> None:
    try:
        check_url(url, allow_loopback=get_settings().webhook_allow_loopback)
    except UnsafeTarget as error:
        raise ValidationFailed.field("url", str(error)) from None


def check_definition(event: str, trigger_type: str, trigger_source: list[str]) -> None:
    if event not in EVENT_TYPES:
        raise ValidationFailed.field("webhookEvent", f"Unknown event; one of {', '.join(EVENT_TYPES)}")
    if trigger_type not in TRIGGER_TYPES:
        raise ValidationFailed.field("triggerSourceType", f"One of {', '.join(TRIGGER_TYPES)}")
    if trigger_type != "WORKSPACE_ID" and not trigger_source:
        raise ValidationFailed.field("triggerSource", "Name at least one id for this trigger type")


class WebhookService:
    def __init__(self, repository: WebhookRepository | None = None, clock: Clock | None = None):
        self.repository = repository or WebhookRepository()
        self.clock = clock

    def list(self, ctx: TenantContext) -> list[Webhook]:
        ctx.require_reads_all()
        return sorted(self.repository.list(ctx.org_id), key=lambda w: (w.created_at, w.id))

    def get(self, ctx: TenantContext, webhook_id: str) -> Webhook:
        """Administrators and Auditors read webhooks; only Administrators change them (`_writable`)."""
        ctx.require_reads_all()
        found = self.repository.get(ctx.org_id, webhook_id) if ids.is_uuid(webhook_id) else None
        if found is None:
            raise NotFound("Webhook not found")
        return found

    def _writable(self, ctx: TenantContext, webhook_id: str) -> Webhook:
        ctx.require_admin()
        return self.get(ctx, webhook_id)

    def create(self, ctx: TenantContext, name: str, url: str, event: str, trigger_type: str, trigger_source: list[str]) -> Webhook:
        ctx.require_admin()
        check_definition(event, trigger_type, trigger_source)
        check_target(url)
        if int(self.repository.counts(ctx.org_id).get(f"owner#{ctx.user_id}", 0)) >= PER_OWNER:
            raise Conflict(f"An Administrator may keep {PER_OWNER} webhooks; delete one first", code="WEBHOOK_LIMIT")
        webhook = Webhook(org_id=ctx.org_id, id=ids.new_id(), owner=ctx.user_id, name=name, url=url, event=event,
                          trigger_source_type=trigger_type, trigger_source=tuple(dict.fromkeys(trigger_source)) if trigger_type != "WORKSPACE_ID" else (),
                          token=new_token(), enabled=True, created_at=(self.clock or get_clock()).now())
        tx = UnitOfWork()
        limit = Conflict(f"An organization may keep {PER_ORGANIZATION} webhooks and an Administrator {PER_OWNER}; delete one first", code="WEBHOOK_LIMIT")
        self.repository.stage_create(tx, webhook, per_owner=PER_OWNER, per_org=PER_ORGANIZATION, fail_owner=limit, fail_org=limit)
        tx.commit()
        return webhook

    def update(self, ctx: TenantContext, webhook_id: str, changes: dict[str, Any], if_match: int | None) -> Webhook:
        current = self._writable(ctx, webhook_id)
        check_if_match("webhook", if_match, current.version)
        fields = {"name": changes.get("name", current.name), "url": changes.get("url", current.url), "event": changes.get("webhookEvent", current.event),
                  "trigger_source_type": changes.get("triggerSourceType", current.trigger_source_type),
                  "trigger_source": tuple(changes.get("triggerSource", current.trigger_source))}
        check_definition(fields["event"], fields["trigger_source_type"], list(fields["trigger_source"]))
        if "url" in changes:
            check_target(fields["url"])
        enabled = changes.get("enabled", current.enabled)
        updated = replace(current, **fields, enabled=enabled, version=current.version + 1,
                          failing_since=None if enabled and not current.enabled else current.failing_since,
                          disabled_reason=None if enabled else current.disabled_reason)
        tx = UnitOfWork()
        self.repository.stage_replace(tx, updated, current.version)
        tx.commit()
        return updated

    def rotate_token(self, ctx: TenantContext, webhook_id: str) -> Webhook:
        current = self._writable(ctx, webhook_id)
        updated = replace(current, token=new_token(), version=current.version + 1)
        tx = UnitOfWork()
        self.repository.stage_replace(tx, updated, current.version)
        tx.commit()
        return updated

    def delete(self, ctx: TenantContext, webhook_id: str, if_match: int | None) -> None:
        current = self._writable(ctx, webhook_id)
        check_if_match("webhook", if_match, current.version)
        tx = UnitOfWork()
        self.repository.stage_delete(tx, current, current.version)
        tx.commit()

    def deliveries(self, ctx: TenantContext, webhook_id: str, limit: int, cursor: str | None) -> Deliveries:
        self.get(ctx, webhook_id)
        return self.repository.deliveries(ctx.org_id, webhook_id, limit, cursor)

