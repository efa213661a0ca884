"""Webhooks: management, and the fan-out of logged changes onto the delivery queue the environment
names (SQS, the in-process one, or none). Delivery: `composition.webhook_delivery`."""

from __future__ import annotations

from sandglass.adapters.delivery_queue import queue_from_env
from sandglass.composition import clock, once, table
from sandglass.repositories.webhooks import WebhookRepository
from sandglass.services.webhooks import WebhookFanOut, WebhookService


@once
def webhooks() -> WebhookService:
    return WebhookService(WebhookRepository(table()), clock())


@once
def fan_out() -> WebhookFanOut:
    return WebhookFanOut(WebhookRepository(table()), queue_from_env())
