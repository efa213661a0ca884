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


def _stop(process) -> str:
    """SIGTERM: the server stops promptly, saves its state exactly once and exits 0."""
    started = time.monotonic()
    process.terminate()
    try:
        rest, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("the dev server ignored SIGTERM for 15 s")
    assert time.monotonic() - started < 10
    assert process.returncode == 0, rest
    assert rest.count("Saved ") == 1, rest
    assert "Traceback" not in rest, rest
    return rest


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
        _stop(process)
    process, token, _ = _start(tmp_path, web, db)
    try:
        assert _call(web, "GET", "/api/organization", token)[1]["notes"] == "kept across restarts"
    finally:
        _stop(process)
    process, token, _ = _start(tmp_path, web, db, "--reset")
    try:
        assert _call(web, "GET", "/api/organization", token)[1]["notes"] == "Demo organization"
    finally:
        _stop(process)


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
        assert reply["statusCode"] == 200 and reply["body"]["name"] == "Acme Studio"  # invoke seeds the demo organization the samples name
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


def test_dev_server_serves_concurrently_with_keep_alive(tmp_path):
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    web, db = _free_port(), _free_port()
    process, token, _ = _start(tmp_path, web, db)
    idle = socket.create_connection(("127.0.0.1", web))  # connected, never sends a byte
    half = socket.create_connection(("127.0.0.1", web))
    half.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")  # a request that never finishes
    try:
        # an idle and a half-sent connection do not block anyone else
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{web}/api/health", timeout=5) as response:
            assert response.status == 200 and json.loads(response.read()) == {"status": "ok"}
        assert time.monotonic() - started < 3

        # keep-alive: three requests on one connection, each answer with its Content-Length
        connection = http.client.HTTPConnection("127.0.0.1", web, timeout=10)
        for _ in range(3):
            connection.request("GET", "/api/organization", headers={"Authorization": f"Bearer {token}", "X-Organization": "acme"})
            response = connection.getresponse()
            assert response.status == 200 and response.version == 11
            assert int(response.getheader("Content-Length")) == len(response.read())
        first_socket = connection.sock
        connection.request("GET", "/api/health")
        assert connection.getresponse().read() and connection.sock is first_socket
        connection.close()

        # 20 parallel PUTs: every one answered (no reset), none a 500
        status, me = _call(web, "GET", "/api/users/me", token)
        assert status == 200

        def put(number):
            return _call(web, "PUT", "/api/users/me", token, {"title": f"Title {number}"})[0]

        started = time.monotonic()
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(put, range(20)))
        assert all(status in (200, 409, 412) for status in statuses), statuses
        assert statuses.count(200) >= 1
        with ThreadPoolExecutor(20) as pool:
            reads = list(pool.map(lambda _: _call(web, "GET", "/api/projects", token)[0], range(20)))
        assert reads == [200] * 20
        print(f"20 parallel PUTs + 20 parallel GETs: {time.monotonic() - started:.2f} s")
    finally:
        idle.close()
        half.close()
        _stop(process)


