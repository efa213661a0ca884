"""The notifier port: one message to one person (reminders, workflow requests, support sign-ins)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Notification:
    to: str
    subject: str
    text: str
    kind: str = "message"
    data: dict[str, Any] = field(default_factory=dict)


class Notifier(Protocol):
    def send(self, notification: Notification) -> None: ...
