"""POSTs a webhook delivery, safely (urllib3, no redirects, a timeout, a capped response read).

Server-side request forgery: the target's host name is resolved HERE, at delivery, and every
address it resolves to must be public (not private, loopback, link-local, multicast, reserved or
unspecified); the connection then goes to the checked address (the Host header and TLS server name
stay the host name), so a DNS answer that changes between the check and the connect (rebinding)
cannot reach an internal address. Production requires https. Development (`allow_loopback`) also
takes http and loopback addresses, so a receiver on 127.0.0.1 works under `make dev`.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

RESPONSE_CAP = 4096  # bytes of a receiver's answer read (and logged)
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0


class UnsafeTarget(ValueError):
    """The URL may not be delivered to (scheme, or an address that is not public)."""


@dataclass(frozen=True)
class HttpOutcome:
    status: int | None  # None: no answer (refused, timed out, unsafe)
    latency_ms: int
    body: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


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
        _check_address(literal, allow_loopback)
    elif parts.hostname.lower() in ("localhost", "localhost.localdomain") and not allow_loopback:
        raise UnsafeTarget("The URL must not point at this host")
    return parts.scheme, parts.hostname, port


def resolve_public(host: str, port: int, *, allow_loopback: bool) -> str:
    """The address to connect to: every address the name resolves to must be allowed."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise UnsafeTarget(f"The host name does not resolve: {error}") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    for address in addresses:
        _check_address(address, allow_loopback)
    return str(addresses[0])


def _literal_address(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _check_address(address, allow_loopback: bool) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback and allow_loopback:
        return
    if (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast or address.is_reserved
            or address.is_unspecified or not address.is_global):
        raise UnsafeTarget(f"The URL resolves to a non-public address ({address})")


def post(url: str, body: bytes, headers: dict[str, str], *, allow_loopback: bool = False,
         connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT) -> HttpOutcome:
    """One attempt: POST `body` to `url`; never follows a redirect, reads at most RESPONSE_CAP bytes."""
    import urllib3

    started = time.monotonic()
    try:
        scheme, host, port = check_url(url, allow_loopback=allow_loopback)
        address = resolve_public(host, port, allow_loopback=allow_loopback)
    except UnsafeTarget as error:
        return HttpOutcome(None, 0, "", str(error))
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(address, port, timeout=timeout, retries=False, server_hostname=host, assert_hostname=host,
                                           cert_reqs="CERT_REQUIRED")
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    try:
        response = pool.urlopen("POST", path, body=body, headers={**headers, "Host": parts.netloc.rsplit("@", 1)[-1]},
                                redirect=False, preload_content=False, retries=False)
        try:
            answer = response.read(RESPONSE_CAP, decode_content=False)
        finally:
            response.release_conn()
            response.close()
        return HttpOutcome(response.status, _ms(started), answer.decode("utf-8", errors="replace"))
    except Exception as error:  # timeouts, refusals, TLS failures: an attempt that got no answer
        return HttpOutcome(None, _ms(started), "", f"{type(error).__name__}: {error}"[:300])
    finally:
        pool.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
