"""An organization or a member deleted between the authorizer and the function.

The authorizer reads the organization and the membership on every request (no cache), so a request
that reaches a function was authorized before any deletion its function might see: the deletion and
the request are concurrent, and either order is a correct outcome. The functions keep the cost of
a request unchanged (no read is added to tell): a request whose service reads the organization item
or the caller's member item anyway (time zone, settings, role) answers 404 when that item is
tombstoned or gone; every other request is ordered before the deletion and answers as it would have
at the authorizer's instant (`AUTHORIZED_BEFORE_THE_DELETION`). Whatever such a request writes lands
in the tombstoned tenant's data, which the purge deletes after its grace period
(`services/purge.py` PURGE_GRACE; tests/api/ops/test_purge_grace.py proves it end to end). No
route answers 5xx in any case.

Every operation of `sandglass_local.operations` (one realistic call per route of template.yaml, so
a new route is covered by construction) runs with the organization, or the caller, tombstoned (the
item as the deletion leaves it, status DELETED) after the authorizer, or gone altogether (the
context names an id nothing has), and is compared with the same call on an intact organization.
"""

from __future__ import annotations

import pytest

from sandglass_local import operations
from sandglass_local.operations import OPERATIONS, Client, send
from tests.conftest import TABLE

GONE = "00000000-0000-4000-8000-00000000dead"
# act for the account, not in an organization (a person's API keys too)
ACCOUNT_ROUTES = {("GET", "/organizations"), ("POST", "/organizations"), ("GET", "/api-keys"), ("POST", "/api-keys"), ("POST", "/api-keys/{keyId}/rotate"),
                  ("DELETE", "/api-keys/{keyId}"), ("GET", "/v1/user"), ("GET", "/v1/workspaces")}


def _world(gateway, label: str):
    organization = operations.build_organization(gateway, label)
    for name in operations.SAVED_IDS:
        organization.ids.setdefault(name, organization.ids["requestId"])
    return organization


@pytest.fixture
def worlds(gateway):
    with operations.frozen_clock():
        yield Client(gateway), _world(gateway, "alpha"), _world(gateway, "beta")


def _vanish(gateway, monkeypatch, field: str, how: str) -> None:
    """Between the authorizer and the function, the organization (field orgId) or the caller
    (userId) is tombstoned (how="tombstoned": its item says DELETED while the function runs, and is
    put back after, so every route meets the same organization) or gone (the context names an id
    nothing has)."""
    from sandglass import keys
    from sandglass.storage.table import client

    integrate = gateway._integrate

    def with_vanished(route, method, path, headers, query, params, request_context, body):
        context = request_context.get("authorizer")
        if not (context and context.get(field)):
            return integrate(route, method, path, headers, query, params, request_context, body)
        if how == "gone":
            return integrate(route, method, path, headers, query, params, {**request_context, "authorizer": {**context, field: GONE}}, body)
        key = keys.organization(context["orgId"]) if field == "orgId" else keys.user(context["orgId"], context["userId"])
        item = client().get_item(TableName=TABLE, Key=key, ConsistentRead=True)["Item"]
        client().put_item(TableName=TABLE, Item={**item, "status": "DELETED", "deletedAt": "2026-07-15T12:00:00.000Z",
                                                 **({"archived": True} if field == "userId" else {})})
        try:
            return integrate(route, method, path, headers, query, params, request_context, body)
        finally:
            client().put_item(TableName=TABLE, Item=item)

    monkeypatch.setattr(gateway, "_integrate", with_vanished)


def _answer(reply) -> tuple[int, str]:
    """(status, error code); MCP answers a refusal as a tool result (HTTP 200, isError) whose
    message is the service's: a "not found" there is the REST surface's 404."""
    if reply.status < 400 and reply.body.startswith('{"jsonrpc"'):
        result = reply.json().get("result") or {}
        if result.get("isError"):
            text = " ".join(part.get("text", "") for part in result.get("content") or [])
            return (404, "NOT_FOUND") if "not found" in text.lower() else (reply.status, text[:80])
    if reply.status >= 400 and reply.body and "error" not in reply.json():  # Clockify's {message, code}, 4me's {message}
        return reply.status, "NOT_FOUND" if reply.status == 404 else str(reply.json().get("code"))
    return reply.status, reply.json()["error"]["code"] if reply.status >= 400 and reply.body else ""


