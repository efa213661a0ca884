"""Tenant isolation, probed on every route of template.yaml (so a new route is covered by construction).

Organizations `alpha` (A) and `beta` (B) hold the same shapes of data (`sandglass_local.operations.
build_organization`), and every route is sent its realistic call (`OPERATIONS`) with ids swapped:
- B's Administrator and User with A's ids in the path: 404 (or the very answer an id that exists
  nowhere gets, e.g. 403 for a User on an Administrators' route), nothing of A's in the answer,
  none of A's items changed;
- B's path ids with A's ids in the query or body: refused when it writes, nothing of A's answered;
- every operation as B on B's own data (lists, reports in every view, CSV exports, writes, in the
  bench's order, then the background purge of what B deleted): nothing of A's, A unchanged;
- a cursor from A, on every route that pages (a `limit` parameter in the served OpenAPI): 4xx in B;
- A's members naming B (X-Organization, or the host, which wins): 403, nothing of B's, B unchanged.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter

import boto3
import pytest

from sandglass_local import operations
from sandglass_local.callcounter import WRITES
from sandglass_local.operations import OPERATIONS, REPORT, Call, Client, Organization, path_ids, send
from sandglass_local.openapi import merged_schema
from tests.conftest import TABLE

ROLES = ("admin", "user")
API_KEY_ROUTES = {("GET", "/api-keys"), ("POST", "/api-keys"), ("POST", "/api-keys/{keyId}/rotate"), ("DELETE", "/api-keys/{keyId}")}
# act for the account, name no organization's data (a person's API keys are theirs in every organization)
ACCOUNT_ROUTES = {("GET", "/auth"), ("GET", "/organizations"), ("POST", "/organizations"), *API_KEY_ROUTES,
                  ("GET", "/v1/user"), ("GET", "/v1/workspaces")}  # the Clockify surface's account routes
REPORT_VIEWS = ({"view": "summary"}, {"view": "detailed"}, {"view": "weekly"}, {"format": "csv"})


@pytest.fixture
def world(gateway):
    with operations.frozen_clock():
        alpha = operations.build_organization(gateway, "alpha")
        beta = operations.build_organization(gateway, "beta")
        for organization in (alpha, beta):  # a request's own id stands in for every kind of request
            for name in operations.SAVED_IDS:
                organization.ids.setdefault(name, organization.ids["requestId"])
        yield Client(gateway), alpha, beta


def routes(gateway):
    return sorted((route.method, route.path) for route in gateway.routes if not route.public)


def marks_of(organization: Organization) -> tuple[str, ...]:
    """Strings every key of the organization's items holds (its id, its domain, its members' emails)."""
    return organization.ids["orgId"], f"DOMAIN#{organization.label}", f"@{organization.label}.test"


def items_of(organization: Organization) -> list[dict]:
    """Every stored item that belongs to the organization or names one of its members."""
    marks = marks_of(organization)
    found = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=TABLE):
        found += [item for item in page["Items"] if any(mark in value.get("S", "") for value in item.values() for mark in marks)]
    return sorted(found, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


class Watch:
    """Sends requests and tells whether one changed an organization's items. A write call can only
    touch an item by its key, and the organization's keys hold its marks: only after a write call
    naming one are the items read again and compared."""

    def __init__(self, organization: Organization):
        self.organization, self.marks, self.items = organization, marks_of(organization), items_of(organization)

    def send(self, *args, **kwargs):
        return self.call(send, *args, **kwargs)

    def call(self, function, *args, **kwargs):
        """function(*args, **kwargs) (a request), and whether it changed the organization's items."""
        from sandglass.storage.table import client as table_client

        touching = []

        def record(model, params, **_):
            if model.name in WRITES and any(mark in json.dumps(params, default=str) for mark in self.marks):
                touching.append(model.name)

        events = table_client().meta.events
        events.register("before-call.dynamodb", record)
        try:
            reply = function(*args, **kwargs)
        finally:
            events.unregister("before-call.dynamodb", record)
        changed = False
        if touching:
            now = items_of(self.organization)
            changed, self.items = now != self.items, now
        return reply, changed


