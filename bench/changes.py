"""Benchmark: the change log and webhooks, locally (moto in-process, the gateway emulation, the
stream poller of the dev server polling every 50 ms, a loopback webhook receiver).

Runs N activity writes (create, update, delete in turn) through POST/PUT/DELETE /api/activities
with a NEW_TIME_ENTRY webhook registered, and prints:
- stream-to-log latency p50/p99: from the write's commit (the stream record's creation time) to the
  end of its change-log PutItem;
- stream-to-delivery latency p50/p99: from the commit to the loopback receiver getting the event;
- DynamoDB calls of the stream consumer per logged change (writes: the target is one; reads: the
  webhooks Query, once per organization per batch).
Prints figures; asserts nothing but that every change was logged and every event delivered.

    python bench/changes.py [--writes 300] [--smoke]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("DYNAMODB_ENDPOINT", None)

from moto import mock_aws  # noqa: E402

ADMIN = "admin@bench.test"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def main(writes: int) -> int:
    received: list[float] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(time.time())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    with mock_aws():
        import boto3

        from sandglass.repositories.changes import ChangeRepository
        from sandglass_local import motolock, motomemory, motoundo, txconflicts
        from sandglass_local import template as tpl
        from sandglass_local.callcounter import CallCounter
        from sandglass_local.gateway import CURRENT_FUNCTION, Gateway
        from sandglass_local.streams import PumpThread

        motolock.install()
        motoundo.install()  # moto as the dev server runs it: no table copy per transaction, no history kept
        motomemory.install()
        txconflicts.install()
        tpl.create_table(boto3.client("dynamodb"), "sandglass-bench")
        gateway = Gateway(table_name="sandglass-bench", environment={"JWT_SECRET": "bench-secret-that-is-long-enough-for-hs256",
                                                                     "JWT_SECRET_PARAMETER": "", "CORS_ORIGINS": "",
                                                                     # the functions' INFO logs and metrics would bury the figures
                                                                     "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"})
        from sandglass.services.auth import issue_token
        from sandglass.storage.table import client

        token = issue_token(ADMIN)
        headers = {"Authorization": f"Bearer {token}", "X-Organization": "bench"}
        assert gateway.request("POST", "/api/organizations", headers={"Authorization": f"Bearer {token}"},
                               body={"name": "Bench", "domain": "bench"}).status == 200
        pump = gateway.start_streams(after_requests=False)
        gateway.webhooks.echo = False
        hook = gateway.request("POST", "/api/webhooks", headers=headers, body={"name": "Bench", "url": f"http://127.0.0.1:{receiver.server_port}/in",
                                                                              "webhookEvent": "NEW_TIME_ENTRY"})
        assert hook.status == 200, hook.body
        project = gateway.request("POST", "/api/projects", headers=headers, body={"name": "Bench"}).json()["id"]

        logged: list[float] = []  # latency of each log write, seconds after its commit
        record = ChangeRepository.record

        def timed(self, change, expires_at):
            written = record(self, change, expires_at)
            logged.append(time.time() - change.at.timestamp())
            return written

        ChangeRepository.record = timed
        consumer = CallCounter()

        def count_consumer_calls(model, **kwargs):  # the shared client: count only the consumer's own calls
            if CURRENT_FUNCTION.get() == "ChangesStreamFunction":
                consumer._record(model, **kwargs)

        client().meta.events.register("before-call.dynamodb", count_consumer_calls)
        poller = PumpThread(pump, queue=gateway.webhooks)
        committed: list[float] = []
        ids: list[str] = []
        for n in range(writes):
            kind = n % 3
            if kind == 0 or not ids:
                reply = gateway.request("POST", "/api/activities", headers=headers, body={
                    "name": f"Work {n}", "projectId": project, "startedAt": f"2026-06-{n % 28 + 1:02d}T09:00:00Z", "endedAt": f"2026-06-{n % 28 + 1:02d}T10:00:00Z"})
                ids.append(reply.json()["id"])
                committed.append(time.time())
            elif kind == 1:
                reply = gateway.request("PUT", f"/api/activities/{ids[-1]}", headers=headers, body={"name": f"Edited {n}"})
            else:
                reply = gateway.request("DELETE", f"/api/activities/{ids.pop()}", headers=headers)
            assert reply.status == 200, reply.body
            time.sleep(0.01)  # a steady stream of writes, not one burst
        deadline = time.monotonic() + 30
        while (len(logged) < writes or len(received) < len(committed)) and time.monotonic() < deadline:
            time.sleep(0.05)
        poller.stop()
        ChangeRepository.record = record
        receiver.shutdown()
        delivered = [arrived - sent for arrived, sent in zip(received, committed)]
        per_change = len(logged) or 1
        print(f"{'measure':<34}{'count':>7}{'p50 ms':>10}{'p99 ms':>10}")
        print(f"{'stream-to-log (commit -> log)':<34}{len(logged):>7}{_percentile(logged, 0.5) * 1000:>10.1f}{_percentile(logged, 0.99) * 1000:>10.1f}")
        print(f"{'stream-to-delivery (commit -> rx)':<34}{len(delivered):>7}{_percentile(delivered, 0.5) * 1000:>10.1f}{_percentile(delivered, 0.99) * 1000:>10.1f}")
        print(f"consumer DynamoDB calls per logged change: writes {consumer.writes / per_change:.2f}, reads {consumer.reads / per_change:.2f} "
              f"({dict(consumer.calls)} for {len(logged)} changes; poll interval 50 ms)")
        if len(logged) < writes or len(received) < len(committed):
            print(f"incomplete: {len(logged)} of {writes} changes logged, {len(received)} of {len(committed)} events delivered", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--smoke", action="store_true", help="a tiny run (tests)")
    arguments = parser.parse_args()
    sys.exit(main(12 if arguments.smoke else arguments.writes))