def _probe(gateway, client, organization) -> dict[str, tuple[int, str]]:
    declared = {(route.method, route.path) for route in gateway.routes if not route.public}
    answers = {}
    with operations.frozen_clock():
        for (method, path), call in OPERATIONS.items():
            if (method, path) in declared and (method, path) not in ACCOUNT_ROUTES:
                reply = send(client, organization, method, path, call)
                answers[f"{method} {path}"] = _answer(reply)
    assert len(answers) >= 70
    return answers


def _answers(gateway, worlds, monkeypatch, field: str, how: str):
    client, alpha, beta = worlds
    baseline = _probe(gateway, client, beta)
    _vanish(gateway, monkeypatch, field, how)
    return baseline, _probe(gateway, client, alpha)


# Routes whose service reads neither the organization item nor the caller's member item: with the
# organization tombstoned they answer as at the authorizer's instant (ordered before the deletion).
# Every other route reads the organization item anyway and answers 404 once it is tombstoned.
ORGANIZATION_NOT_READ = frozenset({
    "GET /auth", "GET /changes", "GET /webhooks", "POST /webhooks",
    # the Clockify webhook and entity-change routes over the same services: no organization read
    "GET /v1/workspaces/{workspaceId}/webhooks", "POST /v1/workspaces/{workspaceId}/webhooks",
    "GET /v1/workspaces/{workspaceId}/addons/{addonId}/webhooks", "GET /v1/workspaces/{workspaceId}/entities/created",
    "GET /v1/workspaces/{workspaceId}/entities/updated", "GET /v1/workspaces/{workspaceId}/entities/deleted", "GET /activities", "GET /activities/{activityId}", "GET /billing-history", "GET /geofences", "GET /geofences/{geofenceId}",
    "GET /projects", "GET /projects/{projectId}", "GET /projects/{projectId}/members", "GET /projects/{projectId}/members/{memberId}",
    "GET /projects/{projectId}/members/{memberId}/rates/revenue", "GET /projects/{projectId}/members/{memberId}/rates/revenue/{revenueId}",
    "GET /reports", "GET /reports/{reportId}", "GET /requests", "GET /requests/{requestId}", "GET /subscriptions", "GET /users",
    "GET /users/{userId}", "GET /users/{userId}/rates/cost", "GET /users/{userId}/rates/cost/{costId}",
    "POST /checkout", "POST /geofences", "POST /geofencing/exit", "POST /projects", "POST /projects/{projectId}/members",
    "POST /projects/{projectId}/members/{memberId}/rates/revenue", "POST /receipt", "POST /reports", "POST /requests/impersonation",
    "POST /requests/projects/request-assignment", "POST /requests/projects/{projectId}/members",
    "POST /requests/projects/{projectId}/members/{memberId}/role", "POST /timesheets/lock", "POST /users", "POST /users/{userId}/rates/cost",
    "PUT /geofences/{geofenceId}", "PUT /projects/{projectId}", "PUT /projects/{projectId}/members/{memberId}",
    "PUT /projects/{projectId}/members/{memberId}/rates/revenue/{revenueId}", "PUT /reports/{reportId}", "PUT /requests/{requestId}",
    "PUT /requests/{requestId}/projects/assign", "PUT /requests/{requestId}/projects/members", "PUT /requests/{requestId}/projects/members/role",
    "PUT /requests/{requestId}/timesheets/approvals", "PUT /subscriptions/{subscriptionId}", "PUT /users/{userId}",
    "PUT /users/{userId}/rates/cost/{costId}",
    "DELETE /activities/{activityId}", "DELETE /geofences/{geofenceId}", "DELETE /projects/{projectId}", "DELETE /projects/{projectId}/members/{memberId}",
    "DELETE /projects/{projectId}/members/{memberId}/rates/revenue/{revenueId}", "DELETE /reports/{reportId}", "DELETE /timesheets/lock",
    "DELETE /timesheets/lock/{lockId}", "DELETE /users/{userId}", "DELETE /users/{userId}/rates/cost/{costId}",
    # the Clockify surface's routes over the same services (their Sandtime counterparts are above)
    "GET /v1/workspaces/{workspaceId}/projects", "GET /v1/workspaces/{workspaceId}/projects/{projectId}", "POST /v1/workspaces/{workspaceId}/projects",
    "PUT /v1/workspaces/{workspaceId}/projects/{projectId}", "DELETE /v1/workspaces/{workspaceId}/projects/{projectId}",
    "GET /v1/workspaces/{workspaceId}/time-entries/{id}", "GET /v1/workspaces/{workspaceId}/time-entries/status/in-progress",
    "GET /v1/workspaces/{workspaceId}/user/{userId}/time-entries", "DELETE /v1/workspaces/{workspaceId}/time-entries/{id}",
    # the catalog (tags, clients, a project's tasks) on both surfaces: reads and writes by key, no organization read
    *(f"{method} {path}" for base, item in (("/tags", "/tags/{tagId}"), ("/clients", "/clients/{clientId}"),
                                            ("/projects/{projectId}/tasks", "/projects/{projectId}/tasks/{taskId}"))
      for method, path in (("GET", base), ("POST", base), ("GET", item), ("PUT", item), ("DELETE", item))),
    *(f"{method} /v1/workspaces/{{workspaceId}}{path}" for base, item in (("/tags", "/tags/{id}"), ("/clients", "/clients/{id}"),
                                                                        ("/projects/{projectId}/tasks", "/projects/{projectId}/tasks/{taskId}"))
      for method, path in (("GET", base), ("POST", base), ("GET", item), ("PUT", item), ("DELETE", item))),
    # groups of people and the 4me locks: by key, no organization read
    "GET /groups", "POST /groups", "GET /groups/{groupId}", "PUT /groups/{groupId}", "DELETE /groups/{groupId}",
    "GET /groups/{groupId}/members", "PUT /groups/{groupId}/members/{userId}", "POST /v1/timesheets/lock", "DELETE /v1/timesheets/lock",
    # the Sonderplan reads over the activity reads (integer ids resolved by key)
    "GET /v2/time-entry", "GET /v2/time-entry/{entry_id}",
})
# 4me's day totals resolve `person_id` (here the caller) to a member: a tombstoned person reads as not found
CALLER_READ = frozenset({"GET /v1/timesheets/day_totals"})
# No service reads the CALLER's member item to decide a request (roles come from the authorizer;
# reports read members only to name their rows): with the caller tombstoned every route answers as
# at the authorizer's instant, and what it writes goes with the member's purge.
CALLER_NOT_READ = "every route"


