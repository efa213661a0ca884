"""Contract replay: every operation of the Sandtime reference, in the order a real organization would
call them, sent with the reference's example request and compared with its example response.

It runs on the in-process API Gateway emulation the API tests use (`tests/conftest.py`), not on the
dev server over HTTP: the emulation is the dev server's own request path (authorizer, proxy events,
every function, the table built from template.yaml), minus the socket, which tests/stack covers. In
process the domain clock can stand at the reference's own "now" (2026-07-03 10:00 UTC, so July's
examples are recent and a geofence timer runs for a known time), the local payment provider's
checkout can be paid, and every call is also checked against the functions' IAM policies.

The reference's example ids are replaced with ids of things created earlier in the same scenario:
a response to an operation whose example has an `id` binds the example's id to ours (a later
operation's path and body use ours), and the scenario binds the few others itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tests.contract import sandtime_operations
from tests.contract.shapes import differences, schema_allows_null

NOW = datetime(2026, 7, 3, 10, 0, tzinfo=timezone.utc)
ALEX, SAM = "alex.rivera@example.com", "sam.lee@example.com"  # the reference's Administrator and User

# The reference's example ids (the scenario binds them to its own)
ALEX_ID = "2f9fd8a8-9f6d-4b2b-a4f4-1f1f2a7d9b9d"
SAM_ID = "8eb3c82f-420d-4a7d-b4e5-689f6cf9c8af"
PROJECT_ID = "9d58c4ce-3e6f-4d06-bf47-f70d8c4af001"
SECOND_PROJECT_ID = "58f5aa89-aed2-4a67-8808-d85ef4034f42"
SUBSCRIPTION_ID = "sub_01J1YB3TQK5K9S2H4E5T6U7V8W"
REQUEST_ID = "1fbbd48d-176f-4b32-a98d-c8cf1eb291c5"

# Route groups that answer 501 "not built yet": their operations are replayed and reported as such.
NOT_BUILT_YET: tuple[str, ...] = ()

# Fields we answer beyond the reference's, each documented in docs/: (operations, location,
# why). `$` is the response, `$.*` every value of an ID-keyed map, `$[]` every item of an array.
ORGANIZATION_ANSWERS = ("get-organization", "put-organization", "put-timesheets-auto-lock")
ROLE_ANSWERS = ("post-requests-projects-projectId-members-memberId-role", "put-requests-requestId-projects-members-role")
MEMBERS_ANSWERS = ("post-requests-projects-projectId-members", "put-requests-requestId-projects-members")
ASSIGNMENT_ANSWERS = ("post-requests-projects-request-assignment", "put-requests-requestId-projects-assign")
UNLOCK_ANSWERS = ("post-requests-timesheets-year-week-unlock", "put-requests-requestId-timesheets-unlock")
WEEK_ANSWERS = UNLOCK_ANSWERS + ("post-requests-timesheets-year-week-approvals", "put-requests-requestId-timesheets-approvals")
REQUEST_ANSWERS = ROLE_ANSWERS + MEMBERS_ANSWERS + ASSIGNMENT_ANSWERS + WEEK_ANSWERS + ("put-requests-requestId",)
ALLOWED_EXTRAS: list[tuple[tuple[str, ...], str, str]] = [
    (("get-auth",), "$.userId", "docs/api.md, Who am I: the caller's id in the organization"),
    (("get-auth",), "$.role", "docs/api.md, Who am I: the caller's role in the organization"),
    (ORGANIZATION_ANSWERS, "$.autoLock", "docs/timesheets.md, Auto-lock: `autoLock.graceHours` setting"),
    (ORGANIZATION_ANSWERS, "$.reminders", "docs/timesheets.md, Reminders: the weekly reminder setting"),
    (ORGANIZATION_ANSWERS, "$.maxActivityHours", "docs/time-rules.md: the longest activity, 24 h unless raised"),
    (("post-geofencing-enter",), "$.id", "docs/time-rules.md, Geofences: enter answers the started timer as an activity"),
    (("post-geofencing-enter",), "$.userId", "docs/time-rules.md, Geofences: enter answers the started timer as an activity"),
    (("post-geofencing-enter",), "$.billable", "docs/time-rules.md, Geofences: enter answers the started timer as an activity"),
    (("post-geofencing-enter",), "$.pending", "docs/time-rules.md, Geofences: enter answers the started timer as an activity"),
    (ORGANIZATION_ANSWERS, "$.overlapPolicy", "docs/time-rules.md, Overlapping entries: allow / warn / reject"),
    (ORGANIZATION_ANSWERS, "$.unlockWindowHours", "docs/workflow-requests.md: how long a resolved unlock request opens the week"),
    (REQUEST_ANSWERS, "$.type", "docs/workflow-requests.md, Shapes: the kind of request"),
    (ROLE_ANSWERS, "$.memberId", "docs/workflow-requests.md, Shapes: the membership whose role changes"),
    (ROLE_ANSWERS, "$.userId", "docs/workflow-requests.md, Shapes: the member whose role changes"),
    (("put-requests-requestId-projects-members-role",), "$.projectId", "docs/workflow-requests.md, Shapes: as the creation answers it"),
    (("put-requests-requestId-projects-members-role",), "$.role", "docs/workflow-requests.md, Shapes: as the creation answers it"),
    (MEMBERS_ANSWERS, "$.projectId", "docs/workflow-requests.md, Shapes: the project the users join"),
    (MEMBERS_ANSWERS, "$.userIds", "docs/workflow-requests.md, Shapes: the users proposed"),
    (ASSIGNMENT_ANSWERS, "$.projectIds", "docs/workflow-requests.md, Shapes: the projects asked for (once resolved: assigned)"),
    (WEEK_ANSWERS, "$.year", "docs/workflow-requests.md, Shapes: the ISO week asked about"),
    (WEEK_ANSWERS, "$.week", "docs/workflow-requests.md, Shapes: the ISO week asked about"),
    (UNLOCK_ANSWERS, "$.unlockedTo", "docs/workflow-requests.md, Shapes: the end of the unlock window a resolution opened"),
    (("put-requests-requestId",), "$.userId", "docs/workflow-requests.md, Shapes: the member support may sign in as"),
    (("put-requests-requestId",), "$.reason", "docs/workflow-requests.md, Shapes: why support should sign in"),
    (("get-projects",), "$.*.clientId", "docs/catalog.md: the client a project is filed under"),
    (("get-projects-projectId", "post-projects", "put-projects-projectId"), "$.clientId", "docs/catalog.md: the client a project is filed under"),
]


def allowed_extras(operation_id: str) -> frozenset[str]:
    return frozenset(location for operations, location, _ in ALLOWED_EXTRAS if operation_id in operations)


@dataclass
class Result:
    operation_id: str
    http_status: int
    problems: list[str] = field(default_factory=list)
    not_built: bool = False
    note: str = ""

    @property
    def matching(self) -> bool:
        return not self.problems and not self.not_built

    @property
    def verdict(self) -> str:
        if self.not_built:
            verdict = f"not built yet ({self.http_status})"
        else:
            verdict = "matching" if not self.problems else "differs: " + "; ".join(self.problems)
        return f"{verdict} ({self.note})" if self.note else verdict


def reference_ids(operations: list[dict]) -> set[str]:
    """Every id the reference's examples use (UUIDs and the payment provider's `sub_`/`txn_` ids)."""
    text = json.dumps(operations)
    return set(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b(?:sub|txn)_[0-9A-Z]{20,}", text))


def substitute(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        for example, ours in ids.items():
            value = value.replace(example, ours)
        return value
    if isinstance(value, list):
        return [substitute(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, ids) for key, item in value.items()}
    return value


class Replayer:
    """Sends operations as the reference shows them and records how each answer compares."""

    def __init__(self, api, clock):
        self.api = api
        self.clock = clock
        self.operations = {operation["operationId"]: operation for operation in sandtime_operations.load()}
        self.example_ids = reference_ids(list(self.operations.values()))
        self.ids: dict[str, str] = {}
        self.domain = "acme"
        self.results: dict[str, Result] = {}
        from sandglass_local.openapi import merged_schema

        self.openapi = merged_schema(api.gateway)

    def response_schema(self, operation: dict) -> dict | None:
        """Our OpenAPI document's schema of the operation's answer (it says which fields may be null)."""
        described = self.openapi["paths"].get(operation["path"], {}).get(operation["method"].lower(), {})
        return described.get("responses", {}).get(str(operation["status"]), {}).get("content", {}).get("application/json", {}).get("schema")

    def bind(self, example_id: str, ours: str) -> None:
        self.ids[example_id] = ours

    def call(self, method: str, path: str, *, as_: str = ALEX, body: Any = None):
        """A step of the scenario that is not a replayed operation; it must succeed (or be not built yet)."""
        reply = self.api.call(method, path, as_=as_, org=self.domain, body=body)
        assert reply.status < 300 or (reply.status == 501 and path.startswith(NOT_BUILT_YET)), (method, path, reply.status, reply.body)
        return reply

    def expect(self, method: str, path: str, status: int, code: str, *, as_: str = ALEX, body: Any = None) -> None:
        """A call whose refusal a step's note states, made so the note stays true."""
        reply = self.api.call(method, path, as_=as_, org=self.domain, body=body)
        assert (reply.status, (reply.json() or {}).get("error", {}).get("code")) == (status, code), (method, path, reply.status, reply.body)

    def replay(self, operation_id: str, *, as_: str = ALEX, ids: dict[str, str] | None = None, body: Any = None, note: str = ""):
        """Send the operation's example (its path and body, our ids in place of the example's).
        `ids` binds example ids for this operation only; `body` replaces an example body that cannot
        be sent as it stands, and `note` says why (or what else the step does not take as it stands)."""
        assert operation_id not in self.results, f"{operation_id} replayed twice"
        operation = self.operations[operation_id]
        mapping = {**self.ids, **(ids or {})}
        path = substitute(operation["examplePath"], mapping)
        body = substitute(operation["requestBody"] if body is None else body, mapping)
        reply = self.api.call(operation["method"], path, as_=as_, org=self.domain, body=body)
        result = Result(operation_id, reply.status, note=note)
        self.results[operation_id] = result
        if reply.status == 501 and path.startswith(NOT_BUILT_YET):
            result.not_built = True  # and the steps that would have created its ids are not built either
            return reply
        unbound = sorted(example for example in self.example_ids if example in json.dumps([path, body]))
        if unbound:
            result.problems.append(f"the scenario sent the reference's own id(s) {', '.join(unbound)}")
        if reply.status != operation["status"]:
            error = (reply.json() or {}).get("error", {}) if reply.body.startswith("{") else {}
            result.problems.append(f"status {reply.status} {error.get('code', '')}: {error.get('message', reply.body[:200])}".rstrip(": "))
            return reply
        if not (reply.header("Content-Type") or "").startswith("application/json"):
            result.problems.append(f"Content-Type {reply.header('Content-Type')!r}, not application/json")
        try:
            ours = json.loads(reply.body)
        except ValueError:
            result.problems.append(f"the body is not JSON: {reply.body[:80]!r}")
            return reply
        if operation["response"] is None:
            if ours is not None:
                result.problems.append(f"$: the reference answers null, ours is {json.dumps(ours)[:80]}")
        else:
            schema = self.response_schema(operation)
            result.problems += differences(ours, operation["response"], allowed_extras(operation_id),
                                           may_be_null=lambda where: schema_allows_null(self.openapi, schema, where))
        if isinstance(operation["response"], dict) and "id" in operation["response"] and isinstance(ours, dict) and "id" in ours:
            self.bind(operation["response"]["id"], ours["id"])
        return reply


