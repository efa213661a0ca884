"""Notifications: the notifier port (sandglass.ports.notifier) and its adapters
(sandglass.adapters.notifications) under the names their callers know."""

from __future__ import annotations

from sandglass.adapters.notifications import (
    ConfiguredNotifier,
    LogNotifier,
    MemoryNotifier,
    OutboxNotifier,
    SesNotifier,
    configured_notifier,
)
from sandglass.ports.notifier import Notification, Notifier

__all__ = ["ConfiguredNotifier", "LogNotifier", "MemoryNotifier", "Notification", "Notifier", "OutboxNotifier", "SesNotifier",
           "configured_notifier", "notifier_from_env"]

# the adapter the environment names (kept for the callers that know it by this name)
notifier_from_env = configured_notifier
