"""The Auditor role, probed on every route of template.yaml (a new route is covered by construction).

An Auditor of organization `alpha` (built by `sandglass_local.operations.build_organization`) is sent
every route's realistic call (`OPERATIONS`): every read answers what it answers the organization's
Administrator (same status), every write is 403 `READ_ONLY_ROLE` before its body is even read, and
none of alpha's items changes. The account's own routes (sign-up, one's organizations, one's API keys)
act for the person, not for an organization, and are left out. MCP: read tools answer, write tools
are refused inside the JSON-RPC result.
"""

from __future__ import annotations

from sandglass.context import AUDITOR_READ_ONLY
from sandglass.http.resolver import READ_ONLY_POSTS
from sandglass_local import operations
from sandglass_local.operations import OPERATIONS, send
from tests.api.test_isolation import ACCOUNT_ROUTES, Watch, routes, world  # noqa: F401 - `world` is the fixture

READS = ("GET", "HEAD", "OPTIONS")


def add_auditor(client, organization) -> str:
    email = f"audrey@{organization.label}.test"
    created = client.ok("POST", "/users", email=organization.emails["admin"], org=organization.label,
                        body={"email": email, "name": "Audrey Auditor", "role": "Auditor"})
    assert created["role"] == "Auditor"
    organization.emails["auditor"] = email
    return created["id"]


def mcp_refused_as_read_only(reply) -> bool:
    result = (reply.json() or {}).get("result") or {}
    return reply.status == 200 and result.get("isError") is True and "READ_ONLY_ROLE" in result["content"][0]["text"]


def _sandtime_refusal(body) -> bool:
    return isinstance(body.get("error"), dict) and body["error"].get("code") == "READ_ONLY_ROLE"


# Each surface refuses an Auditor's write with 403 in its own error shape: (name, path prefixes, the body's check).
# A new surface adds its row (Sonderplan's `/v2/time-entry...`: its prefix and its error body, when its routes land);
# a route under no listed prefix is Sandtime's.
SURFACES = (
    ("Clockify", ("/v1/user", "/v1/workspaces"), lambda body: body.get("code") == 403 and body.get("message") == AUDITOR_READ_ONLY),
    ("4me", ("/v1/timesheets",), lambda body: body == {"message": AUDITOR_READ_ONLY}),
    ("Sonderplan", ("/v2/time-entry",), _sandtime_refusal),  # Sonderplan's errors are Sandtime's shape
)


def surface_of(path: str) -> tuple[str, object]:
    for name, prefixes, refused in SURFACES:
        if any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes):
            return name, refused
    return "Sandtime", _sandtime_refusal


def refused_as_read_only(path: str, reply) -> bool:
    """403 in the surface's error shape saying the Auditor only reads."""
    if reply.status != 403:
        return False
    return surface_of(path)[1](reply.json())


def test_an_auditor_reads_what_an_administrator_reads_and_writes_nothing_on_every_route(world, gateway):  # noqa: F811 - the fixture
    client, alpha, _ = world
    with operations.frozen_clock():
        add_auditor(client, alpha)
    watch = Watch(alpha)
    failures, probes, writes = [], 0, {}
    for method, path in routes(gateway):
        if (method, path) in ACCOUNT_ROUTES:
            continue
        call = OPERATIONS[(method, path)]
        with operations.frozen_clock():
            reply, changed = watch.send(client, alpha, method, path, call, as_role="auditor", org=alpha.label)
        probes += 1
        where = f"{method} {path}"
        if changed:
            failures.append(f"{where}: changed alpha's items")
        if method in READS or (method == "POST" and path in READ_ONLY_POSTS):  # a report computed from a body: a read
            with operations.frozen_clock():
                admin = send(client, alpha, method, path, call, as_role="admin", org=alpha.label)
            if reply.status != admin.status:
                failures.append(f"{where}: Auditor {reply.status}, Administrator {admin.status}: {reply.body[:200]}")
        elif (method, path) == ("POST", "/mcp"):
            if not mcp_refused_as_read_only(reply):
                failures.append(f"{where}: a write tool answered {reply.status} {reply.body[:200]}")
        elif not refused_as_read_only(path, reply):
            failures.append(f"{where}: {reply.status} {reply.body[:200]}")
        if method not in READS and path not in READ_ONLY_POSTS:
            writes[surface_of(path)[0]] = writes.get(surface_of(path)[0], 0) + 1
    assert probes >= 80, probes
    assert writes.get("4me") == 2 and writes.get("Sonderplan") == 1 and writes.get("Clockify", 0) >= 8 and writes.get("Sandtime", 0) >= 40, writes  # every surface probed
    assert not failures, f"{len(failures)} of {probes} probes failed:\n" + "\n".join(failures)


