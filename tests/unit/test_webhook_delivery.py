"""Webhook delivery on in-memory ports: the deliverer, the queue, the resolver and the notifier are
fakes, so the attempt rules run without a network, SQS or a table."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from msgspec.structs import replace

from sandglass.adapters.webhook_http import HttpDeliverer
from sandglass.entities.changes import Change
from sandglass.entities.people import Member
from sandglass.entities.webhooks import Webhook, WebhookEvent
from sandglass.ports.notifier import Notification
from sandglass.ports.webhooks import HttpOutcome, QueuedMessage, UnsafeTarget
from sandglass.services.webhook_delivery import BACKOFF, DEAD, DELIVERED, DISABLE_AFTER, RETRYING, SKIPPED, DeliveryService
from sandglass.services.webhooks import WebhookFanOut

AT = datetime(2026, 7, 15, 9, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime = AT):
        self.at = now

    def now(self) -> datetime:
        return self.at


class Deliverer:
    def __init__(self, *statuses: int | None):
        self.statuses = list(statuses)
        self.posted: list[tuple[str, bytes, dict[str, str]]] = []

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpOutcome:
        self.posted.append((url, body, headers))
        status = self.statuses.pop(0) if self.statuses else 200
        return HttpOutcome(status, 5, "ok" if status else "", None if status else "refused")


class Queue:
    def __init__(self):
        self.sent: list[QueuedMessage] = []
        self.retries: list[tuple[str, int]] = []

    def send(self, messages: list[QueuedMessage]) -> None:
        self.sent.extend(messages)

    def retry_in(self, receipt: str, seconds: int) -> None:
        self.retries.append((receipt, seconds))


class Notifier:
    def __init__(self):
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)


class Users:
    def get(self, org_id: str, user_id: str) -> Member:
        return Member(id=user_id, email=f"{user_id}@example.com", name="Owner", role="Administrator", status="ACTIVE")


class Webhooks:
    """The delivery side of the webhook repository, in memory."""

    def __init__(self, *hooks: Webhook):
        self.hooks = {hook.id: hook for hook in hooks}
        self.log: list[dict] = []

    def get(self, org_id: str, webhook_id: str) -> Webhook | None:
        return self.hooks.get(webhook_id)

    def list(self, org_id: str) -> list[Webhook]:
        return list(self.hooks.values())

    def log_attempt(self, org_id: str, webhook_id: str, event_id: str, fields: dict) -> None:
        self.log.append(fields)

    def mark_failing(self, org_id: str, webhook_id: str, now: datetime) -> Webhook | None:
        hook = self.hooks[webhook_id]
        self.hooks[webhook_id] = hook = replace(hook, failing_since=hook.failing_since or now)
        return hook

    def mark_healthy(self, org_id: str, webhook_id: str) -> None:
        self.hooks[webhook_id] = replace(self.hooks[webhook_id], failing_since=None)

    def disable(self, org_id: str, webhook_id: str, reason: str) -> bool:
        hook = self.hooks[webhook_id]
        self.hooks[webhook_id] = replace(hook, enabled=False, disabled_reason=reason)
        return hook.enabled


def _hook(**fields) -> Webhook:
    return Webhook(**{"org_id": "o", "id": "w", "owner": "u", "name": "n", "url": "https://hooks.example.com/in", "event": "NEW_TIME_ENTRY",
                      "trigger_source_type": "WORKSPACE_ID", "trigger_source": (), "token": "t", "enabled": True, "created_at": AT, **fields})


EVENT = WebhookEvent(org_id="o", webhook_id="w", event_id="42", event_type="NEW_TIME_ENTRY", entity_type="activity", entity_id="a",
                     payload={"a": 1})


def _service(repository: Webhooks, deliverer: Deliverer, clock: Clock | None = None):
    queue, notifier = Queue(), Notifier()
    return DeliveryService(repository, queue, deliverer, notifier, Users(), clock or Clock()), queue, notifier


def test_a_2xx_answer_delivers_and_a_failure_schedules_the_next_attempt():
    repository, deliverer = Webhooks(_hook()), Deliverer(500, 204)
    service, queue, _ = _service(repository, deliverer)
    first = service.deliver(EVENT, 1, "r1")
    assert (first.status, first.status_code, first.retry_in, first.done) == (RETRYING, 500, BACKOFF[0], False)
    assert queue.retries == [("r1", BACKOFF[0])]
    second = service.deliver(EVENT, 2, "r2")
    assert (second.status, second.done) == (DELIVERED, True)
    assert [entry["status"] for entry in repository.log] == [RETRYING, DELIVERED]
    assert repository.hooks["w"].failing_since is None  # healthy again
    url, body, headers = deliverer.posted[0]
    assert url == "https://hooks.example.com/in" and body == b'{"a":1}'
    assert headers["Sandglass-Event-Id"] == "42" and headers["Sandglass-Delivery-Attempt"] == "1" and headers["Clockify-Signature"] == "t"


def test_the_last_attempt_is_dead_and_a_disabled_webhook_is_skipped():
    repository = Webhooks(_hook())
    service, queue, _ = _service(repository, Deliverer(None))
    assert service.deliver(EVENT, 9, "r9").status == DEAD and queue.retries == []
    repository.hooks["w"] = replace(repository.hooks["w"], enabled=False)
    deliverer = Deliverer()
    service, _, _ = _service(repository, deliverer)
    assert service.deliver(EVENT, 1, "r1").status == SKIPPED and deliverer.posted == []
    assert repository.log[-1]["status"] == SKIPPED


def test_an_endpoint_failing_past_the_limit_is_disabled_and_its_owner_told():
    repository = Webhooks(_hook(failing_since=AT - DISABLE_AFTER - timedelta(seconds=1)))
    service, _, notifier = _service(repository, Deliverer(503))
    assert service.deliver(EVENT, 3, "r3").status == RETRYING
    assert repository.hooks["w"].enabled is False
    assert [(n.to, n.kind) for n in notifier.sent] == [("u@example.com", "webhook-disabled")]


def test_fan_out_queues_one_message_per_matching_webhook_and_none_without_a_queue():
    change = Change(org_id="o", position="7", entity_type="activity", entity_id="a", operation="created", at=AT, state={"pending": False})
    queue = Queue()
    assert WebhookFanOut(Webhooks(_hook(), _hook(id="x", event="PROJECT_UPDATED")), queue).fan_out([change]) == 1
    assert [(m.group, m.dedup, m.body["eventType"]) for m in queue.sent] == [("w:a", "w:7", "NEW_TIME_ENTRY")]
    assert WebhookFanOut(Webhooks(_hook()), None).fan_out([change]) == 0


class Resolver:
    def __init__(self, *addresses: str):
        self.addresses = list(addresses)

    def resolve(self, host: str, port: int) -> list[str]:
        if not self.addresses:
            raise UnsafeTarget("The host name does not resolve")
        return self.addresses


def test_the_http_deliverer_refuses_a_name_resolving_to_an_internal_address_without_connecting():
    for addresses in (("10.0.0.5",), ("93.184.216.34", "169.254.169.254"), ()):
        outcome = HttpDeliverer(Resolver(*addresses)).post("https://hooks.example.com/in", b"{}", {})
        assert outcome.status is None and not outcome.ok and outcome.latency_ms == 0
        assert "non-public" in outcome.error or "resolve" in outcome.error
    refused = HttpDeliverer(Resolver("127.0.0.1"), allow_loopback=False).post("http://hooks.example.com/in", b"{}", {})
    assert refused.status is None and "https" in refused.error
