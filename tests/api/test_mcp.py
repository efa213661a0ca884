"""The MCP endpoint in-process (gateway emulation + moto): transport answers, argument and business
refusals as tool results, the organization per call, role rules, and tenant isolation through
every tool. The official SDK client drives it over HTTP in tests/stack/test_mcp_stack.py."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import boto3
import pytest

from sandglass.mcp.catalog import TOOLS
from tests.conftest import TABLE, fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)  # Wednesday of ISO week 2026-W29
STREAM_ACCEPT = "application/json, text/event-stream"


@pytest.fixture(autouse=True)
def clock():
    yield from fixed_clock(NOW)


def post(api, body, *, as_="admin@acme.test", org: str | None = "acme", headers=None, raw: str | None = None):
    sent = {"Accept": STREAM_ACCEPT, **(headers or {})}
    if org:
        sent["X-Sandtime-Organization"] = org
    return api.call("POST", "/mcp", as_=as_, headers=sent, body=raw if raw is not None else body)


def tool(api, name, arguments=None, **kwargs) -> dict:
    reply = post(api, {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": name, "arguments": arguments or {}}}, **kwargs)
    assert reply.status == 200, reply.body
    answer = reply.json()
    assert answer["id"] == 7 and "result" in answer, answer
    return answer["result"]


def ok(result: dict) -> dict:
    assert result["isError"] is False, result["content"][0]["text"]
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
    return result["structuredContent"]


def refused(result: dict) -> str:
    assert result["isError"] is True and "structuredContent" not in result, result
    return result["content"][0]["text"]


@pytest.fixture
def team(api, acme, seed):
    sam = seed.member("acme", "sam@acme.test", name="Sam User")
    project = seed.project("acme", "Website refresh", members={sam["id"]: "User"})
    seed.project("acme", "Mobile app", members={sam["id"]: "User"})
    return {"sam": sam, "project": project}


# --- transport ------------------------------------------------------------------------------------------

def test_json_rpc_transport_answers(api, team):
    reply = post(api, None, raw='{"jsonrpc": "2.0", "id": 1, "method": ')
    assert reply.status == 400 and reply.json()["error"]["code"] == -32700
    reply = post(api, [{"jsonrpc": "2.0", "id": 1, "method": "ping"}])
    assert reply.status == 400 and reply.json()["error"]["code"] == -32600
    reply = post(api, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert reply.status == 202 and reply.body == ""
    reply = post(api, {"jsonrpc": "2.0", "id": 2, "method": "sampling/createMessage"})
    assert reply.status == 200 and reply.json()["error"]["code"] == -32601
    reply = post(api, {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "drop_tables", "arguments": {}}})
    assert reply.json()["error"]["code"] == -32602
    reply = post(api, {"jsonrpc": "2.0", "id": 4, "method": "ping"}, headers={"MCP-Protocol-Version": "1999-01-01"})
    assert reply.status == 400 and "1999-01-01" in reply.json()["error"]["message"]
    reply = post(api, {"jsonrpc": "2.0", "id": 5, "method": "ping"}, headers={"Accept": "text/html"})
    assert reply.status == 406
    assert post(api, {"jsonrpc": "2.0", "id": 6, "method": "ping"}).json() == {"jsonrpc": "2.0", "id": 6, "result": {}}
    anonymous = api.gateway.request("POST", "/api/mcp", headers={"X-Sandtime-Organization": "acme"}, body={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert anonymous.status == 401
    # a page of another site in a member's browser cannot drive the endpoint (DNS rebinding)
    foreign = post(api, {"jsonrpc": "2.0", "id": 8, "method": "ping"}, headers={"Origin": "https://elsewhere.example"})
    assert foreign.status == 403 and foreign.json()["error"]["code"] == "FORBIDDEN"


def test_initialize_negotiates_the_protocol_version(api, team):
    answer = post(api, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                                                                        "clientInfo": {"name": "t", "version": "1"}}}).json()
    assert answer["result"]["protocolVersion"] == "2025-06-18" and answer["result"]["serverInfo"]["name"] == "sandglass"
    answer = post(api, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2023-01-01"}}).json()
    assert answer["result"]["protocolVersion"] == "2025-11-25"


def test_tool_schemas_come_from_the_models_and_carry_annotations(api, team):
    tools = post(api, {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).json()["result"]["tools"]
    assert [t["name"] for t in tools] == list(TOOLS)
    report = next(t for t in tools if t["name"] == "run_report")
    dimensions = report["inputSchema"]["properties"]["group_by"]["items"]["enum"]
    assert set(dimensions) == {"project", "user", "member", "day", "week", "month", "billable", "approved"}  # the domain's Dimension
    by_name = {t["name"]: t for t in tools}
    assert all("Administrators" in by_name[name]["description"] for name in ("lock_week", "unlock_week", "resolve_request"))
    assert by_name["delete_entry"]["annotations"]["destructiveHint"] is True and by_name["my_week"]["annotations"]["readOnlyHint"] is True
    assert all(t["inputSchema"].get("additionalProperties") is False for t in tools)


# --- refusals are tool results --------------------------------------------------------------------------

def test_bad_arguments_and_business_refusals_are_tool_errors(api, team):
    text = refused(tool(api, "log_time", {"project": "Website refresh", "minutes": "ninety", "start": "2026-07-14T09:00"}))
    assert "minutes" in text and "VALIDATION_ERROR" in text
    assert "colour" in refused(tool(api, "find", {"query": "web", "colour": "red"}))
    assert "not understood" in refused(tool(api, "log_time", {"project": "Website refresh", "when": "some hours after lunch"}))
    assert "No project matches" in refused(tool(api, "log_time", {"project": "Zeppelin", "when": "1h yesterday"}))
    assert "No timer is running" in refused(tool(api, "stop_timer"))
    assert "Activity not found" in refused(tool(api, "delete_entry", {"entry_id": "00000000-0000-4000-8000-000000000000"}))


def test_log_time_phrases_land_in_the_organization_zone(api, team):
    api.put("/organization", as_="admin@acme.test", org="acme", body={"timeZone": "Europe/Warsaw"})
    entry = ok(tool(api, "log_time", {"project": "website", "when": "2h yesterday afternoon", "description": "Copy"}, as_="sam@acme.test"))["entry"]
    assert (entry["startedAt"], entry["endedAt"]) == ("2026-07-14T11:00:00.000Z", "2026-07-14T13:00:00.000Z")  # 13:00-15:00 CEST
    stored = api.get(f"/activities/{entry['id']}", as_="sam@acme.test", org="acme").json()
    assert stored["startedAt"] == "2026-07-14T11:00:00.000Z" and stored["name"] == "Copy" and stored["userId"] == team["sam"]["id"]
    two = refused(tool(api, "log_time", {"project": "e", "when": "1h yesterday"}, as_="sam@acme.test"))
    assert "several" in two  # "e" matches both projects alike: the agent is asked which


def test_locked_days_are_refused_with_the_reason_and_previewed(api, team):
    assert api.post("/timesheets/lock", as_="admin@acme.test", org="acme", body={"userId": team["sam"]["id"], "year": 2026, "week": 28}).status == 200
    preview = ok(tool(api, "log_time", {"project": "website", "when": "1h 2026-07-08 at 10:00", "dry_run": True}, as_="sam@acme.test"))
    assert preview["locked"] is True and "2026-W28" in preview["lockReason"] and "request_unlock" in preview["message"]
    text = refused(tool(api, "log_time", {"project": "website", "when": "1h 2026-07-08 at 10:00"}, as_="sam@acme.test"))
    assert "locked" in text and "request_unlock" in text
    assert api.get("/activities", as_="sam@acme.test", org="acme").json() == {}
    week = ok(tool(api, "my_week", {"week": "2026-W28"}, as_="sam@acme.test"))
    assert week["locked"] is True and all(day["locked"] for day in week["days"])
    # an Administrator may write into a locked week (the REST rule)
    ok(tool(api, "log_time", {"project": "website", "when": "1h 2026-07-08 at 10:00"}))


def test_a_user_cannot_call_the_administrators_tools(api, team):
    for name in ("lock_week", "unlock_week"):
        assert "Only organization Administrators" in refused(tool(api, name, {"member": "Sam", "week": "2026-W28"}, as_="sam@acme.test"))
    assert api.get("/timesheets/locks", as_="admin@acme.test", org="acme").json()["weekLocks"] == {}
    api.post("/timesheets/lock", as_="admin@acme.test", org="acme", body={"userId": team["sam"]["id"], "year": 2026, "week": 28})
    request = ok(tool(api, "request_unlock", {"week": "2026-W28"}, as_="sam@acme.test"))["request"]
    refused(tool(api, "resolve_request", {"request_id": request["id"], "decision": "approve"}, as_="sam@acme.test"))
    assert api.get(f"/requests/{request['id']}", as_="admin@acme.test", org="acme").json()["status"] == "PENDING"
    status = ok(tool(api, "timesheet_status", {"month": "2026-07-01"}, as_="sam@acme.test"))
    assert [m["email"] for m in status["members"]] == ["sam@acme.test"] and status["incompleteThisWeek"] is None
    approved = ok(tool(api, "resolve_request", {"request_id": request["id"], "decision": "approve"}))["request"]
    assert approved["status"] == "RESOLVED"
    ok(tool(api, "log_time", {"project": "website", "when": "1h 2026-07-08 at 10:00"}, as_="sam@acme.test"))


# --- the organization per call --------------------------------------------------------------------------

def test_no_organization_whoami_lists_them_and_a_call_picks_one(api, team, seed):
    api.signup("globex", "admin@globex.test", "Globex")
    seed.member("globex", "admin@acme.test", role="User", name="Alex")
    globex_project = seed.project("globex", "Globex portal")
    me = ok(tool(api, "whoami", org=None))
    assert me["current"] is None and {o["domain"] for o in me["organizations"]} == {"acme", "globex"}
    assert "NO_ORGANIZATION" in refused(tool(api, "my_week", org=None))
    there = ok(tool(api, "whoami", {"organization": "globex"}))
    assert there["current"]["domain"] == "globex" and there["current"]["role"] == "User"
    # a User of globex is refused a project they are not a member of, as on REST
    assert "No project matches" in refused(tool(api, "log_time", {"project": "portal", "when": "1h yesterday", "organization": "globex"}))
    user_id = there["current"]["userId"]
    api.post(f"/projects/{globex_project['id']}/members", as_="admin@globex.test", org="globex", body={"userId": user_id})
    entry = ok(tool(api, "log_time", {"project": "portal", "when": "1h yesterday", "organization": "globex"}))["entry"]
    assert entry["id"] in api.get("/activities", as_="admin@acme.test", org="globex").json()
    assert entry["id"] not in api.get("/activities", as_="admin@acme.test", org="acme").json()
    assert "Organization not found" in refused(tool(api, "my_week", {"organization": "nowhere-at-all"}))
    assert "not a member" in refused(tool(api, "my_week", {"organization": "globex"}, as_="sam@acme.test"))


def test_a_foreign_organization_header_is_refused_by_the_authorizer(api, team):
    api.signup("globex", "admin@globex.test", "Globex")
    reply = post(api, {"jsonrpc": "2.0", "id": 1, "method": "ping"}, as_="sam@acme.test", org="globex")
    assert reply.status == 403


# --- isolation: every tool, as another organization, with this one's names and ids ------------------------

def _items(org_id: str) -> list[dict]:
    found = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=TABLE):
        found += [item for item in page["Items"] if any(org_id in value.get("S", "") for value in item.values())]
    return sorted(found, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def test_another_organizations_data_is_unreachable_through_every_tool(api, seed):
    alpha = api.signup("alpha", "admin@alpha.test", "Alpha Works")
    alice = seed.member("alpha", "alice@alpha.test", name="Alice Apfel")
    secret = seed.project("alpha", "Zeppelin secret", members={alice["id"]: "User"})
    activity = api.post("/activities", as_="alice@alpha.test", org="alpha",
                        body={"name": "Zeppelin notes", "projectId": secret["id"], "startedAt": "2026-07-14T09:00:00Z", "endedAt": "2026-07-14T10:00:00Z"}).json()
    api.post("/timesheets/lock", as_="admin@alpha.test", org="alpha", body={"userId": alice["id"], "year": 2026, "week": 27})
    request = api.post("/requests/timesheets/2026/27/unlock", as_="alice@alpha.test", org="alpha").json()
    api.signup("beta", "admin@beta.test", "Beta Labs")
    bob = seed.member("beta", "bob@beta.test", name="Bob Beta")
    seed.project("beta", "Beta project", members={bob["id"]: "User"})
    secrets = [alpha["id"], alice["id"], secret["id"], activity["id"], request["id"], "Zeppelin", "Alice", "alice@alpha.test", "Alpha Works"]
    before = _items(alpha["id"])
    probes = {
        "whoami": [{}, {"organization": "alpha"}],
        "find": [{"query": "Zeppelin"}, {"query": "Alice", "kinds": ["members"], "include_archived": True}, {"query": "alice@alpha.test"}],
        "log_time": [{"project": secret["id"], "when": "1h yesterday"}, {"project": "Zeppelin secret", "when": "1h yesterday", "dry_run": True}],
        "start_timer": [{"project": secret["id"]}, {"project": "Zeppelin"}],
        "stop_timer": [{}],
        "current_timer": [{}],
        "edit_entry": [{"entry_id": activity["id"], "description": "mine now"}, {"entry_id": activity["id"], "minutes": 5}],
        "delete_entry": [{"entry_id": activity["id"]}],
        "my_week": [{"week": "2026-W29"}, {"week": "2026-W27", "organization": "alpha"}],
        "run_report": [{"period": "thisYear", "projects": [secret["id"]]}, {"period": "thisYear", "members": ["Alice"]},
                       {"period": "thisYear", "members": [alice["id"]], "group_by": ["user"]}],
        "timesheet_status": [{"month": "2026-07-01"}],
        "lock_week": [{"member": alice["id"], "week": "2026-W28"}, {"member": "alice@alpha.test"}],
        "unlock_week": [{"member": alice["id"], "week": "2026-W27"}],
        "request_unlock": [{"week": "2026-W27"}],
        "request_approval": [{"week": "2026-W27"}],
        "list_requests": [{"status": None}, {"type": "TIMESHEET_UNLOCK"}],
        "resolve_request": [{"request_id": request["id"], "decision": "approve"}, {"request_id": request["id"], "decision": "reject"}],
    }
    assert set(probes) == set(TOOLS)
    for name, calls in probes.items():
        for arguments in calls:
            for caller in ("admin@beta.test", "bob@beta.test"):
                result = tool(api, name, arguments, as_=caller, org="beta")
                text = json.dumps(result)
                sent = json.dumps(arguments)
                leaked = [s for s in secrets if s in text and s not in sent]
                assert leaked == [], (name, arguments, caller, leaked)
                if arguments.get("organization") == "alpha" or any(value in sent for value in (secret["id"], activity["id"], request["id"], alice["id"])):
                    assert result["isError"] or name in ("find", "run_report", "whoami"), (name, arguments, caller, text[:300])
    assert _items(alpha["id"]) == before
    assert api.get(f"/activities/{activity['id']}", as_="alice@alpha.test", org="alpha").json()["name"] == "Zeppelin notes"
    assert api.get(f"/requests/{request['id']}", as_="admin@alpha.test", org="alpha").json()["status"] == "PENDING"


# --- resources and the prompt -----------------------------------------------------------------------------

def test_resources_and_prompt(api, team):
    listed = post(api, {"jsonrpc": "2.0", "id": 1, "method": "resources/list"}).json()["result"]["resources"]
    assert {r["uri"] for r in listed} == {"sandglass://organization/settings", "sandglass://organization/projects"}
    read = post(api, {"jsonrpc": "2.0", "id": 2, "method": "resources/read", "params": {"uri": "sandglass://organization/projects"}}).json()
    assert {p["name"] for p in json.loads(read["result"]["contents"][0]["text"])} == {"Website refresh", "Mobile app"}
    missing = post(api, {"jsonrpc": "2.0", "id": 3, "method": "resources/read", "params": {"uri": "sandglass://elsewhere"}}).json()
    assert missing["error"]["code"] == -32002
    prompt = post(api, {"jsonrpc": "2.0", "id": 4, "method": "prompts/get", "params": {"name": "weekly_timesheet_review"}}).json()["result"]
    assert "last week" in prompt["messages"][0]["content"]["text"] and "request_approval" in prompt["messages"][0]["content"]["text"]


def test_skill_md_is_the_repository_file_and_names_every_tool(api):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert (root / "functions" / "mcp" / "SKILL.md").resolve() == (root / "SKILL.md").resolve()  # shipped with the function
    reply = api.gateway.request("GET", "/SKILL.md")  # no credentials, at the site root
    assert reply.status == 200 and reply.header("Content-Type").startswith("text/markdown")
    assert reply.body == (root / "SKILL.md").read_text()
    for name in TOOLS:
        assert f"`{name}`" in reply.body, name
    for needle in ("X-Sandtime-Organization", "/api/openapi.json", "request_unlock", "time zone", "locked"):
        assert needle in reply.body, needle


def test_the_sandtime_organization_header_names_the_organization_on_rest_too(api, team):
    reply = api.get("/organization", as_="admin@acme.test", headers={"X-Sandtime-Organization": "acme"})
    assert reply.status == 200 and reply.json()["name"] == "Acme Studio"
    api.signup("globex", "admin@globex.test", "Globex")
    # it wins over X-Organization (what MCP clients send is what they mean); the host still wins over both
    reply = api.get("/organization", as_="admin@acme.test", headers={"X-Sandtime-Organization": "acme", "X-Organization": "globex"})
    assert reply.status == 200
    reply = api.get("/organization", as_="admin@acme.test", headers={"X-Sandtime-Organization": "acme", "Host": "globex.sandglass.example.com"})
    assert reply.status == 403
