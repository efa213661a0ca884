"""`python -m sandglass_local fire auto_lock --at ...` runs the real tick against the local stack's state."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_fire_auto_lock_at_an_instant(tmp_path):
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    from sandglass import keys

    org_id = "11111111-2222-4333-8444-555555555555"
    organization = {**keys.organization(org_id), "id": org_id, "domain": "fired", "name": "Fired", "status": "ACTIVE", "version": 1,
                    "timeZone": "Europe/Warsaw", "lockingTimesheets": {"enabled": True, "timeZone": None, "year": None, "week": None}}
    due = {**keys.due_entry(org_id, keys.JOB_AUTO_LOCK), "orgId": org_id, "job": keys.JOB_AUTO_LOCK, "nextRun": "2026-11-15T23:00:00.000Z",
           keys.gsi_pk(keys.GSI_DUE): keys.due_partition(keys.JOB_AUTO_LOCK), keys.gsi_sk(keys.GSI_DUE): keys.due_sort("2026-11-15T23:00:00.000Z", org_id)}
    state = tmp_path / "state"
    state.mkdir()
    serialize = TypeSerializer().serialize
    (state / "dynamodb.json").write_text(json.dumps([{k: serialize(v) for k, v in item.items()} for item in (organization, due)]))
    env = {**os.environ, "SANDGLASS_STATE_DIR": str(state), "SANDGLASS_DYNAMODB_PORT": str(_free_port())}
    env.pop("DYNAMODB_ENDPOINT", None)
    env.pop("SANDGLASS_DYNAMODB_ENDPOINT", None)

    def fire(at: str) -> dict:
        done = subprocess.run([sys.executable, "-m", "sandglass_local", "fire", "auto_lock", "--at", at], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert fire("2026-11-15T23:59:00+01:00")["due"] == 0  # Sunday 23:59 in Warsaw
    result = fire("2026-11-16T00:00:00+01:00")
    assert (result["due"], result["changed"]) == (1, 1) and result["scheduledTime"] == "2026-11-15T23:00:00Z"
    items = [{k: TypeDeserializer().deserialize(v) for k, v in item.items()} for item in json.loads((state / "dynamodb.json").read_text())["items"]]
    stored = next(item for item in items if item["SK"] == "ORG")
    assert (stored["lockingTimesheets"]["year"], stored["lockingTimesheets"]["week"]) == (2026, 46)


def test_a_future_at_refuses_to_write_the_shared_state_unless_ephemeral(tmp_path):
    """`fire auto_lock --at <future>` locked the current, unfinished week of the shared dev data."""
    from boto3.dynamodb.types import TypeSerializer

    from sandglass import keys

    org_id = "11111111-2222-4333-8444-666666666666"
    organization = {**keys.organization(org_id), "id": org_id, "domain": "future", "name": "Future", "status": "ACTIVE", "version": 1,
                    "timeZone": "UTC", "lockingTimesheets": {"enabled": True, "timeZone": None, "year": None, "week": None}}
    state = tmp_path / "state"
    state.mkdir()
    serialize = TypeSerializer().serialize
    saved = json.dumps([{k: serialize(v) for k, v in organization.items()}])
    (state / "dynamodb.json").write_text(saved)
    env = {**os.environ, "SANDGLASS_STATE_DIR": str(state), "SANDGLASS_DYNAMODB_PORT": str(_free_port())}
    env.pop("DYNAMODB_ENDPOINT", None)
    env.pop("SANDGLASS_DYNAMODB_ENDPOINT", None)

    def fire(*extra: str):
        return subprocess.run([sys.executable, "-m", "sandglass_local", "fire", "auto_lock", "--at", "2099-01-05T00:00:00Z", *extra],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    refused = fire()
    assert refused.returncode == 2 and "future" in refused.stderr and "--ephemeral" in refused.stderr
    assert (state / "dynamodb.json").read_text() == saved
    ephemeral = fire("--ephemeral")
    assert ephemeral.returncode == 0, ephemeral.stderr
    assert "due" in json.loads(ephemeral.stdout)
    assert (state / "dynamodb.json").read_text() == saved


def test_make_dev_prints_reminders_and_serves_the_outbox(tmp_path):
    import re
    import time
    import urllib.request

    web = _free_port()
    env = {**os.environ, "SANDGLASS_STATE_DIR": str(tmp_path / "state"), "SANDGLASS_DYNAMODB_PORT": str(_free_port()), "PYTHONUNBUFFERED": "1"}
    env.pop("DYNAMODB_ENDPOINT", None)
    env.pop("SANDGLASS_DYNAMODB_ENDPOINT", None)
    process = subprocess.Popen([sys.executable, "-m", "sandglass_local", "serve", "--port", str(web), "--no-schedules"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        token, deadline = None, time.time() + 60
        while token is None and time.time() < deadline and process.poll() is None:
            found = re.search(r"TOKEN=(\S+)", process.stdout.readline())
            token = found.group(1) if found else None
        assert token, "dev server did not start"

        def call(method, path):
            request = urllib.request.Request(f"http://127.0.0.1:{web}{path}", method=method, data=b"{}" if method == "POST" else None,
                                             headers={"Authorization": f"Bearer {token}", "X-Organization": "acme", "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=20) as response:
                return json.loads(response.read() or b"null")

        assert call("POST", "/api/timesheets/reminder") is None
        outbox = call("GET", "/api/_dev/outbox")
        assert sorted(n["to"] for n in outbox) == ["admin@acme.test", "sam@acme.test"]
        assert all(n["kind"] == "timesheet-reminder" for n in outbox)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "[notify] to sam@acme.test: Your timesheet for" in output
    assert (tmp_path / "state" / "outbox.jsonl").exists()