def test_an_auditor_reads_every_timesheet_and_report_of_the_organization(world):  # noqa: F811 - the fixture
    client, alpha, _ = world
    with operations.frozen_clock():
        add_auditor(client, alpha)
        for path, query in (("/timesheets", {"monthOf": "2026-07-01"}), ("/timesheets/incomplete", {"weekOf": "2026-07-06"}),
                            ("/activities", {}), ("/timesheets/locks", {})):
            as_admin = client.request("GET", path, email=alpha.emails["admin"], org=alpha.label, query=query)
            as_auditor = client.request("GET", path, email=alpha.emails["auditor"], org=alpha.label, query=query)
            assert as_admin.status == 200, (path, as_admin.body)
            assert (as_auditor.status, as_auditor.json()) == (200, as_admin.json()), path
        as_user = client.request("GET", "/timesheets", email=alpha.emails["user"], org=alpha.label, query={"monthOf": "2026-07-01"})
        assert as_user.status == 403  # a User reads their own timesheet only (the organization's list is refused)
        # the 4me dialect: a group's month, a person's, incomplete weeks and day totals, as the Administrator reads them
        group, person = alpha.ids["groupId"], alpha.ids["userId"]
        for path, query in (("/v1/timesheets", {"organization_id": group, "month_of": "2026-07-15"}),
                            ("/v1/timesheets", {"person_id": person, "month_of": "2026-07-15"}),
                            ("/v1/timesheets/incomplete", {"week_of": "2026-07-13"}),
                            ("/v1/timesheets/day_totals", {"person_id": person, "month_of": "2026-07-15"})):
            as_admin = client.request("GET", path, email=alpha.emails["admin"], org=alpha.label, query=query)
            as_auditor = client.request("GET", path, email=alpha.emails["auditor"], org=alpha.label, query=query)
            assert as_admin.status == 200, (path, query, as_admin.body)
            assert (as_auditor.status, as_auditor.json()) == (200, as_admin.json()), (path, query)
        # reports: any report computed over the organization's time (POST /reports/results saves nothing), and one's own saved ones
        report = operations.REPORT
        as_admin = client.request("POST", "/reports/results", email=alpha.emails["admin"], org=alpha.label, query={"view": "summary"}, body=report)
        as_auditor = client.request("POST", "/reports/results", email=alpha.emails["auditor"], org=alpha.label, query={"view": "summary"}, body=report)
        assert as_admin.status == 200 and as_admin.json(), as_admin.body
        assert (as_auditor.status, as_auditor.json()) == (200, as_admin.json())
        assert client.request("GET", "/reports", email=alpha.emails["auditor"], org=alpha.label).status == 200


def test_the_role_is_set_through_the_member_role_api_and_taken_away_again(world):  # noqa: F811 - the fixture
    client, alpha, _ = world
    with operations.frozen_clock():
        auditor_id = add_auditor(client, alpha)
        refused = client.request("POST", "/projects", email=alpha.emails["auditor"], org=alpha.label, body={"name": "Sneaky"})
        assert refused.status == 403 and refused.json()["error"]["code"] == "READ_ONLY_ROLE"
        updated = client.ok("PUT", f"/users/{auditor_id}", email=alpha.emails["admin"], org=alpha.label, body={"role": "Administrator"})
        assert updated["role"] == "Administrator"
        created = client.request("POST", "/projects", email=alpha.emails["auditor"], org=alpha.label, body={"name": "Allowed now"})
        assert created.status == 200, created.body
        client.ok("PUT", f"/users/{auditor_id}", email=alpha.emails["admin"], org=alpha.label, body={"role": "Auditor"})
        me = client.ok("GET", "/auth", email=alpha.emails["auditor"], org=alpha.label)
        assert me["role"] == "Auditor"
        bad = client.request("PUT", f"/users/{auditor_id}", email=alpha.emails["admin"], org=alpha.label, body={"role": "Overlord"})
        assert bad.status == 422


def test_an_auditor_on_mcp_reads_with_read_tools_and_is_refused_write_tools(world):  # noqa: F811 - the fixture
    client, alpha, _ = world
    with operations.frozen_clock():
        add_auditor(client, alpha)

        def tool(name, arguments):
            return client.request("POST", "/mcp", email=alpha.emails["auditor"], org=None,
                                  headers={"X-Sandtime-Organization": alpha.label, "Accept": "application/json, text/event-stream"},
                                  body={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}})

        status = tool("timesheet_status", {})
        assert status.status == 200 and status.json()["result"]["isError"] is False, status.body
        stopped = tool("stop_timer", {})
        assert mcp_refused_as_read_only(stopped), stopped.body