def scenario(r: Replayer) -> None:
    """One organization's life, in the reference's words: sign-up and settings, billing (the
    reference's checkout buys one seat and its PUT raises it to two, so this comes before the second
    user is invited), users, projects, activities, timesheet locks, geofences, reports, requests,
    and every deletion last."""
    from sandglass_local.devstack import dev_checkout

    signup = r.api.post("/organizations", as_=ALEX, body={"name": "Acme Studio", "domain": "acme"})
    assert signup.status == 200, signup.body

    # Workspace
    me = r.replay("get-auth")
    r.bind(ALEX_ID, me.json()["userId"])
    r.replay("get-organizations")
    r.replay("get-organization")
    r.replay("put-organization")
    renamed = r.replay("post-organization-rename")
    r.domain = renamed.json()["domain"]

    # Billing: buy one seat (paid on the local provider's checkout page), then raise it to two
    checkout = r.replay("post-checkout")
    status, paid = dev_checkout("POST", "/api" + checkout.json()["url"].split("/api", 1)[1])
    assert status == 200, paid
    subscriptions = r.replay("get-subscriptions")
    r.bind(SUBSCRIPTION_ID, subscriptions.json()[0]["id"])
    r.replay("put-subscriptions-subscriptionId")
    r.replay("get-billing-history")
    receipt = r.operations["post-receipt"]
    r.expect("POST", receipt["path"], 422, "VALIDATION_ERROR", body=receipt["requestBody"])
    r.replay("post-receipt", body={"receiptBase64": app_store_receipt()},
             note="a whole App Store receipt: the example's is cut short (`...`), so not base64 (422)")

    # Users: Alex is the signed-up Administrator; Sam is invited
    r.replay("post-users")
    r.replay("get-users")
    r.replay("get-users-userId")
    r.replay("put-users-userId")
    r.replay("get-users-userId-preferences")
    r.replay("put-users-userId-preferences")
    r.replay("post-users-userId-rates-cost")
    r.replay("get-users-userId-rates-cost")
    r.replay("get-users-userId-rates-cost-costId")
    r.replay("put-users-userId-rates-cost-costId")

    # Projects: the reference's project, a second one (its reports select both), Sam as a member
    r.replay("post-projects")
    second = r.call("POST", "/projects", body={"name": "Mobile app", "billable": True})
    r.bind(SECOND_PROJECT_ID, second.json()["id"])
    r.replay("get-projects")
    r.replay("get-projects-projectId")
    r.replay("put-projects-projectId")
    r.replay("post-projects-projectId-members")
    r.replay("get-projects-projectId-members")
    r.replay("get-projects-projectId-members-memberId")
    r.replay("put-projects-projectId-members-memberId")
    r.replay("post-projects-projectId-members-memberId-rates-revenue")
    r.replay("get-projects-projectId-members-memberId-rates-revenue")
    r.replay("get-projects-projectId-members-memberId-rates-revenue-revenueId")
    r.replay("put-projects-projectId-members-memberId-rates-revenue-revenueId")

    # Activities (Alex's, on the project he created)
    r.replay("post-activities")
    r.replay("get-activities")
    r.replay("get-activities-activityId")
    r.replay("put-activities-activityId")

    # Timesheets: Alex's week 27 opened until Saturday evening, the runners
    r.replay("post-timesheets-lock")
    r.replay("put-timesheets-auto-lock")
    r.replay("post-timesheets-reminder")

    # Geofences: the office, then Alex walks in (a timer starts now) and out half an hour later
    r.replay("post-geofences")
    r.replay("get-geofences")
    r.replay("get-geofences-geofenceId")
    r.replay("put-geofences-geofenceId")
    r.replay("post-geofencing-enter")
    r.clock.advance(minutes=30)
    r.replay("post-geofencing-exit")

    # Reports
    r.replay("post-reports")
    r.replay("get-reports")
    r.replay("get-reports-reportId")
    r.replay("put-reports-reportId")

    # Requests: Sam (a User) asks, Alex (an Administrator, not the asker) resolves each one
    requests(r)

    # Deletions, last
    r.replay("delete-activities-activityId")
    r.replay("delete-timesheets-lock-lockId")
    r.replay("delete-geofences-geofenceId")
    r.replay("delete-reports-reportId")
    r.replay("delete-projects-projectId-members-memberId-rates-revenue-revenueId")
    r.replay("delete-projects-projectId-members-memberId")
    r.expect("DELETE", f"/projects/{r.ids[PROJECT_ID]}", 409, "PROJECT_HAS_ACTIVITIES")
    r.replay("delete-projects-projectId", ids={PROJECT_ID: r.ids[SECOND_PROJECT_ID]},
             note="the second project: one that ever had activities is 409 PROJECT_HAS_ACTIVITIES unless ?cascade=true (docs/time-rules.md)")
    r.replay("delete-users-userId-rates-cost-costId")
    r.expect("DELETE", f"/users/{r.ids[ALEX_ID]}", 409, "LAST_ADMINISTRATOR")
    r.replay("delete-users-userId", ids={ALEX_ID: r.ids[SAM_ID]},
             note="deletes Sam: the example deletes the caller, by then the only Administrator (409 LAST_ADMINISTRATOR)")
    r.replay("delete-organization")