def leaks(reply, owner: Organization, sent: str = "") -> list[str]:
    """The owner's ids, names and emails found in an answer (ids the caller sent itself excepted)."""
    return leaks_in(reply.body + json.dumps(reply.headers), owner, sent)


def leaks_in(text: str, owner: Organization, sent: str = "") -> list[str]:
    return sorted(secret for secret in owner.secrets() if secret in text and secret not in sent)


def sent_text(method, path, call, ids) -> str:
    return json.dumps([operations.path_for(path, call, ids), operations.fill(call.query, ids), operations.fill(call.body, ids)])


class Tally:
    def __init__(self, name: str):
        self.name, self.probes, self.failures = name, 0, []
        self.refused_alike, self.accepted_alike, self.integer_alike = Counter(), Counter(), Counter()

    def report(self) -> str:
        line = f"{self.name}: {self.probes} probes, {len(self.failures)} leaks/failures"
        if self.refused_alike:
            line += f", {dict(self.refused_alike)} refused before any lookup, exactly as for an unknown id"
        if self.integer_alike:
            line += f", integer ids read as B's own of the same number: {dict(self.integer_alike)}"
        if self.accepted_alike:
            line += f", accepted as ids that exist nowhere are: {dict(self.accepted_alike)}"
        print(line)
        return line + "".join(f"\n  {failure}" for failure in self.failures)


def integer_path_ids(path: str, call: Call, organization: Organization) -> bool:
    """Whether every id in the route's path is an integer id (the Sonderplan surface)."""
    return all(isinstance(operations.fill(call.path.get(name, "{" + name + "}"), organization.ids), int) for name in path_ids(path))


def probe_ids_in_the_path(world, gateway) -> Tally:
    """B's Administrator and User with A's ids in the path."""
    client, alpha, beta = world
    tally = Tally("A's ids in the path, as B")
    probed = [(method, path) for method, path in routes(gateway) if path_ids(path)]
    watch = Watch(alpha)
    for method, path in probed:
        call = OPERATIONS[(method, path)]
        for role in ROLES:
            reply, changed = watch.send(client, beta, method, path, call, ids=alpha.ids, as_role=role)
            tally.probes += 1
            where = f"{method} {path} as B's {role}"
            if integer_path_ids(path, call, alpha):
                # integer ids are numbered per organization: A's number names B's own entity of that
                # number, if any (what B's answer holds is checked for A's data below, like every answer)
                tally.integer_alike[f"{method} {path}"] += 1
            elif reply.status != 404:
                # a refusal that does not depend on the id (a User on an Administrators' route) reveals nothing
                unknown = send(client, beta, method, path, call, ids={name: str(uuid.uuid4()) for name in path_ids(path)}, as_role=role)
                if 400 <= reply.status < 500 and (unknown.status, unknown.body) == (reply.status, reply.body):
                    tally.refused_alike[reply.status] += 1
                else:
                    tally.failures.append(f"{where}: {reply.status} {reply.body[:200]} (an unknown id: {unknown.status})")
            found = leaks(reply, alpha, sent_text(method, path, call, alpha.ids))
            if found:
                tally.failures.append(f"{where}: answer holds A's {found}")
            if changed:
                tally.failures.append(f"{where}: changed A's items")
    assert tally.probes == len(ROLES) * len(probed) >= 80
    return tally


