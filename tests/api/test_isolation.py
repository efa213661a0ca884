"""Tenant isolation, probed on every route of template.yaml (so a new route is covered by construction).

Organizations `alpha` (A) and `beta` (B) hold the same shapes of data (`sandglass_local.operations.
build_organization`), and every route is sent its realistic call (`OPERATIONS`) with ids swapped:
- B's Administrator and User with A's ids in the path: 404 (or the very answer an id that exists
  nowhere gets, e.g. 403 for a User on an Administrators' route), nothing of A's in the answer,
  none of A's items changed;
- B's path ids with A's ids in the query or body: refused when it writes, nothing of A's answered;
- every read (lists, reports, their exports) as B: nothing of A's;
- a cursor from A, on every route that pages (a `limit` parameter in the served OpenAPI): 4xx in B;
- A's members naming B (X-Organization, or the host, which wins): 403, nothing of B's, B unchanged.
Routes the requests group answers with 501 are counted as "not built yet" (operations.not_built).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter

import boto3
import pytest

from sandglass_local import operations
from sandglass_local.operations import OPERATIONS, Client, Organization, path_ids, send
from sandglass_local.openapi import merged_schema

ROLES = ("admin", "user")
ACCOUNT_ROUTES = {("GET", "/auth"), ("GET", "/organizations"), ("POST", "/organizations")}  # act for the account, name no organization's data
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


def items_of(organization: Organization) -> list[dict]:
    """Every stored item that belongs to the organization or names one of its members."""
    marks = (organization.ids["orgId"], f"@{organization.label}.test", f"DOMAIN#{organization.label}")
    found = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName="sandglass-test"):
        found += [item for item in page["Items"] if any(mark in json.dumps(item) for mark in marks)]
    return sorted(found, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def leaks(reply, owner: Organization, sent: str = "") -> list[str]:
    """The owner's ids, names and emails found in an answer (ids the caller sent itself excepted)."""
    text = reply.body + json.dumps(reply.headers)
    return sorted(secret for secret in owner.secrets() if secret in text and secret not in sent)


def sent_text(method, path, call, ids) -> str:
    return json.dumps([operations.path_for(path, call, ids), operations.fill(call.query, ids), operations.fill(call.body, ids)])


class Tally:
    def __init__(self, name: str):
        self.name, self.probes, self.not_built, self.refused_alike, self.failures = name, 0, Counter(), Counter(), []

    def report(self) -> str:
        line = f"{self.name}: {self.probes} probes, {len(self.failures)} leaks/failures, {sum(self.not_built.values())} not built yet (501)"
        if self.refused_alike:
            line += f", {dict(self.refused_alike)} refused before any lookup, exactly as for an unknown id"
        print(line)
        return line + "".join(f"\n  {failure}" for failure in self.failures)


def test_another_organizations_ids_in_the_path_are_404_and_change_nothing(world, gateway):
    client, alpha, beta = world
    tally = Tally("A's ids in the path, as B")
    probed = [(method, path) for method, path in routes(gateway) if path_ids(path)]
    stored = items_of(alpha)
    for method, path in probed:
        call = OPERATIONS[(method, path)]
        for role in ROLES:
            reply = send(client, beta, method, path, call, ids=alpha.ids, as_role=role)
            tally.probes += 1
            if operations.not_built(reply):
                tally.not_built[f"{method} {path}"] += 1
                continue
            where = f"{method} {path} as B's {role}"
            if reply.status != 404:
                # a refusal that does not depend on the id (a User on an Administrators' route) reveals nothing
                unknown = send(client, beta, method, path, call, ids={name: str(uuid.uuid4()) for name in path_ids(path)}, as_role=role)
                if 400 <= reply.status < 500 and (unknown.status, unknown.body) == (reply.status, reply.body):
                    tally.refused_alike[reply.status] += 1
                else:
                    tally.failures.append(f"{where}: {reply.status} {reply.body[:200]} (an unknown id: {unknown.status})")
            found = leaks(reply, alpha, sent_text(method, path, call, alpha.ids))
            if found:
                tally.failures.append(f"{where}: answer holds A's {found}")
            if method != "GET" and items_of(alpha) != stored:
                tally.failures.append(f"{where}: changed A's items")
                stored = items_of(alpha)
    assert tally.probes == len(ROLES) * len(probed) >= 80
    assert not tally.failures, tally.report()
    tally.report()


