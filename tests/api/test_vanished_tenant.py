"""An organization or a user that vanished between the authorizer and the function (deleted by a
concurrent request after the authorizer's policy was issued or cached): every route answers 4xx,
never 500. Every operation of `sandglass_local.operations` (one realistic call per route of
template.yaml, so a new route is covered by construction) runs with the authorizer context naming
an organization, or a user, that no longer exists."""

from __future__ import annotations

import pytest

from sandglass_local import operations
from sandglass_local.operations import OPERATIONS, Client, send

GONE = "00000000-0000-4000-8000-00000000dead"
ACCOUNT_ROUTES = {("GET", "/organizations"), ("POST", "/organizations")}  # act for the account, not in an organization


@pytest.fixture
def world(gateway):
    with operations.frozen_clock():
        organization = operations.build_organization(gateway, "alpha")
        for name in operations.SAVED_IDS:
            organization.ids.setdefault(name, organization.ids["requestId"])
        yield Client(gateway), organization


def _vanish(gateway, monkeypatch, field: str) -> None:
    """The authorizer's context names `field` (orgId / userId) of something deleted since."""
    integrate = gateway._integrate

    def with_vanished(route, method, path, headers, query, params, request_context, body):
        context = request_context.get("authorizer")
        if context and context.get(field):
            request_context = {**request_context, "authorizer": {**context, field: GONE}}
        return integrate(route, method, path, headers, query, params, request_context, body)

    monkeypatch.setattr(gateway, "_integrate", with_vanished)


def _probe(gateway, world) -> dict[str, tuple[int, str]]:
    client, organization = world
    declared = {(route.method, route.path) for route in gateway.routes if not route.public}
    answers = {}
    with operations.frozen_clock():
        for (method, path), call in OPERATIONS.items():
            if (method, path) in declared and (method, path) not in ACCOUNT_ROUTES:
                reply = send(client, organization, method, path, call)
                answers[f"{method} {path}"] = (reply.status, reply.json()["error"]["code"] if reply.status >= 400 and reply.body else "")
    assert len(answers) >= 70
    return answers


# Reads and writes that need the organization's own record (its time zone, week start, lock and
# rounding settings): without it they cannot answer, and say the organization is not found.
NEEDS_THE_ORGANIZATION = [
    ("GET", "/organization", {}, None),
    ("GET", "/timesheets", {"monthOf": "2026-07-01"}, None),  # every member's month
    ("GET", "/timesheets", {"monthOf": "2026-07-01", "userId": "{adminId}"}, None),
    ("GET", "/timesheets/dayTotals", {"weekOf": "2026-07-13"}, None),
    ("GET", "/timesheets/locks", {"userId": "{adminId}"}, None),
    ("POST", "/activities", {}, {"name": "Late", "startedAt": "2026-07-14T09:00:00+02:00", "endedAt": "2026-07-14T10:00:00+02:00", "projectId": "{projectId}"}),
    ("POST", "/timesheets/lock", {}, {"userId": "{adminId}", "year": 2026, "week": 27}),
    ("PUT", "/organization", {}, {"notes": "gone"}),
]


def test_no_route_fails_when_the_organization_vanished(gateway, world, monkeypatch):
    _vanish(gateway, monkeypatch, "orgId")
    answers = _probe(gateway, world)
    failed = {operation: answer for operation, answer in answers.items() if answer[0] >= 500}
    assert failed == {}, '\n'.join(f'{k}: {v}' for k, v in sorted(failed.items()))


@pytest.mark.parametrize("method, path, query, body", NEEDS_THE_ORGANIZATION, ids=lambda value: value if isinstance(value, str) else None)
def test_what_needs_the_organization_answers_404_when_it_vanished(gateway, world, monkeypatch, method, path, query, body):
    client, organization = world
    _vanish(gateway, monkeypatch, "orgId")
    with operations.frozen_clock():
        reply = client.request(method, path, email=organization.emails["admin"], org=organization.domain,
                               query=operations.fill(query, organization.ids), body=operations.fill(body, organization.ids))
    assert reply.status == 404, reply.body
    assert reply.json()["error"]["code"] == "NOT_FOUND"


def test_no_route_fails_when_the_caller_vanished(gateway, world, monkeypatch):
    _vanish(gateway, monkeypatch, "userId")
    answers = _probe(gateway, world)
    failed = {operation: answer for operation, answer in answers.items() if answer[0] >= 500}
    assert failed == {}, '\n'.join(f'{k}: {v}' for k, v in sorted(failed.items()))
    print(sorted(answers.items()))