def _serve_fails(tmp_path, web_port, db_port) -> subprocess.CompletedProcess:
    env = {**os.environ, "SANDGLASS_STATE_DIR": str(tmp_path / "state"), "SANDGLASS_DYNAMODB_PORT": str(db_port)}
    env.pop("DYNAMODB_ENDPOINT", None)
    env.pop("SANDGLASS_DYNAMODB_ENDPOINT", None)
    return subprocess.run([sys.executable, "-m", "sandglass_local", "serve", "--port", str(web_port), "--no-schedules"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_api_port_in_use_is_a_one_line_fix(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        web = taken.getsockname()[1]
        result = _serve_fails(tmp_path, web, _free_port())
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert f"Port {web} (the API) is in use" in result.stderr and f"make dev ARGS=--port {web + 1}" in result.stderr


def test_foreign_process_on_the_dynamodb_port_is_not_adopted(tmp_path):
    import http.server
    import threading

    class Foreign(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def do_POST(self):
            self.do_GET()

        def log_message(self, *args):
            pass

    foreign = http.server.HTTPServer(("127.0.0.1", 0), Foreign)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    try:
        db = foreign.server_address[1]
        result = _serve_fails(tmp_path, _free_port(), db)
    finally:
        foreign.shutdown()
        foreign.server_close()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0
    assert f"Port {db} (embedded DynamoDB) is in use" in result.stderr
    assert f"SANDGLASS_DYNAMODB_PORT={db + 1}" in result.stderr
    assert "Sandglass is running" not in result.stdout


def _cli(tmp_path, *args):
    env = {**os.environ, "SANDGLASS_STATE_DIR": str(tmp_path / "state"), "SANDGLASS_DYNAMODB_PORT": str(_free_port())}
    env.pop("DYNAMODB_ENDPOINT", None)
    env.pop("SANDGLASS_DYNAMODB_ENDPOINT", None)
    return subprocess.run([sys.executable, "-m", "sandglass_local", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, message", [
    (("fire", "auto_lock", "--at", "2026-03-29"), "is not an instant"),
    (("fire", "auto_lock", "--at", "yesterday"), "is not an instant"),
    (("fire", "workspace"), "not a scheduled function"),
    (("invoke", "workspace", "-e", "events/no_such_event.json"), "no event file 'events/no_such_event.json'"),
    (("invoke", "nothing", "-e", "events/workspace_get_organization.json"), "no function 'nothing'"),
    (("invoke", "workspace", "-e", "README.md"), "is not JSON"),
    (("invoke", "activities", "-e", "events/auto_lock_tick.json"), "this is a scheduled event, which AutoLockFunction, RemindersFunction receives, not ActivitiesFunction"),
    (("invoke", "auto_lock", "-e", "events/users_list.json"), "this is an API event of GET /users, which UsersFunction receives, not AutoLockFunction"),
    (("invoke", "activities", "-e", "requirements-sam.lock"), "is not JSON"),
])
def test_cli_input_errors_are_one_line_with_exit_code_2(tmp_path, args, message):
    result = _cli(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.stderr


def test_sample_activity_event_works_as_shipped(tmp_path):
    result = _cli(tmp_path, "invoke", "activities", "-e", "events/activities_post.json")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["statusCode"] == 200, reply
    assert reply["body"]["name"] == "Implement API docs page" and reply["body"]["billable"] is True


def test_make_help_and_the_docs_cover_every_target_and_variable():
    """Every target in `make help` and the README; every variable in docs/local.md."""
    makefile = (ROOT / "Makefile").read_text()
    targets = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    result = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    readme = (ROOT / "README.md").read_text()
    for target in targets:
        assert re.search(rf"^\s*{target}\b", result.stdout, re.M), (target, result.stdout)
        assert f"make {target}" in readme, target
    sources = "".join(path.read_text() for path in (ROOT / "scripts" / "sandglass_local").glob("*.py"))
    variables = set(re.findall(r"environ(?:\.get)?\(\s*\"(SANDGLASS_\w+|CORS_ORIGINS)\"", sources))
    variables |= set(re.findall(r"^([A-Z_]+) \?=", makefile, re.M)) | set(re.findall(r"^ifeq \(\$\(origin ([A-Z_]+)\),undefined\)", makefile, re.M))
    variables |= {"ARGS", "PYTEST_ARGS"}
    assert {"SANDGLASS_DYNAMODB_PORT", "SANDGLASS_STATE_DIR", "PYTHON"} <= variables
    local_docs = (ROOT / "docs" / "local.md").read_text()
    for target in targets:
        assert f"make {target}" in local_docs, target
    for variable in variables:
        assert f"`{variable}" in local_docs, variable


@pytest.mark.parametrize("venv_python", ["#!/bin/sh\necho 3.9\n", None])
def test_make_rebuilds_a_venv_built_by_another_python(tmp_path, venv_python):
    (tmp_path / "Makefile").write_text((ROOT / "Makefile").read_text())
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    if venv_python:
        python.write_text(venv_python)
        python.chmod(0o755)
    else:
        python.symlink_to("/nonexistent/python3.13")  # its interpreter was removed
    result = subprocess.run(["make", "--no-print-directory", "help", f"PYTHON={sys.executable}"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "rebuilding .venv" in result.stdout
    assert not (tmp_path / ".venv").exists()


def test_make_finds_python_3_13_or_says_in_one_line_what_to_install(tmp_path):
    (tmp_path / "Makefile").write_text((ROOT / "Makefile").read_text())
    (tmp_path / "requirements.lock").write_text("")
    (tmp_path / "pyproject.toml").write_text("")
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no python3.13, no pyenv
    if subprocess.run(["sh", "-c", "command -v python3.13"], env=bare, capture_output=True).returncode == 0:
        pytest.skip("this machine has python3.13 in /usr/bin")
    result = subprocess.run(["make", "--no-print-directory", "test-unit"], cwd=tmp_path, env=bare, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip() and not line.startswith("make:")]
    assert lines == ["Python 3.13 is required (the Lambda runtime): install it (e.g. pyenv install 3.13) or set PYTHON=/path/to/python3.13"]
    assert not (tmp_path / ".venv").exists()
    found = subprocess.run(["make", "--no-print-directory", "-n", "test-unit"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert re.search(r"^\S*python3\.13 -m venv \.venv$", found.stdout, re.M), found.stdout  # this machine's 3.13 (PATH or pyenv)
