"""POSTs a webhook delivery, safely (urllib3, no redirects, a timeout, a capped response read).

Server-side request forgery: the target's host name is resolved HERE, at delivery, and every
address it resolves to must be public (not private, loopback, link-local, multicast, reserved or
unspecified); the connection then goes to the checked address (the Host header and TLS server name
stay the host name), so a DNS answer that changes between the check and the connect (rebinding)
cannot reach an internal address. Production requires https. Development (`allow_loopback`) also
takes http and loopback addresses, so a receiver on 127.0.0.1 works under `make dev`.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from sandglass.ports.webhooks import (  # noqa: F401  (the port's names, as this adapter's callers know them)
    AddressResolver,
    HttpOutcome,
    UnsafeTarget,
    check_address,
    check_url,
    public_address,
)

RESPONSE_CAP = 4096  # bytes of a receiver's answer read (and logged)
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0


class SocketResolver:
    """The system's resolver (`socket.getaddrinfo`)."""

    def resolve(self, host: str, port: int) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except OSError as error:
            raise UnsafeTarget(f"The host name does not resolve: {error}") from None
        return [info[4][0] for info in infos]


class HttpDeliverer:
    """The webhook deliverer port over urllib3, resolving names with `resolver`."""

    def __init__(self, resolver: AddressResolver | None = None, *, allow_loopback: bool = False,
                 connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT):
        self.resolver = resolver or SocketResolver()
        self.allow_loopback = allow_loopback
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpOutcome:
        return post(url, body, headers, allow_loopback=self.allow_loopback, connect_timeout=self.connect_timeout,
                    read_timeout=self.read_timeout, resolver=self.resolver)


def resolve_public(host: str, port: int, *, allow_loopback: bool, resolver: AddressResolver | None = None) -> str:
    """The address to connect to: every address the name resolves to must be allowed."""
    return public_address((resolver or SocketResolver()).resolve(host, port), allow_loopback=allow_loopback)


def post(url: str, body: bytes, headers: dict[str, str], *, allow_loopback: bool = False,
         connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT, resolver: AddressResolver | None = None) -> HttpOutcome:
    """One attempt: POST `body` to `url`; never follows a redirect, reads at most RESPONSE_CAP bytes."""
    import urllib3

    started = time.monotonic()
    try:
        scheme, host, port = check_url(url, allow_loopback=allow_loopback)
        address = resolve_public(host, port, allow_loopback=allow_loopback, resolver=resolver)
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
