"""The MCP server as an agent meets it: the official MCP Python SDK client (`mcp.client.
streamable_http`) over real HTTP against a dev-server subprocess, then what was stored, read back
through REST."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import anyio
import httpx
import pytest
from jsonschema import Draft202012Validator
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.stack.test_local_stack import _call, _cli, _free_port, _start

EXPECTED_TOOLS = {"whoami", "find", "log_time", "start_timer", "stop_timer", "current_timer", "edit_entry", "delete_entry", "my_week",
                  "run_report", "timesheet_status", "lock_week", "unlock_week", "request_unlock", "request_approval", "list_requests",
                  "resolve_request"}
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("mcp")
    web, db = _free_port(), _free_port()
    process, admin_token, output = _start(tmp_path, web, db, "--ephemeral")
    lines = output.splitlines()
    drain = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)  # the server's log never fills the pipe
    drain.start()
    try:
        user = _cli(tmp_path, "token", "sam@acme.test")
        assert user.returncode == 0, user.stderr
        sam_token = re.search(r"(ey[\w.-]+)", user.stdout).group(1)
        yield {"port": web, "admin": admin_token, "sam": sam_token, "lines": lines}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        drain.join(timeout=5)


class Agent:
    """One MCP client session (initialize, then tool calls), as Claude Code or Codex would hold it."""

    def __init__(self, port: int, token: str, organization: str | None = "acme"):
        self.url = f"http://127.0.0.1:{port}/mcp"
        self.headers = {"Authorization": f"Bearer {token}"}
        if organization:
            self.headers["X-Sandtime-Organization"] = organization

    def run(self, script):
        async def main():
            async with httpx.AsyncClient(headers=self.headers, timeout=60) as http:
                async with streamable_http_client(self.url, http_client=http) as (read, write, _):
                    async with ClientSession(read, write) as session:
                        initialized = await session.initialize()
                        return await script(session, initialized)

        return anyio.run(main)

    def call(self, name: str, arguments: dict | None = None):
        async def script(session, _):
            return await session.call_tool(name, arguments or {})

        return self.run(script)


def ok(result) -> dict:
    assert not result.isError, result.content[0].text
    return result.structuredContent


def _get(port: int, path: str, token: str | None = None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_initialize_and_tools_have_valid_schemas_and_annotations(stack):
    async def script(session, initialized):
        tools = (await session.list_tools()).tools
        resources = (await session.list_resources()).resources
        prompts = (await session.list_prompts()).prompts
        prompt = await session.get_prompt("weekly_timesheet_review", {"week": "2026-W49"})
        settings = await session.read_resource("sandglass://organization/settings")
        return initialized, tools, resources, prompts, prompt, settings

    initialized, tools, resources, prompts, prompt, settings = Agent(stack["port"], stack["admin"]).run(script)
    assert initialized.serverInfo.name == "sandglass"
    assert initialized.protocolVersion == "2025-11-25"
    assert initialized.capabilities.tools is not None and "whoami" in initialized.instructions
    assert {tool.name for tool in tools} == EXPECTED_TOOLS
    for tool in tools:
        Draft202012Validator.check_schema(tool.inputSchema)
        Draft202012Validator.check_schema(tool.outputSchema)
        assert tool.inputSchema["type"] == "object" and tool.outputSchema["type"] == "object"
        assert len(tool.description) > 60, tool.name
        hints = tool.annotations
        assert None not in (hints.readOnlyHint, hints.destructiveHint, hints.idempotentHint), tool.name
        assert not (hints.readOnlyHint and hints.destructiveHint)
    by_name = {tool.name: tool for tool in tools}
    assert by_name["my_week"].annotations.readOnlyHint and by_name["delete_entry"].annotations.destructiveHint
    assert "organization" in by_name["log_time"].inputSchema["properties"]
    assert {r.name for r in resources} == {"organization-settings", "projects"}
    assert [p.name for p in prompts] == ["weekly_timesheet_review"] and "2026-W49" in prompt.messages[0].content.text
    assert json.loads(settings.contents[0].text)["timeZone"] == "Europe/Warsaw"


def test_a_scripted_agent_session_is_stored_as_rest_reads_it(stack):
    port, sam, admin = stack["port"], Agent(stack["port"], stack["sam"]), Agent(stack["port"], stack["admin"])
    me = ok(sam.call("whoami"))
    assert me["current"]["role"] == "User" and me["organizations"] == [{"domain": "acme", "name": "Acme Studio"}]
    sam_id = me["current"]["userId"]

    found = ok(sam.call("find", {"query": "websit"}))
    project = found["projects"][0]
    assert project["name"] == "Website refresh" and found["members"] == []

    preview = ok(sam.call("log_time", {"project": "website", "when": "90m yesterday", "description": "Wireframes", "dry_run": True}))
    assert preview["dryRun"] and preview["entry"]["id"] is None and preview["entry"]["minutes"] == 90
    logged = ok(sam.call("log_time", {"project": "website", "when": "90m yesterday", "description": "Wireframes"}))["entry"]
    yesterday = (datetime.now(WARSAW) - timedelta(days=1)).date()
    assert logged["localStart"] == f"{yesterday} 09:00" and logged["localEnd"] == f"{yesterday} 10:30"

    started = ok(sam.call("start_timer", {"project": "Website refresh", "description": "Design review"}))["entry"]
    assert started["running"] and ok(sam.call("current_timer"))["entry"]["id"] == started["id"]
    stopped = ok(sam.call("stop_timer"))["entry"]
    assert stopped["id"] == started["id"] and not stopped["running"] and stopped["endedAt"]
    assert ok(sam.call("current_timer")) == {"running": False, "entry": None}
    assert sam.call("stop_timer").isError

    week = ok(sam.call("my_week", {"week": yesterday.isoformat()}))
    assert logged["id"] in {entry["id"] for entry in week["entries"]}
    assert next(day for day in week["days"] if day["date"] == yesterday.isoformat())["minutes"] >= 90
    assert week["missingMinutes"] == max(week["expectedMinutes"] - week["totalMinutes"], 0)

    report = ok(sam.call("run_report", {"period": "custom", "start": yesterday.isoformat(), "end": (yesterday + timedelta(days=1)).isoformat(),
                                        "group_by": ["project"], "metrics": ["time", "count"]}))
    assert report["rows"][0]["group"] == ["Website refresh"] and report["totals"]["time"] >= 90 * 60_000

    # a locked week: the agent is refused with the reason, asks for an unlock, an Administrator approves it
    last_week = (datetime.now(WARSAW) - timedelta(days=7)).date()
    assert ok(admin.call("lock_week", {"member": "Sam", "week": "last week"}))["lock"]["userId"] == sam_id
    refused = sam.call("log_time", {"project": "website", "when": f"1h {last_week} at 10:00"})
    assert refused.isError and "locked" in refused.content[0].text and "request_unlock" in refused.content[0].text
    assert ok(sam.call("log_time", {"project": "website", "when": f"1h {last_week} at 10:00", "dry_run": True}))["locked"] is True
    request = ok(sam.call("request_unlock", {"week": "last week"}))["request"]
    assert request["status"] == "PENDING" and request["type"] == "TIMESHEET_UNLOCK"
    pending = ok(admin.call("list_requests"))["requests"]
    assert request["id"] in {r["id"] for r in pending}
    assert ok(admin.call("resolve_request", {"request_id": request["id"], "decision": "approve"}))["request"]["status"] == "RESOLVED"
    late = ok(sam.call("log_time", {"project": "website", "when": f"1h {last_week} at 10:00", "description": "Late entry"}))["entry"]

    # what REST reads back
    status, listed = _call(port, "GET", f"/api/activities?userId={sam_id}", stack["sam"])
    assert status == 200
    stored = listed[logged["id"]]
    assert (stored["name"], stored["projectId"]) == ("Wireframes", project["id"])
    duration = datetime.fromisoformat(stored["endedAt"].replace("Z", "+00:00")) - datetime.fromisoformat(stored["startedAt"].replace("Z", "+00:00"))
    assert duration == timedelta(minutes=90)
    assert listed[started["id"]]["endedAt"] and "pending" not in listed[started["id"]]
    assert listed[late["id"]]["name"] == "Late entry"
    status, stored_request = _call(port, "GET", f"/api/requests/{request['id']}", stack["admin"])
    assert status == 200 and stored_request["status"] == "RESOLVED" and stored_request["unlockedTo"]
    status, locks = _call(port, "GET", f"/api/timesheets/locks?userId={sam_id}", stack["admin"])
    assert any(lock["unlockedTo"] for lock in locks["weekLocks"].values())


def test_a_user_cannot_call_the_administrators_tools(stack):
    sam = Agent(stack["port"], stack["sam"])
    for name, arguments in (("lock_week", {"member": "Sam"}), ("unlock_week", {"member": "Sam"}),
                            ("resolve_request", {"request_id": "00000000-0000-4000-8000-000000000000", "decision": "approve"})):
        result = sam.call(name, arguments)
        assert result.isError, name
        assert re.search(r"Administrators|not found", result.content[0].text), result.content[0].text


def test_skill_md_is_served_without_credentials_and_get_mcp_answers_405_to_a_stream_request(stack):
    status, headers, body = _get(stack["port"], "/SKILL.md")
    assert status == 200 and headers["Content-Type"].startswith("text/markdown")
    assert "X-Sandtime-Organization" in body and "log_time" in body
    assert _get(stack["port"], "/api/SKILL.md")[2] == body
    request = urllib.request.Request(f"http://127.0.0.1:{stack['port']}/mcp", headers={"Accept": "text/event-stream"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405 and refused.value.headers["Allow"] == "POST"
    status, _, body = _get(stack["port"], "/mcp")
    assert status == 200 and "/SKILL.md" in body
    status, _, body = _get(stack["port"], "/api/openapi.json")
    assert status == 200


def test_make_dev_prints_the_claude_mcp_add_line(stack):
    line = next(line for line in stack["lines"] if "claude mcp add" in line)
    assert f"--transport http sandglass http://127.0.0.1:{stack['port']}/mcp" in line
    assert f'--header "Authorization: Bearer {stack["admin"]}"' in line and '--header "X-Sandtime-Organization: acme"' in line