def test_another_organizations_ids_in_the_query_or_body_are_refused(world, gateway):
    client, alpha, beta = world
    tally = Tally("A's ids in the query or body, as B")
    stored = items_of(alpha)
    for method, path in routes(gateway):
        call = OPERATIONS[(method, path)]
        payload = json.dumps([call.query, call.body])
        if not any(f"{{{name}}}" in payload for name in alpha.ids if name != "domain"):
            continue
        for role in ROLES:
            reply = send(client, beta, method, path, call, as_role=role, body_ids=alpha.ids)
            tally.probes += 1
            if operations.not_built(reply):
                tally.not_built[f"{method} {path}"] += 1
                continue
            where = f"{method} {path} as B's {role}"
            if method != "GET" and reply.status < 400:
                tally.failures.append(f"{where}: accepted A's ids: {reply.status} {reply.body[:200]}")
            found = leaks(reply, alpha, sent_text(method, path, call, alpha.ids))
            if found:
                tally.failures.append(f"{where}: answer holds A's {found}")
            if method != "GET" and items_of(alpha) != stored:
                tally.failures.append(f"{where}: changed A's items")
                stored = items_of(alpha)
    assert tally.probes >= 20
    assert not tally.failures, tally.report()
    tally.report()


def test_reads_lists_and_reports_never_include_another_organizations_items(world, gateway):
    client, alpha, beta = world
    tally = Tally("reads as B (lists, reports, exports)")
    reads = [(m, p) for m, p in routes(gateway) if m == "GET" or p.endswith("/results")]
    for method, path in reads:
        call = OPERATIONS[(method, path)]
        for query in REPORT_VIEWS if path.endswith("/results") else ({},):
            for role in ROLES:
                reply = send(client, beta, method, path, call, as_role=role, query=query)
                tally.probes += 1
                if operations.not_built(reply):
                    tally.not_built[f"{method} {path}"] += 1
                    continue
                found = leaks(reply, alpha)
                if found:
                    tally.failures.append(f"{method} {path} {query} as B's {role}: answer holds A's {found}")
    # the same reads answer B's own data (the probes above looked at real answers, not refusals),
    # and the search finds an organization's data where it belongs
    assert beta.ids["projectId"] in send(client, beta, "GET", "/projects", OPERATIONS[("GET", "/projects")]).body
    own_report = send(client, beta, "POST", "/reports/results", OPERATIONS[("POST", "/reports/results")], query={"format": "csv"})
    assert "Beta kick-off" in own_report.body and "Beta kick-off" in leaks(own_report, beta)
    assert {alpha.ids["activityId"], "Alpha kick-off"} <= set(leaks(send(client, alpha, "GET", "/activities", OPERATIONS[("GET", "/activities")]), alpha))
    assert not tally.failures, tally.report()
    tally.report()


def paging_routes(gateway) -> list[tuple[str, str]]:
    """Routes that page: a `limit` query parameter in the served OpenAPI document."""
    found = []
    for path, operations_of_path in merged_schema(gateway)["paths"].items():
        for method, operation in operations_of_path.items():
            if any(parameter.get("name") == "limit" and parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
                found.append((method.upper(), path.removeprefix("/api")))
    return sorted(found)


def test_a_cursor_from_one_organization_is_refused_in_another(world, gateway):
    client, alpha, beta = world
    paged = paging_routes(gateway)
    assert ("GET", "/activities") in paged and ("POST", "/reports/results") in paged
    tally = Tally("A's cursors in B")
    for method, path in paged:
        call = OPERATIONS[(method, path)]
        page = {"limit": "1", **({"view": "detailed"} if path.endswith("/results") else {})}
        first = send(client, alpha, method, path, call, query=page)
        if operations.not_built(first):
            tally.not_built[f"{method} {path}"] += 1
            continue
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
    assert not tally.failures, tally.report()
    tally.report()


def test_a_member_of_one_organization_naming_another_is_refused(world, gateway):
    client, alpha, beta = world
    tally = Tally("A's members naming B (X-Organization, host)")
    before = items_of(beta)
    for method, path in routes(gateway):
        if (method, path) in ACCOUNT_ROUTES:
            continue
        call = OPERATIONS[(method, path)]
        # the header names B; the host names B even where the header names A (the host wins)
        for naming in ({"org": "beta"}, {"org": "alpha", "headers": {"Host": "beta.example.com"}}):
            for role in ROLES:
                reply = send(client, alpha, method, path, call, ids=beta.ids, as_role=role, **naming)
                tally.probes += 1
                where = f"{method} {path} as A's {role} naming B by {'host' if 'headers' in naming else 'X-Organization'}"
                if reply.status != 403:
                    tally.failures.append(f"{where}: {reply.status} {reply.body[:200]}")
                found = leaks(reply, beta, sent_text(method, path, call, beta.ids))
                if found:
                    tally.failures.append(f"{where}: answer holds B's {found}")
    if items_of(beta) != before:
        tally.failures.append("B's items changed")
    assert not tally.failures, tally.report()
    tally.report()
