"""Webhook delivery: one attempt over HTTP (names resolved by the system's resolver, checked by the
target rules), retries through the queue the environment names, the owner told through the notifier."""

from __future__ import annotations

from sandglass.adapters.delivery_queue import queue_from_env
from sandglass.adapters.webhook_http import HttpDeliverer, SocketResolver
from sandglass.composition import clock, once, table
from sandglass.composition.notifier import notifier
from sandglass.repositories.users import UserRepository
from sandglass.repositories.webhooks import WebhookRepository
from sandglass.services.webhook_delivery import DeliveryService
from sandglass.settings import get_settings


@once
def delivery() -> DeliveryService:
    deliverer = HttpDeliverer(SocketResolver(), allow_loopback=get_settings().webhook_allow_loopback)
    return DeliveryService(WebhookRepository(table()), queue_from_env(), deliverer, notifier(), UserRepository(table()), clock())
