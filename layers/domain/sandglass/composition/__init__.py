"""The composition root: every service built with its repositories, the clock and the ports.

Handlers ask for a service by name and get one per container and configuration: built on first
use, nothing at import (cold start), and built again after `settings.reset_settings()` (tests and
the dev server change the environment). Only this package chooses adapters (payment provider,
notifier) and subscribes listeners (who follows organization settings); services receive them and
import none of them.

One module per service, named after it, so a function imports only what it serves (the
authorizer loads no pydantic model): `composition.organizations.organizations()`,
`composition.users.users()`, `composition.schedules.schedules()`, `composition.api_keys.api_keys()`,
`composition.authorizer.authorizer()`, `composition.idempotency.idempotency()`,
`composition.billing.billing()`, `composition.purge.purge()`, `composition.requests.requests()`;
`composition.listeners` holds the
settings listeners the organizations and schedules services are given.
This module holds what they share: `table()`, `clock()` and `once`; `composition.notifier` the
notifier port's adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sandglass.clock import Clock, CurrentClock
from sandglass.settings import get_settings
from sandglass.storage.table import Table

T = TypeVar("T")
_built: dict[str, tuple[Any, Any]] = {}  # name -> (the settings it was built under, the service)


def once(build: Callable[[], T]) -> Callable[[], T]:
    """`build` run once per configuration (after `reset_settings()`, a new `get_settings()`
    object: built again)."""
    name = f"{build.__module__}.{build.__qualname__}"

    def get() -> T:
        settings = get_settings()
        entry = _built.get(name)
        if entry is None or entry[0] is not settings:
            entry = _built[name] = (settings, build())
        return entry[1]

    get.__name__, get.__qualname__, get.__doc__ = build.__name__, build.__qualname__, build.__doc__
    return get


def reset() -> None:
    """Forget every built service (the next call builds afresh)."""
    _built.clear()


@once
def table() -> Table:
    return Table()


@once
def clock() -> Clock:
    return CurrentClock()
