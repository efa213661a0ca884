"""The dev server's HTTP edge and persistence, against a real `serve` subprocess: malformed
requests sent on raw sockets are refused with the right status (and nothing stored), SIGTERM
exits promptly with every write saved, `kill -9` loses no answered write, and keep-alive answers
are not held back by Nagle's algorithm."""

from __future__ import annotations

import http.client
import json
import socket
import time

import pytest

from tests.stack.test_local_stack import _call, _free_port, _start

LONG = 70 * 1024  # beyond the 64 KiB a request line or the headers may take


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    web, db = _free_port(), _free_port()
    process, token, _ = _start(tmp_path_factory.mktemp("edge"), web, db, "--ephemeral")
    yield web, token, _project(web, token)
    process.kill()
    process.wait(timeout=15)


def _raw(port: int, data: bytes, timeout: float = 10) -> bytes:
    """Send `data` on a new connection and read until the server closes it (or `timeout`)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return received


def _status_and_error(answer: bytes) -> tuple[int, dict]:
    assert answer, "the server dropped the connection without answering"
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body).get("error")


def _activity_names(web: int, token: str) -> list[str]:
    status, body = _call(web, "GET", "/api/activities?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z&limit=1000", token)
    assert status == 200, body
    return [activity["name"] for activity in body.values()]


def test_an_over_long_request_line_is_414_and_the_server_keeps_serving(server):
    web = server[0]
    answer = _raw(web, b"GET /api/health?q=" + b"a" * LONG + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    status, error = _status_and_error(answer)
    assert status == 414 and error["code"] == "URI_TOO_LONG"
    status, _ = _status_and_error(_raw(web, b"GET /api/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
    assert status == 404


@pytest.mark.parametrize("headers", [
    b"X-Big: " + b"b" * LONG + b"\r\n",  # one header line over the limit
    b"".join(b"X-Many-%d: %s\r\n" % (n, b"m" * 1000) for n in range(80)),  # lines under it, together over it
    b"".join(b"X-Count-%d: 1\r\n" % n for n in range(150)),  # more header lines than the server takes
], ids=["one-long-header", "headers-over-64KiB-in-all", "150-headers"])
def test_oversized_headers_are_431(server, headers):
    web = server[0]
    status, error = _status_and_error(_raw(web, b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n"))
    assert status == 431 and error["code"] == "REQUEST_HEADER_FIELDS_TOO_LARGE"


def _post(web: int, token: str, name: str, framing: bytes, body: bytes) -> bytes:
    return _raw(web, b"POST /api/activities HTTP/1.1\r\nHost: x\r\nX-Organization: acme\r\nAuthorization: Bearer " + token.encode()
                + b"\r\nContent-Type: application/json\r\n" + framing + b"\r\n" + body)


def _activity(name: str, project_id: str, hour: int) -> bytes:
    return json.dumps({"name": name, "projectId": project_id, "startedAt": f"2026-02-02T{hour:02d}:00:00Z",
                       "endedAt": f"2026-02-02T{hour:02d}:30:00Z"}).encode()


@pytest.mark.parametrize("framing", [
    "Content-Length: {n}\r\nContent-Length: {short}\r\n",  # two values: which one frames the body?
    "Content-Length: {short}\r\nContent-Length: {n}\r\n",
    "Content-Length: {n}, {short}\r\n",
    "Content-Length: {n}\r\nTransfer-Encoding: chunked\r\n",  # both framings at once
    "Transfer-Encoding: chunked\r\nContent-Length: {n}\r\n",
], ids=["two-lengths", "two-lengths-shorter-first", "a-list-of-lengths", "length-and-chunked", "chunked-and-length"])
def test_ambiguous_body_framing_is_400_and_nothing_is_stored(server, framing):
    web, token, project_id = server
    name = f"smuggled {framing[:22]!r}"
    body = _activity(name, project_id, 1 + len(framing) % 20)
    framing_bytes = framing.format(n=len(body), short=len(body) - 5).encode()
    status, error = _status_and_error(_post(web, token, name, framing_bytes, body))
    assert status == 400 and error["code"] == "BAD_REQUEST", error
    assert name not in _activity_names(web, token)


def test_one_content_length_still_stores_the_activity(server):
    web, token, project_id = server
    body = _activity("framed once", project_id, 0)
    status, _ = _status_and_error(_post(web, token, "framed once", b"Content-Length: %d\r\nConnection: close\r\n" % len(body), body))
    assert status in (200, 201)
    assert "framed once" in _activity_names(web, token)


def test_keep_alive_answers_are_not_held_back(server):
    """A reused connection answers as fast as a new one: no 40 ms wait for a delayed ACK."""
    web = server[0]
    connection = http.client.HTTPConnection("127.0.0.1", web, timeout=10)
    try:
        timings = []
        for _ in range(12):
            started = time.perf_counter()
            connection.request("GET", "/api/health")
            assert connection.getresponse().read()
            timings.append(time.perf_counter() - started)
    finally:
        connection.close()
    assert sorted(timings[2:])[len(timings[2:]) // 2] < 0.030, timings


def _post_activities(web: int, token: str, project_id: str, count: int, prefix: str, offset: int = 0) -> set[str]:
    """POST `count` activities from 8 threads; the names of those answered 200/201 (a few may be 409
    when the embedded DynamoDB cancels overlapping transactions, as DynamoDB would)."""
    from concurrent.futures import ThreadPoolExecutor

    def post(number: int) -> str | None:
        slot = offset + number  # one activity per hour, 20 a day: none overlaps another
        start = f"2026-03-{1 + slot // 20:02d}T{slot % 20:02d}:00:00Z"
        name = f"{prefix} {number}"
        status, body = _call(web, "POST", "/api/activities", token, {"name": name, "projectId": project_id,
                                                                   "startedAt": start, "endedAt": start.replace(":00:00Z", ":30:00Z")})
        assert status in (200, 201, 409), body
        return name if status in (200, 201) else None

    with ThreadPoolExecutor(8) as pool:
        answered = set(pool.map(post, range(count))) - {None}
    assert answered
    return answered


def _project(web: int, token: str) -> str:
    status, projects = _call(web, "GET", "/api/projects", token)
    assert status == 200
    return next(iter(projects))


def _names_with(web: int, token: str, prefix: str) -> set[str]:
    return {name for name in _activity_names(web, token) if name.startswith(prefix)}


def test_sigterm_exits_within_2_s_with_every_write_saved(tmp_path):
    web, db = _free_port(), _free_port()
    process, token, _ = _start(tmp_path, web, db)
    try:
        kept = _post_activities(web, token, _project(web, token), 120, "kept")
        idle = http.client.HTTPConnection("127.0.0.1", web, timeout=10)  # a keep-alive connection left open
        idle.request("GET", "/api/health")
        idle.getresponse().read()
        started = time.monotonic()
        process.terminate()
        rest, _ = process.communicate(timeout=60)
        took = time.monotonic() - started
        idle.close()
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, rest
    assert "Traceback" not in rest and rest.count("Saved ") == 1, rest
    assert took < 2.0, f"{took:.1f} s from SIGTERM to exit"
    process, token, _ = _start(tmp_path, web, db)
    try:
        assert _names_with(web, token, "kept") == kept
    finally:
        process.kill()
        process.wait(timeout=15)


def test_kill_9_loses_no_answered_write(tmp_path):
    web, db = _free_port(), _free_port()
    process, token, _ = _start(tmp_path, web, db)
    try:
        project_id = _project(web, token)
        first = _post_activities(web, token, project_id, 10, "first")
        time.sleep(1.5)
        answered = _post_activities(web, token, project_id, 10, "answered", offset=10)
        assert _call(web, "PUT", "/api/organization", token, {"notes": "answered before the kill"})[0] == 200
    finally:
        process.kill()  # SIGKILL: no shutdown code runs
        process.wait(timeout=15)
    process, token, _ = _start(tmp_path, web, db)
    try:
        assert _names_with(web, token, "first") == first
        assert _names_with(web, token, "answered") == answered
        assert _call(web, "GET", "/api/organization", token)[1]["notes"] == "answered before the kill"
    finally:
        process.kill()
        process.wait(timeout=15)


def test_a_start_applies_only_the_journaled_writes_its_snapshot_does_not_hold(tmp_path):
    """A crash after a start folded the journal into the snapshot, before it replaced the journal,
    leaves a snapshot that names the journal and how many of its writes it holds: those are not
    applied twice (an ADD would count twice), the rest are; a last line cut short is left out."""
    import os
    import subprocess
    import sys

    from tests.stack.test_local_stack import ROOT

    def add_one() -> dict:
        body = {"TableName": "sandglass-local", "Key": {"PK": {"S": "COUNTER"}, "SK": {"S": "C"}},
                "UpdateExpression": "ADD hits :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}
        return {"operation": "UpdateItem", "region": "us-east-1", "body": json.dumps(body)}

    state = tmp_path / "state"
    state.mkdir()
    (state / "dynamodb.json").write_text(json.dumps({"journal": "j1", "applied": 2, "items": [
        {"PK": {"S": "COUNTER"}, "SK": {"S": "C"}, "hits": {"N": "2"}}]}))
    lines = [json.dumps({"journal": "j1"})] + [json.dumps(add_one()) for _ in range(3)]
    (state / "dynamodb.journal").write_text("\n".join(lines) + "\n" + json.dumps(add_one())[:40])
    env = {**os.environ, "SANDGLASS_STATE_DIR": str(state), "SANDGLASS_DYNAMODB_PORT": str(_free_port())}
    env.pop("DYNAMODB_ENDPOINT", None)
    env.pop("SANDGLASS_DYNAMODB_ENDPOINT", None)
    done = subprocess.run([sys.executable, "-m", "sandglass_local", "token", "x@example.test"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    saved = json.loads((state / "dynamodb.json").read_text())
    counter = next(item for item in saved["items"] if item["PK"] == {"S": "COUNTER"})
    assert counter["hits"] == {"N": "3"}  # 2 held + the one write the snapshot did not hold
    assert (state / "dynamodb.journal").read_text().count("\n") == 1  # a new journal: its name only


def test_the_dev_server_logs_changes_from_the_stream(server):
    """`make dev` runs the change-log consumer in the background: a write shows in GET /api/changes
    within moments, in commit order, and its delete as a tombstone."""
    web, token, project_id = server
    status, created = _call(web, "POST", "/api/activities", token, {"name": "streamed", "projectId": project_id,
                                                                    "startedAt": "2026-07-01T09:00:00Z", "endedAt": "2026-07-01T10:00:00Z"})
    assert status == 200, created
    assert _call(web, "DELETE", f"/api/activities/{created['id']}", token)[0] == 200
    deadline, operations = time.monotonic() + 20, []
    while time.monotonic() < deadline:
        status, page = _call(web, "GET", "/api/changes?types=activity&limit=500", token)
        assert status == 200, page
        operations = [(c["operation"], c["state"] is None) for c in page["changes"] if c["entityId"] == created["id"]]
        if len(operations) == 2:
            break
        time.sleep(0.2)
    assert operations == [("created", False), ("deleted", True)]
