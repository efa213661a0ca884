"""The webhook ports: the delivery queue, the HTTP deliverer and the name resolution its
server-side-request-forgery check needs; and the target rules every deliverer applies.

Adapters: `sandglass.adapters.delivery_queue` (SQS FIFO, or the in-process queue),
`sandglass.adapters.webhook_http` (urllib3, and the system's resolver). The composition root
(`sandglass.composition.webhooks`) hands them to the webhook services.

The target rules are pure: a URL is deliverable when its form is (`check_url`: https, or http and
loopback in development; no credentials; a valid port) and every address its host resolves to at
delivery is public (`check_address`: not private, loopback, link-local, multicast, reserved or
unspecified).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Protocol
from urllib.parse import urlsplit

from msgspec import Struct


MAX_RECEIVES = 9  # attempts before the dead-letter queue (template.yaml: RedrivePolicy maxReceiveCount)


class QueuedMessage(Struct, frozen=True):
    group: str  # messages of one group are delivered in order, one at a time
    dedup: str  # a message whose dedup id was sent before is dropped
    body: dict[str, Any]


class DeliveryQueue(Protocol):
    def send(self, messages: list[QueuedMessage]) -> None: ...

    def retry_in(self, receipt: str, seconds: int) -> None:
        """Make the received message `receipt` visible again after `seconds`."""


class UnsafeTarget(ValueError):
    """The URL may not be delivered to (scheme, or an address that is not public)."""


class HttpOutcome(Struct, frozen=True):
    status: int | None  # None: no answer (refused, timed out, unsafe)
    latency_ms: int
    body: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookDeliverer(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpOutcome:
        """One attempt: POST `body` to `url` (checked with the target rules), never raising."""


class AddressResolver(Protocol):
    def resolve(self, host: str, port: int) -> list[str]:
        """Every address `host` resolves to (UnsafeTarget when it does not resolve)."""


def check_url(url: str, *, allow_loopback: bool) -> tuple[str, str, int]:
    """(scheme, host, port) of a deliverable URL, or UnsafeTarget. Only the form is checked here."""
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_loopback else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise UnsafeTarget("The URL must be https://" + (" (or http:// locally)" if allow_loopback else ""))
    if parts.username or parts.password:
        raise UnsafeTarget("The URL must not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget("The URL's port is invalid") from None
    literal = _literal_address(parts.hostname)
    if literal is not None:
        check_address(literal, allow_loopback)
    elif parts.hostname.lower() in ("localhost", "localhost.localdomain") and not allow_loopback:
        raise UnsafeTarget("The URL must not point at this host")
    return parts.scheme, parts.hostname, port


def public_address(addresses: list[str], *, allow_loopback: bool) -> str:
    """The address to connect to: every address a name resolved to must be allowed."""
    parsed = [ipaddress.ip_address(address.split("%", 1)[0]) for address in addresses]
    if not parsed:
        raise UnsafeTarget("The host name does not resolve")
    for address in parsed:
        check_address(address, allow_loopback)
    return str(parsed[0])


def _literal_address(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_address(address, allow_loopback: bool) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback and allow_loopback:
        return
    if (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast or address.is_reserved
            or address.is_unspecified or not address.is_global):
        raise UnsafeTarget(f"The URL resolves to a non-public address ({address})")