def requests(r: Replayer) -> None:
    """Every request is raised by Sam and resolved by Alex; each creation binds the reference's one
    request id to the new request, which the resolution that follows uses."""
    # a role change for Sam's membership of the reference's project
    r.replay("post-requests-projects-projectId-members-memberId-role", as_=SAM)
    r.replay("put-requests-requestId-projects-members-role")
    # Sam proposes Kim, just invited, for the reference's project (members propose for their projects)
    r.call("PUT", f"/subscriptions/{r.ids[SUBSCRIPTION_ID]}", body={"quantity": 3})  # a seat for Kim
    kim = r.call("POST", "/users", body={"email": "kim.park@example.com", "name": "Kim Park"}).json()["id"]
    r.replay("post-requests-projects-projectId-members", as_=SAM, ids={SAM_ID: kim},
             note="proposes Kim for the first project: the example proposes the requester, whom members cannot propose for a project they are not on")
    r.replay("put-requests-requestId-projects-members")
    # Sam asks for projects; Alex assigns him to two new ones (he is in the first two already)
    r.replay("post-requests-projects-request-assignment", as_=SAM)
    intranet, support = (r.call("POST", "/projects", body={"name": name, "billable": False}).json()["id"] for name in ("Intranet", "Support"))
    r.replay("put-requests-requestId-projects-assign", ids={PROJECT_ID: intranet, SECOND_PROJECT_ID: support})
    # Sam's week 27 is locked; he asks to unlock it, then for its approval
    r.call("POST", "/timesheets/lock", body={"userId": r.ids[SAM_ID], "year": 2026, "week": 27})
    r.replay("post-requests-timesheets-year-week-unlock", as_=SAM)
    r.replay("put-requests-requestId-timesheets-unlock")
    r.replay("post-requests-timesheets-year-week-approvals", as_=SAM)
    r.replay("put-requests-requestId-timesheets-approvals")
    # PUT /requests/{requestId} resolves impersonation requests, which Sam raises through our
    # addition POST /requests/impersonation (the support address is the test gateway's)
    r.api.gateway.environment["SUPPORT_EMAIL"] = "support@example.com"
    r.api.gateway.apply_environment()
    from sandglass.settings import reset_settings

    reset_settings()
    raised = r.call("POST", "/requests/impersonation", as_=SAM, body={"reason": "My timer looks wrong"})
    assert raised.status == 200, raised.body
    r.bind(REQUEST_ID, raised.json()["id"])
    r.replay("put-requests-requestId")


