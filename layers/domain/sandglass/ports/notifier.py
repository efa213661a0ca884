"""The notifier port: one message to one person (reminders, workflow requests, support sign-ins)."""

from __future__ import annotations

from typing import Any, Protocol

from msgspec import Struct, field


class Notification(Struct, frozen=True):
    to: str
    subject: str
    text: str
    kind: str = "message"
    data: dict[str, Any] = field(default_factory=dict)


class Notifier(Protocol):
    def send(self, notification: Notification) -> None: ...