# Calls beyond OPERATIONS' own that name ids in the query or body (filters, report selections).
FOREIGN_FILTERS = [
    ("GET", "/activities", Call(query={"projectId": "{projectId}"})),
    ("GET", "/activities", Call(query={"userId": "{userId}", "from": "2026-07-01T00:00:00Z", "to": "2026-08-01T00:00:00Z"})),
    ("GET", "/timesheets", Call(query={"monthOf": "2026-07-01", "userId": "{olaId}"})),
    ("POST", "/reports/results", Call(body={**REPORT, "selectedProjects": ["{projectId}"]})),
    ("POST", "/reports/results", Call(query={"view": "detailed"}, body={**REPORT, "selectedProjectMembers": ["{userId}"]})),
    ("POST", "/reports", Call(body={**REPORT, "name": "Theirs", "selectedProjects": ["{projectId}"], "selectedProjectMembers": ["{userId}"]})),
    ("POST", "/activities", Call(body={"projectId": "{projectId}", "userId": "{userId}", "startedAt": "2026-07-14T13:00:00Z",
                                       "endedAt": "2026-07-14T14:00:00Z"})),
    ("PUT", "/activities/{activityId}", Call(role="user", body={"projectId": "{projectId}"})),
    ("PUT", "/activities/{activityId}", Call(body={"userId": "{userId}"})),
    ("PUT", "/geofences/{geofenceId}", Call(body={"projectId": "{projectId}"})),
    ("PUT", "/reports/{reportId}", Call(role="user", body={"selectedProjects": ["{projectId}"]})),
    ("POST", "/geofences", Call(body={"name": "Theirs", "latitude": 52.2297, "longitude": 21.0122, "radius": 120,
                                      "enterAction": "START_TRACKING_PROJECT", "exitAction": "NONE", "projectId": "{projectId}"})),
]


def probe_ids_in_the_query_or_body(world, gateway) -> Tally:
    """B's own path ids, A's ids in the query and body (OPERATIONS' calls and FOREIGN_FILTERS)."""
    client, alpha, beta = world
    tally = Tally("A's ids in the query or body, as B")
    watch = Watch(alpha)
    probes = [(method, path, OPERATIONS[(method, path)]) for method, path in routes(gateway)] + FOREIGN_FILTERS
    for method, path, call in probes:
        payload = json.dumps([call.query, call.body])
        if not any(f"{{{name}}}" in payload for name in alpha.ids if name != "domain"):
            continue
        for role in ROLES:
            reply, changed = watch.send(client, beta, method, path, call, as_role=role, body_ids=alpha.ids)
            tally.probes += 1
            where = f"{method} {path} {payload[:80]} as B's {role}"
            if method != "GET" and reply.status < 400 and not path.endswith("/results"):
                # accepted: only if ids that exist nowhere are accepted alike (a report's selection
                # is not checked against the projects; it only ever counts the caller's own data)
                unknown_ids = {name: str(uuid.uuid4()) for name in alpha.ids if name.endswith("Id")}
                unknown, _ = watch.send(client, beta, method, path, call, as_role=role, body_ids=unknown_ids)
                if unknown.status == reply.status:
                    tally.accepted_alike[f"{method} {path}"] += 1
                else:
                    tally.failures.append(f"{where}: accepted A's ids: {reply.status} {reply.body[:200]} (unknown ids: {unknown.status})")
            found = leaks(reply, alpha, sent_text(method, path, call, alpha.ids))
            if found:
                tally.failures.append(f"{where}: answer holds A's {found}")
            if changed:
                tally.failures.append(f"{where}: changed A's items")
    assert tally.probes >= 30
    return tally