def app_store_receipt(size: int = 300) -> str:
    """Base64 of a DER SEQUENCE opening with the PKCS#7 signedData OID, as an App Store receipt does."""
    import base64

    oid = bytes.fromhex("06092a864886f70d010702")
    inner = oid + b"\xa0\x82" + (size - 4).to_bytes(2, "big") + b"\x01" * (size - 4)
    return base64.b64encode(b"\x30\x82" + len(inner).to_bytes(2, "big") + inner).decode()


def run(api, clock) -> dict[str, Result]:
    replayer = Replayer(api, clock)
    scenario(replayer)
    return replayer.results


def summary(results: dict[str, Result]) -> str:
    operations = sandtime_operations.load()
    replayed = [results[operation["operationId"]] for operation in operations if operation["operationId"] in results]
    return (f"{len(operations)} operations in the reference, {len(replayed)} replayed: "
            f"{sum(result.matching for result in replayed)} matching, "
            f"{sum(bool(result.problems) for result in replayed)} differing, "
            f"{sum(result.not_built for result in replayed)} not built yet.")


def markdown_table(results: dict[str, Result]) -> str:
    """The contract table (docs/contract.md): every operation of the reference, in its order, with its verdict."""
    lines = [summary(results), "", "| group | operation | route | status |", "|---|---|---|---|"]
    for operation in sandtime_operations.load():
        result = results.get(operation["operationId"])
        verdict = result.verdict if result else "not replayed"
        lines.append(f"| {operation['group']} | `{operation['operationId']}` | `{operation['method']} {operation['path']}` | {verdict.replace('|', '/')} |")
    return "\n".join(lines) + "\n"
