"""Fixtures for the change feed: the table's stream delivered to its consumers after every request."""

from __future__ import annotations

import pytest

ADMIN = "admin@acme.test"


@pytest.fixture
def streaming(gateway):
    """The stream consumers run after each request (as the dev server's poller runs them), and
    webhook events go to the local queue (loopback receivers allowed) until the test ends."""
    import os

    from sandglass.settings import reset_settings

    yield gateway.start_streams()
    for name in ("WEBHOOK_QUEUE", "WEBHOOK_ALLOW_LOOPBACK"):
        os.environ.pop(name, None)
    reset_settings()


@pytest.fixture
def feed(api, streaming):
    """Read the whole feed as `who` from `since` (every page); returns (changes, last cursor)."""

    def read(who: str = ADMIN, since: str | None = None, **params):
        changes, cursor = [], since
        while True:
            query = {**{k: str(v) for k, v in params.items()}, **({"since": cursor} if cursor else {})}
            reply = api.get("/changes", as_=who, org="acme", query=query)
            assert reply.status == 200, reply.body
            body = reply.json()
            changes.extend(body["changes"])
            cursor = body["nextCursor"]
            if not body["hasMore"]:
                return changes, cursor

    return read


class Receiver:
    """A loopback HTTP receiver: records every POST; answers the statuses queued in `script`, then 200."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received: list[dict] = []
        self.script: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.stop()
