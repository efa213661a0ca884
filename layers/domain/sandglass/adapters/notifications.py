"""Notifier adapters (the port: sandglass.ports.notifier).

- `ses`: Amazon SES (sesv2 SendEmail) from NOTIFICATION_SENDER; with NOTIFICATION_TEMPLATE set it
  sends that SES template with the notification's data, otherwise a plain-text email.
- `outbox`: the local stack's outbox: each notification is appended as one JSON line to
  OUTBOX_PATH (`.local/outbox.jsonl` under `make dev`) and printed.
- `log`: logs only (SES chosen but no sender configured).
NOTIFIER picks the adapter (the template sets `ses`; the dev server sets `outbox`).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from typing import Any

from msgspec.structs import asdict

from sandglass.adapters.aws import LazyClient
from sandglass.ports.notifier import Notification, Notifier
from sandglass.settings import NotifierSettings, notifier_settings

logger = logging.getLogger("sandglass.notifications")


class SesNotifier(LazyClient):
    service = "sesv2"

    def __init__(self, sender: str, template: str | None = None, configuration_set: str | None = None):
        self.sender, self.template, self.configuration_set = sender, template, configuration_set

    def send(self, notification: Notification) -> None:
        if self.template:
            content = {"Template": {"TemplateName": self.template, "TemplateData": json.dumps({"subject": notification.subject, "text": notification.text, **notification.data})}}
        else:
            content = {"Simple": {"Subject": {"Data": notification.subject, "Charset": "UTF-8"}, "Body": {"Text": {"Data": notification.text, "Charset": "UTF-8"}}}}
        params: dict[str, Any] = {"FromEmailAddress": self.sender, "Destination": {"ToAddresses": [notification.to]}, "Content": content}
        if self.configuration_set:
            params["ConfigurationSetName"] = self.configuration_set
        self.client().send_email(**params)


class OutboxNotifier:
    _lock = threading.Lock()

    def __init__(self, path: str, echo: bool = True):
        self.path, self.echo = path, echo

    def send(self, notification: Notification) -> None:
        line = json.dumps(asdict(notification), separators=(",", ":"))
        with self._lock:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as outbox:
                outbox.write(line + "\n")
        if self.echo:
            print(f"[notify] to {notification.to}: {notification.subject}", flush=True)

    def read(self) -> list[Notification]:
        if not os.path.exists(self.path):
            return []
        with open(self.path, encoding="utf-8") as outbox:
            return [Notification(**json.loads(line)) for line in outbox if line.strip()]


class LogNotifier:
    def send(self, notification: Notification) -> None:
        logger.warning("notification not delivered (no NOTIFICATION_SENDER configured)", extra={"to": notification.to, "subject": notification.subject})


class MemoryNotifier:
    """Keeps what it is given (unit tests)."""

    def __init__(self):
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)


def configured_notifier() -> Notifier:
    """The adapter the configuration names now; one per configuration, so a container reuses its
    SES client and a changed environment (the dev server, tests) takes effect at once."""
    return _notifier(notifier_settings())


@functools.lru_cache(maxsize=8)
def _notifier(config: NotifierSettings) -> Notifier:
    if config.kind == "outbox":
        return OutboxNotifier(config.outbox_path)
    if config.kind == "ses" and config.sender:
        return SesNotifier(config.sender, config.template, config.configuration_set)
    return LogNotifier()


class ConfiguredNotifier:
    """A notifier that sends through whichever adapter the configuration names at each send."""

    def send(self, notification: Notification) -> None:
        configured_notifier().send(notification)
