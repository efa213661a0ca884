"""Every credential kind of one organization against every route of template.yaml in another.

Organizations `alpha` (A) and `beta` (B) are built as for the isolation probe (tests/api/test_isolation.py,
`sandglass_local.operations`). B's credentials: its Administrator's and its User's session tokens, its
Administrator's personal API key, a support bearer that B granted (acting as B's User), and B's one-time support grant itself. Each is
sent every route's realistic call (`OPERATIONS`) with A's ids, naming A by X-Organization, naming A by
the host (while X-Organization names B), and naming B (A's ids in the path). Every answer is 403 or
404 (401 for the grant, which A never issued), holds nothing of A's, and A's items never change. The
account's own routes (sign-up, the list of one's organizations, the auth snapshot, one's API keys) are
the exceptions a session token (and an API key, except on the API-key routes: 403) may use anywhere; a
scoped token may not. Last, the person B's support bearer acts
for becomes an Administrator of A: the bearer is still refused (403) on every route naming A.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from sandglass_local import operations
from sandglass_local.operations import OPERATIONS, Organization
from tests.api.test_isolation import ACCOUNT_ROUTES, Watch, integer_path_ids, leaks, routes, sent_text, world  # noqa: F401 - `world` is the fixture


@dataclass(frozen=True)
class Credential:
    kind: str
    headers: dict[str, str]
    scoped: bool = False  # names one organization: no account route anywhere


def session(organization: Organization, role: str) -> Credential:
    from sandglass.services.auth import issue_token

    return Credential(f"B's {role} session token", {"Authorization": f"Bearer {issue_token(organization.emails[role])}"})


def support_grant(gateway, organization: Organization) -> str:
    """A fresh one-time grant of `organization`, made while the domain clock reads real time (the
    bearer it yields is checked against real time)."""
    from sandglass_local.operations import Client, _support_sign_in_token

    with operations.frozen_clock(datetime.now(timezone.utc).replace(microsecond=0)):
        as_sam = {"email": organization.emails["user"], "org": organization.label}
        as_admin = {"email": organization.emails["admin"], "org": organization.label}
        return _support_sign_in_token(Client(gateway), gateway, as_sam, as_admin)


def exchange(gateway, grant: str, org: str):
    return gateway.request("POST", "/api/auth/impersonation", headers={"X-Organization": org}, body={"token": grant})


def refused_by_mcp(method: str, path: str, reply) -> bool:
    """MCP answers a refused tool call inside a 200 (JSON-RPC result with isError), e.g. a call that
    names no organization: a refusal like a 403/404."""
    if (method, path) != ("POST", "/mcp") or reply.status != 200:
        return False
    result = (reply.json() or {}).get("result") or {}
    return result.get("isError") is True


NAMINGS = {  # how a request names the organization it targets, and whose ids it carries
    "X-Organization: A": ({"X-Organization": "alpha"}, "alpha"),
    "host A, X-Organization: B": ({"X-Organization": "beta", "Host": "alpha.example.com"}, "alpha"),
    "X-Organization: B, A's ids": ({"X-Organization": "beta"}, "beta"),
    "no organization, A's ids": ({}, None),
}


def test_every_credential_of_one_organization_is_refused_on_every_route_of_another(world, gateway):  # noqa: F811 - the fixture
    client, alpha, beta = world
    watch = Watch(alpha)
    failures: list[str] = []

    # B's one-time grant, presented to A: not A's to exchange (and still B's afterwards)
    grant = support_grant(gateway, beta)
    for naming in ("alpha", "ALPHA "):
        reply = exchange(gateway, grant, naming)
        if reply.status != 401 or reply.json()["error"]["code"] != "INVALID_SIGN_IN_TOKEN":
            failures.append(f"B's one-time grant exchanged naming {naming!r}: {reply.status} {reply.body[:200]}")
    bearer = exchange(gateway, grant, "beta")
    assert bearer.status == 200, bearer.body
    credentials = [session(beta, "admin"), session(beta, "user"),
                   Credential("B's Administrator's personal API key", {"X-Api-Key": beta.ids["apiKey"]}),
                   Credential("a support bearer B granted", {"Authorization": f"Bearer {bearer.json()['token']}"}, scoped=True)]

    probes = 0
    for method, path in routes(gateway):
        call = OPERATIONS[(method, path)]
        account_route = (method, path) in ACCOUNT_ROUTES
        for credential in credentials:
            for naming, (naming_headers, target) in NAMINGS.items():
                if target == "beta" and (not operations.path_ids(path) or integer_path_ids(path, call, alpha)):
                    # B's own route with nothing of A's in it, or only integer ids (numbered per organization:
                    # A's number names B's own entity): B's data (test_isolation covers it)
                    continue
                headers = {**credential.headers, **naming_headers}
                body = operations.fill(call.body, alpha.ids)
                if (method, path) == ("POST", "/organizations"):
                    body = {**body, "domain": f"swept-{probes}"}  # a sign-up: a new domain each time
                reply, changed = watch.call(client.gateway.request, method, "/api" + operations.path_for(path, call, alpha.ids), headers=headers,
                                            query=operations.fill(call.query, alpha.ids) or None, body=body)
                probes += 1
                where = f"{method} {path} with {credential.kind}, {naming}"
                allowed = {403, 404}
                if account_route and not credential.scoped:
                    allowed |= {200, 201}  # the account's own: its snapshot, its organizations, a sign-up, its API keys
                if reply.status not in allowed and not refused_by_mcp(method, path, reply):
                    failures.append(f"{where}: {reply.status} {reply.body[:200]}")
                found = leaks(reply, alpha, sent_text(method, path, call, alpha.ids) + json.dumps(naming_headers))  # the domain it named, echoed
                if found:
                    failures.append(f"{where}: answer holds A's {found}")
                if changed:
                    failures.append(f"{where}: changed A's items")
    assert probes >= 4 * 3 * 80, probes

    # the person B's support bearer acts for becomes an Administrator of A: their own session works
    # there now, the bearer B granted still does not, on any route
    support = credentials[-1]
    client.ok("POST", "/users", email=alpha.emails["admin"], org="alpha", body={"email": beta.emails["user"], "name": "Sam of Beta", "role": "Administrator"})
    assert client.request("GET", "/users", email=beta.emails["user"], org="alpha").status == 200
    watch = Watch(alpha)
    for method, path in routes(gateway):
        call = OPERATIONS[(method, path)]
        for naming, (naming_headers, target) in NAMINGS.items():
            if target != "alpha":
                continue
            reply, changed = watch.call(client.gateway.request, method, "/api" + operations.path_for(path, call, alpha.ids),
                                        headers={**support.headers, **naming_headers}, query=operations.fill(call.query, alpha.ids) or None,
                                        body=operations.fill(call.body, alpha.ids))
            probes += 1
            where = f"{method} {path} with {support.kind} for a person who is A's Administrator, {naming}"
            if reply.status != 403:
                failures.append(f"{where}: {reply.status} {reply.body[:200]}")
            if changed:
                failures.append(f"{where}: changed A's items")

    # the credentials were good ones: each still works in B
    for credential in credentials:
        reply = client.gateway.request("GET", "/api/activities", headers={**credential.headers, "X-Organization": "beta"})
        assert reply.status == 200, (credential.kind, reply.body)
    assert not failures, f"{len(failures)} of {probes} probes failed:\n" + "\n".join(failures)


@pytest.mark.parametrize("kind", ["admin", "user"])
def test_a_session_token_reads_nothing_of_another_organization_through_the_account_routes(world, kind):  # noqa: F811 - the fixture
    client, alpha, beta = world
    token = session(beta, kind).headers
    for org in ("alpha", None):
        listed = client.gateway.request("GET", "/api/organizations", headers={**token, **({"X-Organization": org} if org else {})})
        assert listed.status == 200 and alpha.ids["orgId"] not in listed.body and "Alpha" not in listed.body
    snapshot = client.gateway.request("GET", "/api/auth", headers={**token, "X-Organization": "alpha"})
    assert snapshot.status == 200 and snapshot.json()["userId"] is None and snapshot.json()["role"] is None


def test_every_route_acts_on_the_authorizers_organization_whatever_the_headers_say(world, gateway, monkeypatch):  # noqa: F811 - the fixture
    """The authorizer decides for B; the function's event names A (X-Organization and host). Every
    route acts on B's data (from the authorizer's context) and answers nothing of A's, changes nothing
    of A's: no handler reads the organization from the request itself."""
    client, alpha, beta = world
    invoke = gateway.invoke

    def authorizer_sees_b(function_id, event):
        if function_id == gateway.authorizer_id:
            event = {**event, "headers": {**event["headers"], "X-Organization": "beta", "Host": "127.0.0.1:3000"}}
        return invoke(function_id, event)

    monkeypatch.setattr(gateway, "invoke", authorizer_sees_b)
    watch, failures, answered = Watch(alpha), [], {}
    declared = set(routes(gateway))
    for (method, path), call in OPERATIONS.items():  # in the bench's order: B's deletion of itself last
        if (method, path) not in declared:
            continue
        reply, changed = watch.send(client, beta, method, path, call, org="alpha", headers={"Host": "alpha.example.com"})
        answered[(method, path)] = reply
        found = leaks(reply, alpha, "alpha")
        if found or changed or reply.status >= 500:
            failures.append(f"{method} {path}: {reply.status} {reply.body[:200]} {found} {'changed A' if changed else ''}")
    assert not failures, "\n".join(failures)
    assert "Beta Works" in answered[("GET", "/organization")].body, answered[("GET", "/organization")].body
    assert beta.ids["projectId"] in answered[("GET", "/projects")].body