def _answers(gateway, worlds, monkeypatch, field: str, how: str):
    client, alpha, beta = worlds
    baseline = _probe(gateway, client, beta)
    _vanish(gateway, monkeypatch, field, how)
    return baseline, _probe(gateway, client, alpha)


def _table(rows: dict) -> str:
    return "\n".join(f"{operation}: {answer}" for operation, answer in sorted(rows.items()))


@pytest.mark.parametrize("field", ["orgId", "userId"])
def test_each_route_answers_404_or_as_at_the_authorizers_instant(gateway, worlds, monkeypatch, field):
    baseline, answers = _answers(gateway, worlds, monkeypatch, field, "tombstoned")
    ordered_before = set(answers) - CALLER_READ if field == "userId" else ORGANIZATION_NOT_READ
    assert ordered_before <= set(answers)
    wrong = {operation: (answer, baseline[operation]) for operation, answer in answers.items()
             if (answer != baseline[operation] if operation in ordered_before else answer != (404, "NOT_FOUND"))}
    assert wrong == {}, _table(wrong)


@pytest.mark.parametrize("field", ["orgId", "userId"])
def test_no_route_fails_when_the_organization_or_the_caller_is_gone_altogether(gateway, worlds, monkeypatch, field):
    """The context names an id nothing has (as after the purge): never 5xx (a route finds nothing
    of an organization that is gone, or answers 404 for it)."""
    baseline, answers = _answers(gateway, worlds, monkeypatch, field, "gone")
    failed = {operation: answer for operation, answer in answers.items() if answer[0] >= 500}
    assert failed == {}, _table(failed)
