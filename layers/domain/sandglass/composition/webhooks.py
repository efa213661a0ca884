"""Webhooks: management, the fan-out of logged changes onto the delivery queue, and delivery over
HTTP (the queue the environment names: SQS, the in-process one, or none)."""

from __future__ import annotations

from sandglass.adapters.delivery_queue import queue_from_env
from sandglass.adapters.webhook_http import HttpDeliverer, SocketResolver
from sandglass.composition import clock, once, table
from sandglass.composition.notifier import notifier
from sandglass.repositories.users import UserRepository
from sandglass.repositories.webhooks import WebhookRepository
from sandglass.services.webhook_delivery import DeliveryService
from sandglass.services.webhooks import WebhookFanOut, WebhookService
from sandglass.settings import get_settings


@once
def webhooks() -> WebhookService:
    return WebhookService(WebhookRepository(table()), clock())


@once
def fan_out() -> WebhookFanOut:
    return WebhookFanOut(WebhookRepository(table()), queue_from_env())


@once
def delivery() -> DeliveryService:
    deliverer = HttpDeliverer(SocketResolver(), allow_loopback=get_settings().webhook_allow_loopback)
    return DeliveryService(WebhookRepository(table()), queue_from_env(), deliverer, notifier(), UserRepository(table()), clock())