def test_every_operation_of_an_organization_answers_nothing_of_another(world, gateway, tmp_path):
    """B runs every operation on its own data, in the bench's order (its deletions of spare items,
    its rename and deletion last); reads also as the other role and reports in every view and as
    CSV. Nothing of A's appears, and A's items never change."""
    client, alpha, beta = world
    outbox = tmp_path / "outbox.jsonl"  # B's reminders are written here, to be read below
    gateway.environment.update({"NOTIFIER": "outbox", "OUTBOX_PATH": str(outbox)})
    gateway.apply_environment()
    tally = Tally("every operation as B, on B's data (lists, reports, exports, writes)")
    declared = set(routes(gateway))
    watch = Watch(alpha)
    # the watch sees A's own change, and the search finds A's data where it belongs
    assert watch.send(client, alpha, "PUT", "/projects/{projectId}", OPERATIONS[("PUT", "/projects/{projectId}")])[1]
    assert {alpha.ids["activityId"], "Alpha kick-off"} <= set(leaks(send(client, alpha, "GET", "/activities", OPERATIONS[("GET", "/activities")]), alpha))
    answered = {}
    for (method, path), call in OPERATIONS.items():
        if (method, path) not in declared:
            continue
        reads = method == "GET" or path.endswith("/results")
        for query in REPORT_VIEWS if path.endswith("/results") else ({},):
            for role in ROLES if reads else (call.role,):
                reply, changed = watch.send(client, beta, method, path, call, as_role=role, query=query)
                tally.probes += 1
                answered[(method, path, role, json.dumps(query))] = reply
                found = leaks(reply, alpha)
                if found:
                    tally.failures.append(f"{method} {path} {query} as B's {role}: answer holds A's {found}")
                if changed:
                    tally.failures.append(f"{method} {path} as B's {role}: changed A's items")
    reminders = [json.loads(line) for line in outbox.read_text().splitlines()]
    assert reminders and not [reminder for reminder in reminders if leaks_in(json.dumps(reminder), alpha)], reminders
    # B's deletions (a user, a project, the organization itself) are purged in the background: none of A's items go
    alpha_items = items_of(alpha)
    assert gateway.run_jobs() > 0
    if items_of(alpha) != alpha_items:
        tally.failures.append("purging B's deleted data changed A's items")
    assert not [item for item in items_of(beta) if item["PK"]["S"].startswith("ORG#")], "B's organization is purged whole"
    # the probes looked at real answers on B's data, not refusals
    assert beta.ids["projectId"] in answered[("GET", "/projects", "admin", "{}")].body
    assert "Beta kick-off" in answered[("POST", "/reports/results", "admin", json.dumps({"format": "csv"}))].body
    assert "Beta office" in answered[("POST", "/geofencing/enter", "user", "{}")].body  # same place as A's office: B's is the one found
    assert not tally.failures, tally.report()
    tally.report()


# Pages of what the table's stream writes (the change log, webhook deliveries): empty here, where no
# stream runs; tests/api/changes presents their cursors in another organization.
STREAM_FED = {("GET", "/changes"), ("GET", "/webhooks/{webhookId}/deliveries")}


