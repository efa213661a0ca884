"""Delivering one queued webhook event: one attempt per receipt of its message.

- Headers: `Clockify-Signature` (the webhook's token, Clockify's equality check),
  `Clockify-Webhook-Event-Type`, `Sandglass-Signature: t=…, v1=…` (sandglass.signatures: HMAC-SHA256
  over "t.body" keyed by the token), `Sandglass-Event-Id` (the change's position: the same on every
  redelivery, so receivers deduplicate) and `Sandglass-Delivery-Attempt`.
- A 2xx answer delivers the event. Anything else (another status, a timeout, a refused or unsafe
  target) schedules the next attempt after BACKOFF[attempt] (the message's visibility): 9 attempts
  over about 34 hours; the ninth failure leaves the message to the dead-letter queue and the log
  says DEAD.
- Every attempt updates the event's delivery-log item (status, attempts, response code, latency,
  the capped response body, the next attempt).
- An endpoint failing continuously for DISABLE_AFTER is disabled and its owner notified; a disabled
  or deleted webhook's queued events are logged SKIPPED and dropped.
"""

from __future__ import annotations

import json
from datetime import timedelta

from msgspec import Struct

from sandglass import signatures
from sandglass.clock import Clock
from sandglass.entities.webhooks import Webhook, WebhookEvent
from sandglass.ports.notifier import Notification, Notifier
from sandglass.ports.webhooks import MAX_RECEIVES, DeliveryQueue, WebhookDeliverer
from sandglass.repositories.users import UserRepository
from sandglass.repositories.webhooks import WebhookRepository
from sandglass.timefmt import iso

BACKOFF = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 12 * 3600)  # seconds after attempts 1..8
DISABLE_AFTER = timedelta(days=3)
LOG_RETENTION = timedelta(days=30)
DELIVERED, RETRYING, DEAD, SKIPPED = "DELIVERED", "RETRYING", "DEAD", "SKIPPED"


class Attempt(Struct, frozen=True):
    status: str  # DELIVERED | RETRYING | DEAD | SKIPPED
    status_code: int | None = None
    retry_in: int | None = None  # seconds until the next attempt (RETRYING)

    @property
    def done(self) -> bool:
        """Whether the message is finished with (deleted from the queue) — DEAD ones go to the DLQ."""
        return self.status in (DELIVERED, SKIPPED)


def next_delay(attempt: int) -> int | None:
    """Seconds before attempt `attempt + 1`, None when `attempt` was the last (pure)."""
    return BACKOFF[attempt - 1] if attempt < MAX_RECEIVES and attempt - 1 < len(BACKOFF) else None


def headers_for(webhook: Webhook, event: WebhookEvent, body: bytes, attempt: int, timestamp: int) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": "Sandglass-Webhooks/1", "Clockify-Signature": webhook.token,
            "Clockify-Webhook-Event-Type": event.event_type, signatures.HEADER: signatures.sign(webhook.token, body, timestamp),
            "Sandglass-Event-Id": event.event_id, "Sandglass-Delivery-Attempt": str(attempt)}


class DeliveryService:
    def __init__(self, repository: WebhookRepository, queue: DeliveryQueue | None, deliverer: WebhookDeliverer, notifier: Notifier,
                 users: UserRepository, clock: Clock):
        self.repository = repository
        self.queue = queue
        self.deliverer = deliverer
        self.notifier = notifier
        self.users = users
        self.clock = clock

    def deliver(self, event: WebhookEvent, attempt: int, receipt: str | None) -> Attempt:
        now = self.clock.now()
        webhook = self.repository.get(event.org_id, event.webhook_id)
        base = {"eventId": event.event_id, "eventType": event.event_type, "entityType": event.entity_type, "entityId": event.entity_id,
                "lastAttemptAt": iso(now), "expiresAt": int((now + LOG_RETENTION).timestamp())}
        if webhook is None or not webhook.enabled:
            if webhook is not None:
                self.repository.log_attempt(event.org_id, event.webhook_id, event.event_id, {**base, "status": SKIPPED, "error": "The webhook is disabled"})
            return Attempt(SKIPPED)
        body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()
        outcome = self.deliverer.post(webhook.url, body, headers_for(webhook, event, body, attempt, int(now.timestamp())))
        result = {**base, "statusCode": outcome.status, "latencyMs": outcome.latency_ms, "responseBody": outcome.body[:1024], "error": outcome.error}
        if outcome.ok:
            self.repository.log_attempt(event.org_id, webhook.id, event.event_id, {**result, "status": DELIVERED, "nextAttemptAt": None})
            if webhook.failing_since:
                self.repository.mark_healthy(event.org_id, webhook.id)
            return Attempt(DELIVERED, outcome.status)
        delay = next_delay(attempt)
        status = RETRYING if delay is not None else DEAD
        self.repository.log_attempt(event.org_id, webhook.id, event.event_id,
                                    {**result, "status": status, "nextAttemptAt": iso(now + timedelta(seconds=delay)) if delay else None})
        if delay is not None and receipt and self.queue is not None:
            self.queue.retry_in(receipt, delay)
        self._note_failure(webhook, now)
        return Attempt(status, outcome.status, delay)

    def _note_failure(self, webhook: Webhook, now) -> None:
        failing = self.repository.mark_failing(webhook.org_id, webhook.id, now)
        if failing is None or failing.failing_since is None or now - failing.failing_since < DISABLE_AFTER:
            return
        reason = f"Every delivery since {iso(failing.failing_since)} failed"
        if self.repository.disable(webhook.org_id, webhook.id, reason):
            self._notify_owner(failing, reason)

    def _notify_owner(self, webhook: Webhook, reason: str) -> None:
        owner = self.users.get(webhook.org_id, webhook.owner)
        if owner is not None and owner.email:
            self.notifier.send(Notification(
                to=owner.email, subject=f"Webhook '{webhook.name}' was disabled", kind="webhook-disabled",
                text=f"{reason}: the webhook to {webhook.url} ({webhook.event}) is disabled. Fix the endpoint, then enable it again (PUT /api/webhooks/{webhook.id} with enabled: true).",
                data={"webhookId": webhook.id, "url": webhook.url}))
