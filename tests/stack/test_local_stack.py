"""The README's `make dev` stack: served OpenAPI, sample events, scheduled functions, and the
dev server itself in a subprocess (embedded DynamoDB, demo data, state across restarts)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_openapi_merges_every_function(gateway):
    from sandglass_local.openapi import merged_schema

    doc = merged_schema(gateway)
    assert doc["openapi"].startswith("3.1")
    for path in ["/auth", "/organizations", "/organization", "/organization/rename"]:
        assert path in doc["paths"], path
    assert set(doc["paths"]["/organization"]) >= {"get", "put", "delete"}
    assert "bearerAuth" in doc["components"]["securitySchemes"]


def test_scheduled_functions_report_honestly(gateway):
    for logical_id in ("AutoLockFunction", "RemindersFunction"):
        result = gateway.invoke(logical_id, {"scheduledTime": "2026-11-23T18:00:00Z"})
        assert result["scheduledTime"] == "2026-11-23T18:00:00Z"
        assert result["status"] in {"NOT_IMPLEMENTED", "OK"}


def test_authorizer_sample_event_shape(gateway, api, acme):
    event = json.loads((ROOT / "events" / "authorizer_request.json").read_text())
    event["headers"]["Authorization"] = f"Bearer {api.token('admin@acme.test')}"
    policy = gateway.invoke("AuthorizerFunction", event)
    assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert policy["context"]["role"] == "Administrator"
    event["headers"]["Authorization"] = "Bearer nope"
    with pytest.raises(Exception, match="Unauthorized"):
        gateway.invoke("AuthorizerFunction", event)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(tmp_path, web_port, db_port, *extra):
    env = {**os.environ, "SANDGLASS_STATE_DIR": str(tmp_path / "state"), "SANDGLASS_DYNAMODB_PORT": str(db_port), "PYTHONUNBUFFERED": "1"}
    env.pop("DYNAMODB_ENDPOINT", None)
    process = subprocess.Popen([sys.executable, "-m", "sandglass_local", "serve", "--port", str(web_port), "--no-schedules", *extra],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, deadline = "", time.time() + 60
    while time.time() < deadline:
        line = process.stdout.readline()
        output += line
        if "export TOKEN=" in line:
            return process, re.search(r"TOKEN=(\S+)", line).group(1), output
        if process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"dev server did not start:\n{output}")


def _call(port, method, path, token, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}", "X-Organization": "acme", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_dev_server_serves_seeds_and_persists(tmp_path):
    web, db = _free_port(), _free_port()
    process, token, output = _start(tmp_path, web, db)
    try:
        assert "acme" in output and "Swagger UI" in output
        status, body = _call(web, "GET", "/api/organization", token)
        assert status == 200 and body["name"] == "Acme Studio"
        assert _call(web, "PUT", "/api/organization", token, {"notes": "kept across restarts"})[0] == 200
        assert _call(web, "GET", "/api/organization", "not-a-token")[0] == 401
        with urllib.request.urlopen(f"http://127.0.0.1:{web}/api/openapi.json", timeout=10) as response:
            assert json.loads(response.read())["openapi"].startswith("3.1")
        with urllib.request.urlopen(f"http://127.0.0.1:{web}/api/docs", timeout=10) as response:
            assert b"swagger" in response.read().lower()
        status, body = _call(web, "GET", "/api/projects", token)
        assert status == 200 and [p["name"] for p in body.values()] == ["Website refresh"]
    finally:
        process.terminate()
        process.wait(timeout=20)
    process, token, _ = _start(tmp_path, web, db)
    try:
        assert _call(web, "GET", "/api/organization", token)[1]["notes"] == "kept across restarts"
    finally:
        process.terminate()
        process.wait(timeout=20)
    process, token, _ = _start(tmp_path, web, db, "--reset")
    try:
        assert _call(web, "GET", "/api/organization", token)[1]["notes"] == "Demo organization"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_cli_against_another_dynamodb_endpoint(tmp_path):
    """SANDGLASS_DYNAMODB_ENDPOINT points the local stack at any DynamoDB; the table comes from the template."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        env = {**os.environ, "SANDGLASS_DYNAMODB_ENDPOINT": endpoint, "SANDGLASS_STATE_DIR": str(tmp_path / "state")}
        result = subprocess.run([sys.executable, "-m", "sandglass_local", "invoke", "workspace", "-e", "events/workspace_get_organization.json"],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        reply = json.loads(result.stdout)
        assert reply["statusCode"] == 404 and reply["body"]["error"]["code"] == "NOT_FOUND"  # nothing seeded there
        import boto3

        client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        assert "sandglass-local" in client.list_tables()["TableNames"]
        indexes = client.describe_table(TableName="sandglass-local")["Table"]["GlobalSecondaryIndexes"]
        assert {i["IndexName"] for i in indexes} == {"GSI1", "GSI2", "GSI3", "GSI4"}
        fired = subprocess.run([sys.executable, "-m", "sandglass_local", "fire", "auto_lock", "--at", "2026-03-29T01:00:00+01:00"],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert fired.returncode == 0, fired.stderr
        assert json.loads(fired.stdout)["scheduledTime"] == "2026-03-29T00:00:00Z"
    finally:
        server.stop()