def paging_routes(gateway) -> list[tuple[str, str]]:
    """Routes that page: a `limit` query parameter in the served OpenAPI document."""
    found = []
    for path, operations_of_path in merged_schema(gateway)["paths"].items():
        for method, operation in operations_of_path.items():
            if (method.upper(), path.removeprefix("/api")) in STREAM_FED:
                continue
            if any(parameter.get("name") == "limit" and parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
                found.append((method.upper(), path.removeprefix("/api")))
    return sorted(found)


def probe_cursors(world, gateway) -> Tally:
    """A cursor from A, presented in B, on every route that pages."""
    client, alpha, beta = world
    paged = paging_routes(gateway)
    assert ("GET", "/activities") in paged and ("POST", "/reports/results") in paged
    tally = Tally("A's cursors in B")
    for method, path in paged:
        call = OPERATIONS[(method, path)]
        page = {"limit": "1", **({"view": "detailed"} if path.endswith("/results") else {})}
        first = send(client, alpha, method, path, call, query=page)
        cursor = first.header("X-Next-Cursor")
        assert first.status == 200 and cursor, f"{method} {path}: A needs more than one item to page ({first.status} {first.body[:200]})"
        assert cursor in (first.header("Link") or "")
        for role in ROLES:
            reply = send(client, beta, method, path, call, as_role=role, query={**page, "cursor": cursor})
            tally.probes += 1
            if not 400 <= reply.status < 500:
                tally.failures.append(f"{method} {path} as B's {role}: {reply.status} {reply.body[:200]}")
            found = leaks(reply, alpha, cursor)
            if found:
                tally.failures.append(f"{method} {path} as B's {role}: answer holds A's {found}")
    assert tally.probes >= 2 * 8
    return tally


def probe_naming_another_organization(world, gateway) -> Tally:
    """A's members naming B by X-Organization, or by the host (which wins over the header)."""
    client, alpha, beta = world
    tally = Tally("A's members naming B (X-Organization, host)")
    watch = Watch(beta)
    for method, path in routes(gateway):
        if (method, path) in ACCOUNT_ROUTES:
            continue
        call = OPERATIONS[(method, path)]
        # the header names B; the host names B even where the header names A (the host wins)
        for naming in ({"org": "beta"}, {"org": "alpha", "headers": {"Host": "beta.example.com"}}):
            for role in ROLES:
                reply, changed = watch.send(client, alpha, method, path, call, ids=beta.ids, as_role=role, **naming)
                tally.probes += 1
                where = f"{method} {path} as A's {role} naming B by {'host' if 'headers' in naming else 'X-Organization'}"
                # the Clockify surface ignores the header and the host: B's workspace id in the path is not A's (404)
                if reply.status != (404 if path.startswith(("/v1/user", "/v1/workspaces")) else 403):
                    tally.failures.append(f"{where}: {reply.status} {reply.body[:200]}")
                found = leaks(reply, beta, sent_text(method, path, call, beta.ids))
                if found:
                    tally.failures.append(f"{where}: answer holds B's {found}")
                if changed:
                    tally.failures.append(f"{where}: changed B's items")
    return tally


def test_another_organizations_ids_cursors_and_name_are_refused(world, gateway):
    """The probes that must change nothing, on one pair of organizations (building them is the
    costly part): each reports its probes, its not-built routes and any leak."""
    tallies = [probe_ids_in_the_path(world, gateway), probe_ids_in_the_query_or_body(world, gateway),
               probe_cursors(world, gateway), probe_naming_another_organization(world, gateway)]
    report = "\n".join(tally.report() for tally in tallies)
    assert not any(tally.failures for tally in tallies), report
    check_an_account_in_both_organizations(world)  # last: it makes A's Administrator a member of B


def check_an_account_in_both_organizations(world) -> None:
    """The same person, Administrator of A and a User of B: naming B they are B's User, see B's
    data only, and nothing of A's follows them (no role, no lists)."""
    client, alpha, beta = world
    both = alpha.emails["admin"]
    client.ok("POST", "/users", email=beta.emails["admin"], org="beta", body={"email": both, "name": "Visiting"})
    as_visitor = {"email": both, "org": "beta"}
    me = client.ok("GET", "/auth", **as_visitor)
    assert me["role"] == "User" and me["userId"] not in alpha.ids.values()
    assert client.request("POST", "/projects", **as_visitor, body={"name": "Not mine to make"}).status == 403
    assert client.request("GET", "/timesheets/incomplete", **as_visitor, query={"weekOf": "2026-07-06"}).status == 403
    for path in (f"/users/{alpha.ids['userId']}", f"/activities/{alpha.ids['activityId']}", f"/projects/{alpha.ids['projectId']}"):
        assert client.request("GET", path, **as_visitor).status == 404, path
    for path in ("/activities", "/projects", "/users", "/geofences", "/reports", "/timesheets/locks"):
        reply = client.request("GET", path, **as_visitor)
        assert reply.status == 200 and leaks(reply, alpha, sent=both) == [], (path, reply.body)  # B lists the visitor's email, rightly
    assert client.ok("GET", "/activities", **as_visitor) == {}  # a User's own entries: none in B yet
    assert client.ok("GET", "/auth", email=both, org="alpha")["role"] == "Administrator"
