"""Every API operation with a realistic call, and an organization with data for them to act on.

`build_organization` fills an organization through the API (users, projects with members,
revenue and cost rates, activities incl. a running timer, week and date locks, geofences, report
definitions, a paid subscription, workflow requests, a support sign-in token) and returns the
ids it created. `OPERATIONS` holds one `Call` per route of `template.yaml`, written with
placeholders (`"{projectId}"`) that `request_for` fills from such ids. The DynamoDB-call bench
(`bench/dynamodb_calls.py`), the budget test and the tenant-isolation test all use them, so a new
route needs one entry here and is then counted and probed by construction.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from sandglass_local import template as tpl
from sandglass_local.callcounter import CallCounter, counting
from sandglass_local.gateway import Gateway, Reply

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)  # a Wednesday, ISO week 2026-W29

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Call:
    """One realistic request of an operation. Strings may hold `{name}` placeholders for ids.

    role: "admin" (the organization's Administrator), "user" (Sam, a User and project member) or
    "founder" (an account with no organization yet: sign-up). `path` maps a path parameter to
    the value to use (default: the id of the same name); `org` is the X-Organization header."""

    role: str = "admin"
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    path: dict[str, str] = field(default_factory=dict)
    org: str | None = "{domain}"
    saves: str | None = None  # keep the answer's `id` under this name for the calls after it


JULY = {"period": "custom", "start": "2026-07-01T00:00:00+02:00", "end": "2026-07-31T23:59:59+02:00"}
REPORT = {**JULY, "dimensions": ["project", "user"], "metrics": ["time", "billable", "revenue", "cost"]}


def _jws_receipt() -> str:
    import base64

    def part(raw: bytes) -> bytes:
        return base64.urlsafe_b64encode(raw).rstrip(b"=")

    token = b".".join([part(b'{"alg":"ES256","x5c":["MIIB"]}'), part(b'{"transactionId":"2000000123456789","productId":"seats"}'), part(b"s" * 64)])
    return base64.b64encode(token).decode()


# The Clockify routes' workspace: the organization's 24-hex id (build_organization keeps the
# Clockify forms of its ids under cf* names).
CLOCKIFY = {"workspaceId": "{cfWorkspaceId}"}

# One call per route, in the order the bench runs them: reads, creations, changes, deletions,
# the organization's rename and deletion last (they end the organization the others use).
OPERATIONS: dict[tuple[str, str], Call] = {
    # workspace
    ("GET", "/health"): Call(org=None),
    ("GET", "/openapi.json"): Call(org=None),
    ("GET", "/openapi/clockify.json"): Call(org=None),
    ("GET", "/SKILL.md"): Call(org=None),
    ("GET", "/mcp"): Call(org=None),
    ("GET", "/auth"): Call(),
    ("GET", "/organizations"): Call(org=None),
    ("GET", "/organization"): Call(),
    ("GET", "/api-keys"): Call(org=None),
    # users
    ("GET", "/users"): Call(),
    ("GET", "/users/{userId}"): Call(),
    ("GET", "/users/{userId}/preferences"): Call(role="user"),
    ("GET", "/users/{userId}/rates/cost"): Call(),
    ("GET", "/users/{userId}/rates/cost/{costId}"): Call(),
    # projects
    ("GET", "/projects"): Call(),
    ("GET", "/projects/{projectId}"): Call(),
    ("GET", "/projects/{projectId}/members"): Call(),
    ("GET", "/projects/{projectId}/members/{memberId}"): Call(),
    ("GET", "/projects/{projectId}/members/{memberId}/rates/revenue"): Call(),
    ("GET", "/projects/{projectId}/members/{memberId}/rates/revenue/{revenueId}"): Call(),
    # catalog
    ("GET", "/tags"): Call(role="user"),
    ("GET", "/tags/{tagId}"): Call(role="user"),
    ("GET", "/clients"): Call(role="user"),
    ("GET", "/clients/{clientId}"): Call(role="user"),
    ("GET", "/projects/{projectId}/tasks"): Call(role="user"),
    ("GET", "/projects/{projectId}/tasks/{taskId}"): Call(role="user"),
    ("GET", "/v1/workspaces/{workspaceId}/tags"): Call(role="user", org=None),
    ("GET", "/v1/workspaces/{workspaceId}/tags/{id}"): Call(role="user", org=None, path={"id": "{tagShortId}"}),
    ("GET", "/v1/workspaces/{workspaceId}/clients"): Call(role="user", org=None),
    ("GET", "/v1/workspaces/{workspaceId}/clients/{id}"): Call(role="user", org=None, path={"id": "{clientShortId}"}),
    ("GET", "/v1/workspaces/{workspaceId}/projects/{projectId}/tasks"): Call(role="user", org=None, path={"projectId": "{projectShortId}"}),
    ("GET", "/v1/workspaces/{workspaceId}/projects/{projectId}/tasks/{taskId}"): Call(role="user", org=None, path={
        "projectId": "{projectShortId}", "taskId": "{taskShortId}"}),
    # activities
    ("GET", "/activities"): Call(role="user", query={"from": "2026-07-01T00:00:00Z", "to": "2026-08-01T00:00:00Z"}),
    ("GET", "/activities/{activityId}"): Call(role="user"),
    # timesheets
    ("GET", "/timesheets"): Call(query={"monthOf": "2026-07-01", "userId": "{userId}"}),
    ("GET", "/timesheets/dayTotals"): Call(query={"userId": "{userId}", "weekOf": "2026-07-13"}),
    ("GET", "/timesheets/incomplete"): Call(query={"weekOf": "2026-07-06"}),
    ("GET", "/timesheets/locks"): Call(query={"userId": "{userId}"}),
    # geofences
    ("GET", "/geofences"): Call(role="user"),
    ("GET", "/changes"): Call(role="user"),
    ("GET", "/geofences/{geofenceId}"): Call(role="user"),
    ("GET", "/groups"): Call(role="user"),
    ("GET", "/groups/{groupId}"): Call(role="user"),
    ("GET", "/groups/{groupId}/members"): Call(role="user"),
    ("GET", "/v2/time-entry/{entry_id}"): Call(role="user", path={"entry_id": "{spActivityNumber}"}),
    ("GET", "/v2/time-entry"): Call(role="user", query={"owner_id": "{spSamNumberText}", "start": "1783987200", "end": "1784160000"}),
    ("GET", "/v1/timesheets"): Call(query={"organization_id": "{groupId}", "month_of": "2026-07-15"}),
    ("GET", "/v1/timesheets/incomplete"): Call(query={"organization_id": "{groupId}", "week_of": "2026-07-13"}),
    ("GET", "/v1/timesheets/day_totals"): Call(role="user", query={"person_id": "{userId}", "week_of": "2026-07-13"}),
    # reports
    ("GET", "/reports"): Call(role="user"),
    # requests
    ("GET", "/requests"): Call(query={"status": "PENDING"}),
    ("GET", "/requests/{requestId}"): Call(role="user"),
    ("GET", "/reports/{reportId}"): Call(role="user"),
    ("GET", "/reports/{reportId}/results"): Call(role="user", query={"view": "summary"}),
    ("POST", "/reports/results"): Call(query={"view": "detailed"}, body=REPORT),
    # Clockify v1 surface (docs/clockify.md): 24-hex ids, the workspace in the path, no X-Organization
    ("GET", "/v1/user"): Call(org=None, query={"include-memberships": "true"}),
    ("GET", "/v1/workspaces"): Call(org=None),
    ("GET", "/v1/workspaces/{workspaceId}"): Call(org=None, path=CLOCKIFY),
    ("GET", "/v1/workspaces/{workspaceId}/users"): Call(org=None, path=CLOCKIFY, query={"include-roles": "true", "page-size": "1000"}),
    ("GET", "/v1/workspaces/{workspaceId}/projects"): Call(org=None, path=CLOCKIFY, query={"page-size": "1000", "archived": "false"}),
    ("GET", "/v1/workspaces/{workspaceId}/projects/{projectId}"): Call(org=None, path={**CLOCKIFY, "projectId": "{cfProjectId}"}),
    ("GET", "/v1/workspaces/{workspaceId}/time-entries/{id}"): Call(role="user", org=None, path={**CLOCKIFY, "id": "{cfActivityId}"}),
    ("GET", "/v1/workspaces/{workspaceId}/time-entries/status/in-progress"): Call(org=None, path=CLOCKIFY),
    ("GET", "/v1/workspaces/{workspaceId}/user/{userId}/time-entries"): Call(role="user", org=None, path={**CLOCKIFY, "userId": "{cfSamId}"},
                                                                             query={"hydrated": "true", "page-size": "500"}),
    # billing
    ("GET", "/subscriptions"): Call(),
    ("GET", "/billing-history"): Call(),
    # creations
    ("POST", "/organizations"): Call(role="founder", org=None, body={"name": "Founded", "domain": "{domain}-founded"}),
    ("POST", "/api-keys"): Call(org=None, body={"name": "CI export", "expiresAt": "2027-01-01T00:00:00Z"}),
    ("POST", "/users"): Call(body={"email": "kim@{domain}.test", "name": "Kim", "role": "User"}),
    ("POST", "/groups"): Call(body={"name": "Night shift", "managerId": "{olaId}"}),
    ("POST", "/v1/timesheets/lock"): Call(query={"person_id": "{olaId}", "date": "2026-04-15"}),
    ("POST", "/users/{userId}/rates/cost"): Call(body={"currency": "EUR", "from": "2024-01-01T00:00:00Z", "to": "2024-07-01T00:00:00Z", "value": "30.00"}),
    ("POST", "/projects"): Call(body={"name": "Research", "billable": False}),
    ("POST", "/projects/{projectId}/members"): Call(body={"userId": "{olaId}", "role": "User", "title": "Engineer"}),
    ("POST", "/projects/{projectId}/members/{memberId}/rates/revenue"): Call(
        body={"currency": "EUR", "from": "2024-01-01T00:00:00Z", "to": "2024-07-01T00:00:00Z", "value": "80.00"}),
    ("POST", "/tags"): Call(body={"name": "Overtime"}),
    ("POST", "/clients"): Call(body={"name": "Initech", "email": "ap@initech.test", "currency": "EUR"}),
    ("POST", "/projects/{projectId}/tasks"): Call(body={"name": "Accessibility audit", "assigneeIds": ["{userId}"], "estimate": 7200000}),
    ("POST", "/v1/workspaces/{workspaceId}/tags"): Call(org=None, body={"name": "Weekend"}),
    ("POST", "/v1/workspaces/{workspaceId}/clients"): Call(org=None, body={"name": "Umbrella", "email": "ap@umbrella.test"}),
    ("POST", "/v1/workspaces/{workspaceId}/projects/{projectId}/tasks"): Call(org=None, path={"projectId": "{projectShortId}"},
                                                                               body={"name": "Usability test", "estimate": "PT2H"}),
    ("POST", "/activities"): Call(role="user", body={"name": "Review", "projectId": "{projectId}", "startedAt": "2026-07-14T13:00:00Z",
                                                      "endedAt": "2026-07-14T14:00:00Z"}),
    ("POST", "/activities/rerate/preview"): Call(body={"from": "2026-07-01T00:00:00Z", "to": "2026-08-01T00:00:00Z"}),
    ("POST", "/activities/rerate/apply"): Call(body={"from": "2026-07-01T00:00:00Z", "to": "2026-08-01T00:00:00Z", "force": True}),
    ("POST", "/geofences"): Call(body={"name": "Depot", "latitude": 50.0647, "longitude": 19.945, "radius": 200, "enterAction": "START_TRACKING_PROJECT",
                                       "exitAction": "STOP_TRACKING", "projectId": "{projectId}"}),
    ("POST", "/geofencing/enter"): Call(role="user", body={"latitude": 52.2297, "longitude": 21.0122, "source": "ios-geofence"}),
    ("POST", "/geofencing/exit"): Call(role="user", body={"latitude": 52.2297, "longitude": 21.0122, "source": "ios-geofence"}),
    ("POST", "/reports"): Call(role="user", body={**REPORT, "name": "Weekly review"}),
    ("POST", "/timesheets/lock"): Call(body={"userId": "{olaId}", "year": 2026, "week": 22}),
    ("POST", "/checkout"): Call(body={"product": 123456, "quantity": 12}),
    ("POST", "/receipt"): Call(body={"receiptBase64": _jws_receipt()}),
    ("POST", "/requests/timesheets/{year}/{week}/unlock"): Call(role="user", path={"year": "2026", "week": "21"}, saves="unlockRequestId"),
    ("POST", "/requests/timesheets/{year}/{week}/approvals"): Call(role="user", path={"year": "2026", "week": "28"}, saves="approvalRequestId"),
    ("POST", "/requests/projects/{projectId}/members"): Call(path={"projectId": "{spareProjectId}"}, body={"userIds": ["{olaId}"]},
                                                           saves="membersRequestId"),
    ("POST", "/requests/projects/{projectId}/members/{memberId}/role"): Call(body={"role": "Administrator"}, saves="roleRequestId"),
    ("POST", "/requests/projects/request-assignment"): Call(role="user", body={"projectIds": ["{spareProjectId}"]}, saves="assignRequestId"),
    ("POST", "/requests/impersonation"): Call(body={"userId": "{olaId}", "reason": "Ola's timer"}, saves="impersonationRequestId"),
    ("POST", "/auth/impersonation"): Call(role="anonymous", body={"token": "{signInToken}"}),
    ("POST", "/timesheets/reminder"): Call(body={"reason": "bench"}),
    ("POST", "/webhooks"): Call(body={"name": "Payroll", "url": "https://hooks.example.com/in", "webhookEvent": "NEW_TIME_ENTRY"}, saves="webhookId"),
    ("GET", "/webhooks"): Call(),
    ("GET", "/webhooks/{webhookId}"): Call(path={"webhookId": "{webhookId}"}),
    ("GET", "/webhooks/{webhookId}/deliveries"): Call(path={"webhookId": "{webhookId}"}),
    ("POST", "/v1/workspaces/{workspaceId}/webhooks"): Call(org=None, body={"name": "Payroll", "url": "https://hooks.example.com/clockify", "webhookEvent": "NEW_TIME_ENTRY",
                                                         "triggerSourceType": "WORKSPACE_ID", "triggerSource": []}, saves="clockifyWebhookId"),
    ("GET", "/v1/workspaces/{workspaceId}/webhooks"): Call(org=None),
    ("GET", "/v1/workspaces/{workspaceId}/addons/{addonId}/webhooks"): Call(org=None, path={"addonId": "64c777ddd3fcab07cfbb210c"}),
    ("GET", "/v1/workspaces/{workspaceId}/webhooks/{webhookId}"): Call(org=None, path={"webhookId": "{clockifyWebhookId}"}),
    ("POST", "/v1/workspaces/{workspaceId}/webhooks/{webhookId}/logs"): Call(org=None, path={"webhookId": "{clockifyWebhookId}"}, query={"page": "0", "size": "50"}, body={"status": "ALL"}),
    ("GET", "/v1/workspaces/{workspaceId}/entities/created"): Call(org=None, query={"type": "TIME_ENTRY"}),
    ("GET", "/v1/workspaces/{workspaceId}/entities/updated"): Call(org=None, query={"type": "TIME_ENTRY"}),
    ("GET", "/v1/workspaces/{workspaceId}/entities/deleted"): Call(org=None, query={"type": "TIME_ENTRY"}),
    ("POST", "/v1/workspaces/{workspaceId}/projects"): Call(org=None, path=CLOCKIFY, body={"name": "Clockify project", "isPublic": True, "color": "#ff0000"}),
    # Sam starts a timer (no end): the stop below finds it running
    ("POST", "/v2/time-entry"): Call(role="user", body={"owner_id": "{spSamNumber}", "name": "Colour Grading", "description": "Opening scenes",
                                                      "start": 1784026800, "end": 1784030400, "project": [{"id": "{spProjectNumber}"}],
                                                      "booking": [{"id": 1}], "billable": "true", "locked": "false"}),
    ("POST", "/v1/workspaces/{workspaceId}/time-entries"): Call(role="user", org=None, path=CLOCKIFY, body={
        "start": "2026-07-15T11:30:00Z", "description": "Clockify timer", "projectId": "{cfProjectId}", "taskId": None}),
    ("POST", "/v1/workspaces/{workspaceId}/user/{userId}/time-entries"): Call(org=None, path={**CLOCKIFY, "userId": "{cfSamId}"}, body={
        "start": "2026-07-13T16:00:00Z", "end": "2026-07-13T17:00:00Z", "description": "For Sam", "projectId": "{cfProjectId}"}),
    # changes
    ("PUT", "/organization"): Call(body={"notes": "Changed", "coreHours": {"start": "08:00", "end": "16:00"}}),
    ("POST", "/api-keys/{keyId}/rotate"): Call(org=None),
    ("PUT", "/users/{userId}"): Call(body={"title": "Lead designer"}),
    ("PUT", "/users/{userId}/preferences"): Call(role="user", body={"locale": "pl-PL", "timeZone": "Europe/Warsaw"}),
    ("PUT", "/users/{userId}/rates/cost/{costId}"): Call(body={"value": "42.00"}),
    ("PUT", "/projects/{projectId}"): Call(body={"notes": "Phase two"}),
    ("PUT", "/projects/{projectId}/members/{memberId}"): Call(body={"title": "Senior designer"}),
    ("PUT", "/projects/{projectId}/members/{memberId}/rates/revenue/{revenueId}"): Call(body={"value": "95.00"}),
    ("PUT", "/tags/{tagId}"): Call(body={"name": "Research (renamed)"}),
    ("PUT", "/clients/{clientId}"): Call(body={"note": "Net 30"}),
    ("PUT", "/projects/{projectId}/tasks/{taskId}"): Call(body={"status": "DONE"}),
    ("PUT", "/v1/workspaces/{workspaceId}/tags/{id}"): Call(org=None, path={"id": "{tagShortId}"}, body={"name": "Research (Clockify)"}),
    ("PUT", "/v1/workspaces/{workspaceId}/clients/{id}"): Call(org=None, path={"id": "{clientShortId}"}, body={"note": "Net 45"}),
    ("PUT", "/v1/workspaces/{workspaceId}/projects/{projectId}/tasks/{taskId}"): Call(org=None, path={
        "projectId": "{projectShortId}", "taskId": "{taskShortId}"}, body={"status": "ACTIVE"}),
    ("PUT", "/activities/{activityId}"): Call(role="user", body={"name": "Kick-off (long)", "endedAt": "2026-07-14T11:00:00Z"}),
    ("POST", "/mcp"): Call(role="user", body={"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                              "params": {"name": "edit_entry", "arguments": {"entry_id": "{activityId}", "description": "Kick-off, agreed scope"}}}),
    ("PUT", "/geofences/{geofenceId}"): Call(body={"radius": 150}),
    ("PUT", "/groups/{groupId}"): Call(body={"name": "Day shift"}),
    ("PUT", "/groups/{groupId}/members/{userId}"): Call(body={"from": "2026-07-10"}),
    ("PUT", "/reports/{reportId}"): Call(role="user", body={"name": "July, by project", "dimensions": ["project"]}),
    ("PUT", "/subscriptions/{subscriptionId}"): Call(body={"quantity": 11}),
    ("PUT", "/timesheets/auto-lock"): Call(body={"reason": "bench"}),
    ("PUT", "/webhooks/{webhookId}"): Call(path={"webhookId": "{webhookId}"}, body={"name": "Payroll export"}),
    ("POST", "/webhooks/{webhookId}/token"): Call(path={"webhookId": "{webhookId}"}),
    ("PUT", "/v1/workspaces/{workspaceId}/webhooks/{webhookId}"): Call(org=None, path={"webhookId": "{clockifyWebhookId}"}, body={"name": "Payroll export"}),
    ("PATCH", "/v1/workspaces/{workspaceId}/webhooks/{webhookId}/token"): Call(org=None, path={"webhookId": "{clockifyWebhookId}"}),
    ("PUT", "/requests/{requestId}/timesheets/unlock"): Call(path={"requestId": "{unlockRequestId}"}, body={"status": "RESOLVED"}),
    ("PUT", "/requests/{requestId}/timesheets/approvals"): Call(path={"requestId": "{approvalRequestId}"}, body={"status": "RESOLVED"}),
    ("PUT", "/requests/{requestId}/projects/members"): Call(path={"requestId": "{membersRequestId}"}, body={"status": "RESOLVED"}),
    ("PUT", "/requests/{requestId}/projects/members/role"): Call(path={"requestId": "{roleRequestId}"}, body={"status": "RESOLVED"}),
    ("PUT", "/requests/{requestId}/projects/assign"): Call(path={"requestId": "{assignRequestId}"}, body={"status": "RESOLVED", "projectIds": ["{spareProjectId}"]}),
    ("PUT", "/requests/{requestId}"): Call(path={"requestId": "{impersonationRequestId}"}, body={"status": "REJECTED"}),
    ("PUT", "/v1/workspaces/{workspaceId}/projects/{projectId}"): Call(org=None, path={**CLOCKIFY, "projectId": "{cfProjectId}"}, body={"note": "Clockify note"}),
    ("PUT", "/v1/workspaces/{workspaceId}/time-entries/{id}"): Call(role="user", org=None, path={**CLOCKIFY, "id": "{cfActivityId}"}, body={
        "start": "2026-07-14T09:00:00Z", "end": "2026-07-14T10:15:00Z", "description": "Kick-off", "projectId": "{cfProjectId}"}),
    ("PATCH", "/v1/workspaces/{workspaceId}/user/{userId}/time-entries"): Call(role="user", org=None, path={**CLOCKIFY, "userId": "{cfSamId}"},
                                                                               body={"end": "2026-07-15T11:45:00Z"}),
    # deletions (of spare items, so every other operation still finds its own)
    ("DELETE", "/timesheets/lock"): Call(query={"userId": "{olaId}", "monthOf": "2026-03-01"}),
    ("DELETE", "/timesheets/lock/{lockId}"): Call(path={"lockId": "{spareLockId}"}),
    ("DELETE", "/activities/{activityId}"): Call(path={"activityId": "{spareActivityId}"}),
    ("DELETE", "/v1/workspaces/{workspaceId}/time-entries/{id}"): Call(org=None, path={**CLOCKIFY, "id": "{cfSpareActivityId}"}),
    ("DELETE", "/v1/workspaces/{workspaceId}/projects/{projectId}"): Call(org=None, path={**CLOCKIFY, "projectId": "{cfSpareProjectId}"}),
    ("DELETE", "/geofences/{geofenceId}"): Call(path={"geofenceId": "{spareGeofenceId}"}),
    ("DELETE", "/groups/{groupId}"): Call(path={"groupId": "{spareGroupId}"}),
    ("DELETE", "/v1/timesheets/lock"): Call(query={"person_id": "{olaId}", "date": "2026-04-15"}),
    ("DELETE", "/reports/{reportId}"): Call(path={"reportId": "{spareReportId}"}),
    ("DELETE", "/projects/{projectId}/members/{memberId}/rates/revenue/{revenueId}"): Call(path={"revenueId": "{spareRevenueId}"}),
    ("DELETE", "/users/{userId}/rates/cost/{costId}"): Call(path={"costId": "{spareCostId}"}),
    ("DELETE", "/v1/workspaces/{workspaceId}/projects/{projectId}/tasks/{taskId}"): Call(org=None, path={
        "projectId": "{projectShortId}", "taskId": "{spareTask2ShortId}"}),
    ("DELETE", "/v1/workspaces/{workspaceId}/tags/{id}"): Call(org=None, path={"id": "{spareTag2ShortId}"}),
    ("DELETE", "/v1/workspaces/{workspaceId}/clients/{id}"): Call(org=None, path={"id": "{spareClient2ShortId}"}),
    ("DELETE", "/projects/{projectId}/tasks/{taskId}"): Call(path={"taskId": "{spareTaskId}"}),
    ("DELETE", "/tags/{tagId}"): Call(path={"tagId": "{spareTagId}"}),
    ("DELETE", "/clients/{clientId}"): Call(path={"clientId": "{spareClientId}"}),
    ("DELETE", "/projects/{projectId}/members/{memberId}"): Call(path={"memberId": "{spareMemberId}"}),
    ("DELETE", "/projects/{projectId}"): Call(path={"projectId": "{spareProjectId}"}),
    ("DELETE", "/users/{userId}"): Call(path={"userId": "{spareUserId}"}),
    ("DELETE", "/api-keys/{keyId}"): Call(org=None, path={"keyId": "{spareKeyId}"}),
    ("DELETE", "/webhooks/{webhookId}"): Call(path={"webhookId": "{webhookId}"}),
    ("DELETE", "/v1/workspaces/{workspaceId}/webhooks/{webhookId}"): Call(org=None, path={"webhookId": "{clockifyWebhookId}"}),
    ("POST", "/organization/rename"): Call(body={"domain": "{domain}-renamed"}),
    ("DELETE", "/organization"): Call(org="{domain}-renamed"),
}

SAVED_IDS = frozenset(call.saves for call in OPERATIONS.values() if call.saves)

# Path parameters that are not ids (a request names an ISO week by its year and number).
NOT_IDS = frozenset({"year", "week"})


def fill(value: Any, ids: dict[str, str]) -> Any:
    """`value` with every `{name}` placeholder in its strings replaced by ids[name]."""
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole and isinstance(ids.get(whole[1]), int):  # an integer id stays a JSON integer (Sonderplan)
            return ids[whole[1]]
        return PLACEHOLDER.sub(lambda found: str(ids[found[1]]), value)
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


def path_for(route_path: str, call: Call, ids: dict[str, str]) -> str:
    def value(found: re.Match) -> str:
        name = found[1]
        return str(fill(call.path.get(name, "{" + name + "}"), ids))

    return PLACEHOLDER.sub(value, route_path)


def path_ids(route_path: str) -> list[str]:
    return [name for name in PLACEHOLDER.findall(route_path) if name not in NOT_IDS]


# --- the organization -------------------------------------------------------------------------


@dataclass
class Organization:
    """What `build_organization` made: its ids (by placeholder name) and who acts in it."""

    label: str
    ids: dict[str, str]
    names: list[str]            # every name and email the organization's data carries
    emails: dict[str, str]      # role -> email

    @property
    def domain(self) -> str:
        return self.ids["domain"]

    def secrets(self) -> set[str]:
        """Strings that must never appear in another organization's answers. Integer ids are not
        among them: they are numbered per organization, so another organization has the same ones."""
        return {value for value in self.ids.values() if value and isinstance(value, str) and not value.isdigit()} | set(self.names)


class Client:
    """Requests to the gateway as a role of an organization (tokens from the deployment's secret)."""

    def __init__(self, gateway: Gateway):
        self.gateway = gateway

    def request(self, method: str, path: str, *, email: str | None, org: str | None, query: dict | None = None, body: Any = None,
                headers: dict[str, str] | None = None) -> Reply:
        from sandglass.services.auth import issue_token

        headers = dict(headers or {})
        if email:
            headers["Authorization"] = f"Bearer {issue_token(email)}"
        if org:
            headers["X-Organization"] = org
        return self.gateway.request(method, "/api" + path, headers=headers, query=query or None, body=body)

    def ok(self, method: str, path: str, **kwargs) -> Any:
        reply = self.request(method, path, **kwargs)
        assert reply.status < 300, (method, path, reply.status, reply.body)
        return reply.json() if reply.body else None


@contextmanager
def frozen_clock(now: datetime = NOW) -> Iterator[None]:
    from sandglass.clock import FixedClock, SystemClock, set_clock

    set_clock(FixedClock(now))
    try:
        yield
    finally:
        set_clock(SystemClock())


def build_organization(gateway: Gateway, label: str) -> Organization:
    """An organization `label` with one of each kind of data (call inside `frozen_clock`)."""
    from sandglass_local.devstack import dev_checkout

    client = Client(gateway)
    title = label.title()
    admin, sam, ola, gone = (f"{who}@{label}.test" for who in ("admin", "sam", "ola", "gone"))
    emails = {"admin": admin, "user": sam, "ola": ola, "founder": f"founder@{label}-founded.test"}
    as_admin = {"email": admin, "org": label}
    as_sam = {"email": sam, "org": label}

    org = client.ok("POST", "/organizations", email=admin, org=None, body={"name": f"{title} Works", "domain": label, "timeZone": "Europe/Warsaw"})
    ids: dict[str, str] = {"domain": label, "orgId": org["id"]}
    ids["adminId"] = client.ok("GET", "/auth", **as_admin)["userId"]
    ids["userId"] = client.ok("POST", "/users", **as_admin, body={"email": sam, "name": f"Sam {title}"})["id"]
    ids["olaId"] = client.ok("POST", "/users", **as_admin, body={"email": ola, "name": f"Ola {title}"})["id"]
    ids["spareUserId"] = client.ok("POST", "/users", **as_admin, body={"email": gone, "name": f"Gone {title}"})["id"]

    ids["projectId"] = client.ok("POST", "/projects", **as_admin, body={"name": f"{title} Website"})["id"]
    ids["spareProjectId"] = client.ok("POST", "/projects", **as_admin, body={"name": f"{title} Spare"})["id"]
    project = f"/projects/{ids['projectId']}"
    ids["memberId"] = client.ok("POST", f"{project}/members", **as_admin, body={"userId": ids["userId"], "title": f"{title} designer"})["id"]
    ids["spareMemberId"] = client.ok("POST", f"{project}/members", **as_admin, body={"userId": ids["spareUserId"]})["id"]

    ids["clientId"] = client.ok("POST", "/clients", **as_admin, body={"name": f"{title} Client"})["id"]
    ids["spareClientId"] = client.ok("POST", "/clients", **as_admin, body={"name": f"{title} Former client"})["id"]
    ids["tagId"] = client.ok("POST", "/tags", **as_admin, body={"name": f"{title} research"})["id"]
    ids["spareTagId"] = client.ok("POST", "/tags", **as_admin, body={"name": f"{title} spare tag"})["id"]
    ids["taskId"] = client.ok("POST", f"{project}/tasks", **as_admin, body={"name": f"{title} wireframes"})["id"]
    ids["spareTaskId"] = client.ok("POST", f"{project}/tasks", **as_admin, body={"name": f"{title} spare task"})["id"]
    ids["spareTask2ShortId"] = _short(client.ok("POST", f"{project}/tasks", **as_admin, body={"name": f"{title} second spare task"})["id"])
    ids["spareTag2ShortId"] = _short(client.ok("POST", "/tags", **as_admin, body={"name": f"{title} second spare tag"})["id"])
    ids["spareClient2ShortId"] = _short(client.ok("POST", "/clients", **as_admin, body={"name": f"{title} second former client"})["id"])
    # the Clockify surface names the same entities by their 24-hex ids
    for name in ("orgId", "projectId", "tagId", "clientId", "taskId"):
        ids["workspaceId" if name == "orgId" else name.replace("Id", "ShortId")] = _short(ids[name])

    def windows(path: str, key: str, value: str) -> None:
        spans = [("2025-01-01", "2025-07-01", f"spare{key[0].upper()}{key[1:]}"), ("2026-01-01", "2026-06-01", f"old{key[0].upper()}{key[1:]}"),
                 ("2026-06-01", None, key)]
        for start, end, name in spans:
            body = {"currency": "EUR", "from": f"{start}T00:00:00Z", "to": end and f"{end}T00:00:00Z", "value": value}
            ids[name] = client.ok("POST", path, **as_admin, body=body)["id"]

    windows(f"{project}/members/{ids['memberId']}/rates/revenue", "revenueId", "90.00")
    windows(f"/users/{ids['userId']}/rates/cost", "costId", "40.00")

    activity = {"projectId": ids["projectId"]}
    ids["activityId"] = client.ok("POST", "/activities", **as_sam, body={**activity, "name": f"{title} kick-off", "startedAt": "2026-07-14T09:00:00Z",
                                                                       "endedAt": "2026-07-14T10:30:00Z"})["id"]
    ids["oldActivityId"] = client.ok("POST", "/activities", **as_sam, body={**activity, "name": f"{title} planning", "startedAt": "2026-06-10T09:00:00Z",
                                                                          "endedAt": "2026-06-10T12:00:00Z"})["id"]
    ids["spareActivityId"] = client.ok("POST", "/activities", **as_admin, body={**activity, "name": f"{title} admin", "startedAt": "2026-07-13T08:00:00Z",
                                                                              "endedAt": "2026-07-13T09:00:00Z"})["id"]
    ids["timerId"] = client.ok("POST", "/activities", **as_sam, body={**activity, "name": f"{title} design", "startedAt": "2026-07-15T08:00:00Z",
                                                                    "pending": True})["id"]

    ids["lockId"] = client.ok("POST", "/timesheets/lock", **as_admin, body={"userId": ids["userId"], "year": 2026, "week": 20})["id"]
    ids["spareLockId"] = client.ok("POST", "/timesheets/lock", **as_admin, body={"userId": ids["userId"], "year": 2026, "week": 21})["id"]
    client.ok("POST", "/timesheets/lock", **as_admin, query={"userId": ids["olaId"], "monthOf": "2026-03-01"})

    fence = {"latitude": 52.2297, "longitude": 21.0122, "radius": 120, "enterAction": "START_TRACKING_PROJECT", "exitAction": "STOP_TRACKING",
             "projectId": ids["projectId"]}
    ids["geofenceId"] = client.ok("POST", "/geofences", **as_admin, body={**fence, "name": f"{title} office"})["id"]
    ids["spareGeofenceId"] = client.ok("POST", "/geofences", **as_admin, body={**fence, "name": f"{title} annex", "latitude": 52.24})["id"]
    ids["groupId"] = client.ok("POST", "/groups", **as_admin, body={"name": f"{title} crew", "managerId": ids["olaId"]})["id"]
    ids["spareGroupId"] = client.ok("POST", "/groups", **as_admin, body={"name": f"{title} reserve"})["id"]
    client.ok("PUT", f"/groups/{ids['groupId']}/members/{ids['userId']}", **as_admin, body={"from": "2026-07-01"})

    ids["reportId"] = client.ok("POST", "/reports", **as_sam, body={**REPORT, "name": f"{title} July"})["id"]
    ids["adminReportId"] = client.ok("POST", "/reports", **as_admin, body={**REPORT, "name": f"{title} overview"})["id"]
    ids["spareReportId"] = client.ok("POST", "/reports", **as_admin, body={**REPORT, "name": f"{title} draft"})["id"]

    url = client.ok("POST", "/checkout", **as_admin, body={"product": 123456, "quantity": 10})["url"]
    status, subscription = dev_checkout("POST", "/api" + url.split("/api", 1)[1])
    assert status == 200, subscription
    ids["subscriptionId"] = subscription["id"]

    ids["requestId"] = client.ok("POST", "/requests/timesheets/2026/20/unlock", **as_sam)["id"]  # Sam's week 20 is locked
    ids["signInToken"] = _support_sign_in_token(client, gateway, as_sam, as_admin)

    # the Administrator's personal API keys (account-wide: no organization named); `apiKey` is the secret
    key = client.ok("POST", "/api-keys", email=admin, org=None, body={"name": f"{title} CLI"})
    ids["keyId"], ids["apiKey"] = key["id"], key["key"]
    ids["spareKeyId"] = client.ok("POST", "/api-keys", email=admin, org=None, body={"name": f"{title} spare key"})["id"]

    # the Clockify surface's forms of the ids (24-hex), and a spare project and entry for its deletes
    from sandglass import ids as id_forms

    ids["cfSpareProjectId"] = id_forms.short_id(client.ok("POST", "/projects", **as_admin, body={"name": f"{title} Clockify spare"})["id"])
    ids["cfSpareActivityId"] = id_forms.short_id(client.ok("POST", "/activities", **as_admin, body={
        "projectId": ids["projectId"], "name": f"{title} admin", "startedAt": "2026-07-13T06:00:00Z", "endedAt": "2026-07-13T07:00:00Z"})["id"])
    ids.update(cfWorkspaceId=id_forms.short_id(ids["orgId"]), cfProjectId=id_forms.short_id(ids["projectId"]),
               cfActivityId=id_forms.short_id(ids["activityId"]), cfSamId=id_forms.person_short_id(sam))

    # the Sonderplan surface's integer ids (repositories/int_ids.py)
    from sandglass.repositories.activities import ActivityRepository
    from sandglass.repositories.projects import ProjectRepository
    from sandglass.repositories.users import UserRepository

    ids.update(spSamNumber=UserRepository().get(ids["orgId"], ids["userId"]).number,
               spProjectNumber=ProjectRepository().get(ids["orgId"], ids["projectId"]).number,
               spActivityNumber=ActivityRepository().get(ids["orgId"], ids["activityId"]).number)
    ids["spSamNumberText"] = str(ids["spSamNumber"])  # as a query parameter

    names = [f"{title} Works", f"{title} crew", f"{title} reserve", f"Sam {title}", f"Ola {title}", f"Gone {title}", f"{title} Website", f"{title} Spare", f"{title} designer",
             f"{title} kick-off", f"{title} planning", f"{title} admin", f"{title} design", f"{title} office", f"{title} annex",
             f"{title} July", f"{title} overview", f"{title} draft", f"{title} Clockify spare", f"{title} Client", f"{title} Former client", f"{title} research",
             f"{title} spare tag", f"{title} wireframes", f"{title} spare task", f"{title} second spare task", f"{title} second spare tag",
             f"{title} second former client", admin, sam, ola, gone]
    return Organization(label, ids, names, emails)


def _short(entity_id: str) -> str:
    """An entity's 24-hex id on the Clockify surface (sandglass.ids.short_id)."""
    return entity_id.replace("-", "")[:24]


def _support_sign_in_token(client: "Client", gateway: Gateway, as_sam: dict, as_admin: dict) -> str:
    """Sam lets support sign in as him, the Administrator agrees: the one-time token the support
    address receives (through an outbox file this gateway's functions write to)."""
    import json
    import os
    import tempfile

    from sandglass.settings import reset_settings

    outbox = os.path.join(tempfile.mkdtemp(prefix="sandglass-outbox-"), "outbox.jsonl")
    saved = {name: gateway.environment.get(name) for name in ("NOTIFIER", "OUTBOX_PATH", "SUPPORT_EMAIL")}
    gateway.environment.update({"NOTIFIER": "outbox", "OUTBOX_PATH": outbox, "SUPPORT_EMAIL": "support@sandglass.test"})
    gateway.apply_environment()
    reset_settings()
    try:
        request = client.ok("POST", "/requests/impersonation", **as_sam, body={"reason": "Please check my timer"})
        client.ok("PUT", f"/requests/{request['id']}", **as_admin, body={"status": "RESOLVED"})
        with open(outbox, encoding="utf-8") as lines:
            grants = [json.loads(line) for line in lines if '"impersonation-grant"' in line]
    finally:
        os.environ.update({name: value or "" for name, value in saved.items()})
        gateway.environment.update({name: value or "" for name, value in saved.items()})
        gateway.environment["SUPPORT_EMAIL"] = "support@sandglass.test"  # the impersonation calls below need one
        gateway.apply_environment()
        reset_settings()
    return grants[-1]["data"]["token"]


# --- the measurement ----------------------------------------------------------------------------


def routes(gateway: Gateway | None = None) -> list[tpl.Route]:
    """Every API route of template.yaml (each API event of each function)."""
    return list(gateway.routes) if gateway else tpl.routes()


def missing_operations(gateway: Gateway | None = None) -> list[str]:
    declared = {(route.method, route.path) for route in routes(gateway)}
    return sorted(f"{method} {path}" for method, path in declared - OPERATIONS.keys())


@dataclass
class Measured:
    operation: str
    status: int
    counter: CallCounter



def send(client: Client, organization: Organization, method: str, route_path: str, call: Call, ids: dict[str, str] | None = None,
         as_role: str | None = None, query: dict[str, str] | None = None, org: str | None = None, headers: dict[str, str] | None = None,
         body_ids: dict[str, str] | None = None) -> Reply:
    """`call` of the route as `as_role` (default: the call's role) of `organization` (the
    X-Organization header: `org`, default the call's), placeholders filled from `ids` (default:
    the organization's own; `body_ids` for the query and body only), `query` added to the call's."""
    ids = {**organization.ids, **(ids or {})}
    payload_ids = {**ids, **(body_ids or {})}
    role = as_role or call.role
    org = org or (fill(call.org, organization.ids) if call.org else None)
    return client.request(method, path_for(route_path, call, ids), email=organization.emails.get(role), org=org,
                          query={**fill(call.query, payload_ids), **(query or {})}, body=fill(call.body, payload_ids), headers=headers)


def measure(gateway: Gateway, on_reply: Callable[[str, Reply], None] | None = None) -> list[Measured]:
    """Build an organization, then run every operation once in OPERATIONS order, counting the
    DynamoDB calls each makes (authorizer included). Needs the table to exist (moto or local)."""
    client = Client(gateway)
    declared = {(route.method, route.path) for route in routes(gateway)}
    rows = []
    with frozen_clock():
        organization = build_organization(gateway, "bench")
        for name in SAVED_IDS:  # until their creation runs
            organization.ids[name] = organization.ids.get(name) or "00000000-0000-4000-8000-000000000000"
        for (method, route_path), call in OPERATIONS.items():
            if (method, route_path) not in declared:
                continue
            with counting() as counter:
                reply = send(client, organization, method, route_path, call)
            if on_reply:
                on_reply(f"{method} {route_path}", reply)
            rows.append(Measured(f"{method} {route_path}", reply.status, counter))
            if call.saves and reply.status < 300:
                organization.ids[call.saves] = reply.json()["id"]
    return rows
