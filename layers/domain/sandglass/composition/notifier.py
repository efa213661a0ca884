"""The notifier: whichever adapter the configuration names at each send (SES, the local outbox, a log)."""

from __future__ import annotations

from sandglass.adapters.notifications import ConfiguredNotifier
from sandglass.composition import once
from sandglass.ports.notifier import Notifier


@once
def notifier() -> Notifier:
    return ConfiguredNotifier()
