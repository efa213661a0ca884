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
    items = [{k: TypeDeserializer().deserialize(v) for k, v in item.items()} for item in json.loads((state / "dynamodb.json").read_text())]
    stored = next(item for item in items if item["SK"] == "ORG")
    assert (stored["lockingTimesheets"]["year"], stored["lockingTimesheets"]["week"]) == (2026, 46)
