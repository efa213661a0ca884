"""Benchmark: the dev server (`make dev`) as a client sees it, on loopback.

Starts `python -m sandglass_local serve` in a subprocess (its own state folder in /tmp, free
ports, state persisted as `make dev` does), then prints one table:
- latency p50/p99 of GET /api/auth (the authorizer and the workspace function, two DynamoDB
  reads) on one keep-alive connection and on a new connection per request;
- POST /api/activities throughput with 1 and 8 clients (each on its own keep-alive connection);
next to the baseline measured in the same run: GET /api/health (no credentials, no database), the
cost of the HTTP layer and the gateway emulation alone. Every loop is bounded in requests and in
seconds. Prints figures; asserts nothing but that the server answered.

    python bench/dev_server.py [--requests 200] [--posts 400] [--seconds 20] [--smoke]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_HOUR = datetime(2026, 1, 1)  # POSTed activities start here, one hour apart


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DevServer:
    """A dev server subprocess on free loopback ports, its state in a temporary folder."""

    def __init__(self, state_dir: str):
        self.web, self.db = _free_port(), _free_port()
        env = {**os.environ, "SANDGLASS_STATE_DIR": state_dir, "SANDGLASS_DYNAMODB_PORT": str(self.db), "PYTHONUNBUFFERED": "1"}
        env.pop("DYNAMODB_ENDPOINT", None)
        env.pop("SANDGLASS_DYNAMODB_ENDPOINT", None)
        self.process = subprocess.Popen([sys.executable, "-m", "sandglass_local", "serve", "--port", str(self.web), "--no-schedules"],
                                        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output, deadline = "", time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            output += line
            if "export TOKEN=" in line:
                self.token = re.search(r"TOKEN=(\S+)", line).group(1)
                break
            if self.process.poll() is not None:
                raise SystemExit(f"the dev server did not start:\n{output}")
        else:
            self.process.kill()
            raise SystemExit(f"the dev server did not start within 120 s:\n{output}")
        # drain the request log so the server never blocks on a full pipe
        threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Organization": "acme", "Content-Type": "application/json"}

    def stop(self) -> float:
        """SIGTERM; the seconds until the process exited."""
        started = time.monotonic()
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - started


def _request(connection: http.client.HTTPConnection, method: str, path: str, headers: dict, body: bytes | None = None) -> int:
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def latencies(server: DevServer, path: str, *, keep_alive: bool, count: int, seconds: float, authorized: bool) -> list[float]:
    """Seconds per request of `count` GETs (fewer if `seconds` run out), after 20 warm-up requests."""
    headers = server.headers() if authorized else {}
    found: list[float] = []
    connection = http.client.HTTPConnection("127.0.0.1", server.web, timeout=30)
    for _ in range(20):
        _request(connection, "GET", path, headers)
    deadline = time.monotonic() + seconds
    try:
        while len(found) < count and time.monotonic() < deadline:
            if not keep_alive:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", server.web, timeout=30)
            started = time.perf_counter()
            status = _request(connection, "GET", path, headers)
            found.append(time.perf_counter() - started)
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}")
    finally:
        connection.close()
    return found


def project_id(server: DevServer) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", server.web, timeout=30)
    try:
        connection.request("GET", "/api/projects", headers=server.headers())
        projects = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    return next(iter(projects))


def throughput(server: DevServer, clients: int, total: int, seconds: float, project: str, offset: int) -> tuple[float, list[float], Counter]:
    """`clients` threads POST /api/activities on their own keep-alive connection until `total`
    requests were sent or `seconds` ran out: (requests per second, latencies, statuses other than
    200/201: 409 when the embedded DynamoDB cancels overlapping transactions, as DynamoDB does)."""
    body = {"name": "Bench", "projectId": project}
    timings: list[list[float]] = [[] for _ in range(clients)]
    failures: Counter = Counter()
    claimed = iter(range(total))
    claim = threading.Lock()
    deadline = time.monotonic() + seconds
    barrier = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.web, timeout=60)
        barrier.wait()
        try:
            while time.monotonic() < deadline:
                with claim:
                    sequence = next(claimed, None)
                if sequence is None:
                    return
                # one hour apart from 2026-01-01: no activity overlaps another
                start = (FIRST_HOUR + timedelta(hours=offset + sequence)).strftime("%Y-%m-%dT%H:00:00Z")
                data = json.dumps({**body, "startedAt": start, "endedAt": start.replace(":00:00Z", ":30:00Z")}).encode()
                started = time.perf_counter()
                status = _request(connection, "POST", "/api/activities", server.headers(), data)
                timings[number].append(time.perf_counter() - started)
                if status not in (200, 201):
                    with claim:
                        failures[status] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    found = [value for values in timings for value in values]
    return len(found) / elapsed, found, failures


def _ms(values: list[float], quantile: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="GETs per latency row")
    parser.add_argument("--posts", type=int, default=400, help="POSTs per throughput row")
    parser.add_argument("--seconds", type=float, default=20, help="time limit of each row")
    parser.add_argument("--smoke", action="store_true", help="a few requests per row (checks that the bench runs)")
    args = parser.parse_args()
    if args.smoke:
        args.requests, args.posts, args.seconds = 5, 8, 10
    with tempfile.TemporaryDirectory(prefix="sandglass-bench-") as state_dir:
        started = time.monotonic()
        server = DevServer(state_dir)
        start_seconds = time.monotonic() - started
        try:
            rows = []
            for label, path, keep_alive, authorized in (("GET /health keep-alive (baseline)", "/api/health", True, False),
                                                        ("GET /health new connection (baseline)", "/api/health", False, False),
                                                        ("GET /auth keep-alive", "/api/auth", True, True),
                                                        ("GET /auth new connection", "/api/auth", False, True)):
                found = latencies(server, path, keep_alive=keep_alive, count=args.requests, seconds=args.seconds, authorized=authorized)
                rows.append((label, len(found), _ms(found, 0.5), _ms(found, 0.99), f"{len(found) / sum(found):.0f}" if found else "-", ""))
            project = project_id(server)
            offset = 0
            for clients in (1, 8):
                rate, found, failures = throughput(server, clients, args.posts, args.seconds, project, offset)
                offset += args.posts
                rows.append((f"POST /activities, {clients} client{'s' if clients > 1 else ''}", len(found), _ms(found, 0.5), _ms(found, 0.99),
                             f"{rate:.1f}", ", ".join(f"{count} x {status}" for status, count in sorted(failures.items()))))
        finally:
            stop_seconds = server.stop()
    print(f"dev server on loopback, {os.cpu_count()} CPUs; each row bounded to {args.requests} GETs or {args.posts} POSTs and {args.seconds:.0f} s")
    print(f"{'request':<40}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}")
    for label, count, p50, p99, rate, note in rows:
        print(f"{label:<40}{count:>7}{p50:>9}{p99:>9}{rate:>8}  {note}".rstrip())
    print(f"start-up to the first token {start_seconds:.1f} s; SIGTERM to exit {stop_seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
