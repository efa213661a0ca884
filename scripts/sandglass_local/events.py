"""The sample events in events/, generated for the local stack's demo data.

    python -m sandglass_local.events          rewrite events/*.json and events/env.json
    python -m sandglass_local.events --check  exit 1 if a committed file differs from what this writes

The demo organization (`make dev`, devstack.seed_demo) has fixed ids, so the events carry real
ids and run unchanged both ways:

- `sam local invoke <Function> -e events/<file>.json --env-vars events/env.json`: the function
  reads the authorizer context (orgId, userId, role...) that API Gateway would have put in the
  event, and the table through DYNAMODB_ENDPOINT (the local stack's DynamoDB);
- `python -m sandglass_local invoke <function> -e events/<file>.json`: the request goes through the
  authorizer first, with the event's bearer token (signed with the sample secret of events/env.json,
  re-signed for the same person with the local stack's own secret).

SAMPLES says which function owns each event and the status it answers on a fresh demo state
(`make dev ARGS=--reset`); the sample-event table in docs/local.md and tests/stack/test_sample_events.py
follow it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sandglass_local import template as tpl
from sandglass_local.devstack import DEMO_ADMIN, DEMO_DOMAIN, DEMO_USER

EVENTS = tpl.ROOT / "events"

# The demo organization's fixed ids (members' ids derive from the organization's and their email).
DEMO_ORG_ID = "de300000-0000-4000-8000-000000000001"
DEMO_PROJECT_ID = "de300000-0000-4000-8000-000000000002"
DEMO_WORKSPACE_ID = "de3000000000400080000000"  # the demo organization's 24-hex Clockify id (ids.short_id)
DEMO_LOCKED_WEEK = (2026, 27)  # Sam's timesheet of this ISO week is locked in the demo data

# Signs the sample events' bearer tokens; events/env.json gives it to `sam local invoke` as
# JWT_SECRET. Public on purpose: local samples only (a deployment reads its secret from SSM).
SAMPLE_JWT_SECRET = "sandglass-sample-events-only-never-deploy-this-secret"
SAMPLE_TOKEN_ISSUED = datetime(2026, 1, 1, tzinfo=timezone.utc)
SAMPLE_TOKEN_TTL = timedelta(days=3650)

# events/env.json: what `sam local invoke --env-vars` sets (only variables the template declares).
# Docker Desktop resolves host.docker.internal to the host, whose 127.0.0.1:8765 is the local
# stack's embedded DynamoDB; events/env.host-network.json is for `--docker-network host` (Linux).
ENV_FILES = {"env.json": "http://host.docker.internal:8765", "env.host-network.json": "http://127.0.0.1:8765"}


def member_id(email: str) -> str:
    from sandglass import ids

    return ids.member_id(DEMO_ORG_ID, email)


def _short(entity_id: str) -> str:
    from sandglass import ids

    return ids.short_id(entity_id)


def _person(email: str) -> str:
    from sandglass import ids

    return ids.person_short_id(email)


@dataclass(frozen=True)
class Sample:
    file: str
    function: str  # logical id in template.yaml
    status: int | str  # the HTTP status on a fresh demo state, or what a non-API function answers
    method: str | None = None
    resource: str | None = None
    path_parameters: dict[str, str] | None = None
    query: dict[str, str] | None = None
    body: Any = None
    as_: str = DEMO_ADMIN
    raw: dict[str, Any] | None = None  # a non-API event, written as it is
    public: bool = False  # a route without auth: no token, no authorizer context
    headers: dict[str, str] | None = None  # besides the credentials and Content-Type

    def path(self) -> str:
        resource = self.resource or ""
        for name, value in (self.path_parameters or {}).items():
            resource = resource.replace("{" + name + "}", value)
        return resource


def _samples() -> list[Sample]:
    sam = member_id(DEMO_USER)
    year, week = DEMO_LOCKED_WEEK
    return [
        Sample("activities_post.json", "ActivitiesFunction", 200, "POST", "/activities",
               body={"name": "Implement API docs page", "startedAt": "2026-07-03T09:00:00+02:00", "endedAt": "2026-07-03T10:30:00+02:00", "projectId": DEMO_PROJECT_ID}),
        Sample("authorizer_request.json", "AuthorizerFunction", "Allow", "GET", "/organization"),
        Sample("billing_checkout.json", "BillingFunction", 200, "POST", "/checkout", body={"product": 123456, "quantity": 2}),
        Sample("billing_subscriptions.json", "BillingFunction", 200, "GET", "/subscriptions"),
        Sample("feed_changes.json", "FeedFunction", 200, "GET", "/changes", query={"types": "activity,project", "limit": "50"}),
        Sample("webhooks_list.json", "FeedFunction", 200, "GET", "/webhooks"),
        Sample("catalog_tags_post.json", "CatalogFunction", 200, "POST", "/tags", body={"name": "Research"}),
        Sample("clockify_catalog_tags_get.json", "ClockifyCatalogFunction", 200, "GET", "/v1/workspaces/{workspaceId}/tags",
               path_parameters={"workspaceId": DEMO_WORKSPACE_ID}),
        Sample("geofences_enter.json", "GeofencesFunction", 200, "POST", "/geofencing/enter", body={"latitude": 52.2297, "longitude": 21.0122, "source": "ios-geofence"}),
        Sample("geofences_exit.json", "GeofencesFunction", 200, "POST", "/geofencing/exit", body={"latitude": 52.2297, "longitude": 21.0122, "source": "ios-geofence"}),
        Sample("geofences_list.json", "GeofencesFunction", 200, "GET", "/geofences"),
        Sample("geofences_post.json", "GeofencesFunction", 200, "POST", "/geofences",
               body={"name": "Warsaw office", "latitude": 52.2297, "longitude": 21.0122, "radius": 120, "enterAction": "START_TRACKING", "exitAction": "STOP_TRACKING"}),
        # an agent previews logging time through MCP (a dry run: nothing is written)
        Sample("mcp_tools_call.json", "McpFunction", 200, "POST", "/mcp",
               headers={"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"},
               body={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "log_time", "arguments": {
                   "project": "Website refresh", "when": "90m yesterday", "description": "Wireframes", "dry_run": True}}}),
        Sample("openapi_get.json", "OpenApiFunction", 200, "GET", "/openapi.json", public=True),
        Sample("projects_list.json", "ProjectsFunction", 200, "GET", "/projects"),
        Sample("reports_list.json", "ReportsFunction", 200, "GET", "/reports"),
        # Sam asks to unlock his locked week (the demo data locks it)
        Sample("requests_unlock.json", "RequestsFunction", 200, "POST", "/requests/timesheets/{year}/{week}/unlock",
               path_parameters={"year": str(year), "week": str(week)}, as_=DEMO_USER),
        # the Administrator locks Sam's next week
        Sample("timesheets_lock.json", "TimesheetsFunction", 200, "POST", "/timesheets/lock", body={"userId": sam, "week": week + 1, "year": year}),
        Sample("timesheets_month.json", "TimesheetsFunction", 200, "GET", "/timesheets", query={"monthOf": "2026-02-15"}),
        Sample("users_list.json", "UsersFunction", 200, "GET", "/users"),
        Sample("workspace_get_organization.json", "WorkspaceFunction", 200, "GET", "/organization"),
        Sample("workspace_put_organization.json", "WorkspaceFunction", 200, "PUT", "/organization",
               body={"notes": "Updated from an event file", "rounding": {"enabled": True, "interval": 900000, "mode": "NEAREST"}}),
        # the Clockify v1 surface (docs/clockify.md): the workspace and the user are 24-hex ids in the path
        Sample("clockify_user.json", "ClockifyWorkspaceFunction", 200, "GET", "/v1/user"),
        Sample("clockify_projects_list.json", "ClockifyProjectsFunction", 200, "GET", "/v1/workspaces/{workspaceId}/projects",
               path_parameters={"workspaceId": _short(DEMO_ORG_ID)}, query={"page-size": "1000", "archived": "false"}),
        Sample("clockify_time_entries_list.json", "ClockifyTimeFunction", 200, "GET", "/v1/workspaces/{workspaceId}/user/{userId}/time-entries",
               path_parameters={"workspaceId": _short(DEMO_ORG_ID), "userId": _person(DEMO_ADMIN)}, query={"hydrated": "true", "page-size": "500"}),
        Sample("sonderplan_time_entries_list.json", "SonderplanFunction", 200, "GET", "/v2/time-entry",
               query={"start": "1783987200", "end": "1784160000"}),
        Sample("auto_lock_tick.json", "AutoLockFunction", "OK", raw={"scheduledTime": "2026-11-23T18:00:00Z"}),
        Sample("reminders_tick.json", "RemindersFunction", "OK", raw={"scheduledTime": "2026-11-23T18:00:00Z"}),
        Sample("purge_sweep.json", "PurgeFunction", "OK", raw={"sweep": "jobs", "scheduledTime": "2026-07-15T12:00:00Z"}),
        # a purge job's stream record: the job it names does not exist, so there is nothing to do
        Sample("purge_job_record.json", "PurgeFunction", "OK", raw={"Records": [{
            "eventName": "MODIFY", "eventSource": "aws:dynamodb",
            "dynamodb": {"Keys": {"PK": {"S": "JOBS"}, "SK": {"S": f"purge-org#{DEMO_ORG_ID}#-"}}, "SequenceNumber": "000000000000000000001", "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "eventID": "1", "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/sandglass/stream/2026-01-01T00:00:00.000"}]}),
        # a project's creation on the table's stream: one change in the demo organization's log
        Sample("changes_stream_record.json", "ChangesStreamFunction", "OK", raw={"Records": [{
            "eventName": "INSERT", "eventSource": "aws:dynamodb", "eventID": "1", "awsRegion": "us-east-1",
            "dynamodb": {"Keys": {"PK": {"S": f"ORG#{DEMO_ORG_ID}"}, "SK": {"S": "PROJECT#00000000-0000-4000-8000-00000000feed"}},
                         "NewImage": {"PK": {"S": f"ORG#{DEMO_ORG_ID}"}, "SK": {"S": "PROJECT#00000000-0000-4000-8000-00000000feed"},
                                      "id": {"S": "00000000-0000-4000-8000-00000000feed"}, "name": {"S": "From a stream record"},
                                      "archived": {"BOOL": False}, "version": {"N": "1"}},
                         "ApproximateCreationDateTime": 1784116800, "SequenceNumber": "100000000000000000001", "SizeBytes": 200,
                         "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/sandglass/stream/2026-01-01T00:00:00.000"}]}),
        # a queued webhook event whose webhook does not exist (any more): skipped, nothing is sent
        Sample("webhook_delivery_message.json", "WebhookDeliveryFunction", "OK", raw={"Records": [{
            "messageId": "m1", "receiptHandle": "r1", "md5OfBody": "", "eventSource": "aws:sqs", "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:sandglass-webhooks.fifo", "messageAttributes": {},
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1784116800000", "SenderId": "local",
                           "ApproximateFirstReceiveTimestamp": "1784116800000", "MessageGroupId": "00000000-0000-4000-8000-0000000000aa:entry",
                           "MessageDeduplicationId": "00000000-0000-4000-8000-0000000000aa:1", "SequenceNumber": "1"},
            "body": json.dumps({"orgId": DEMO_ORG_ID, "webhookId": "00000000-0000-4000-8000-0000000000aa", "eventId": "1",
                                "eventType": "NEW_TIME_ENTRY", "entityType": "activity", "entityId": "entry", "payload": {}})}]}),
    ]


SAMPLES: list[Sample] = []  # filled on first use (member ids need the domain package)


def samples() -> list[Sample]:
    if not SAMPLES:
        SAMPLES.extend(_samples())
    return SAMPLES


def sample_token(email: str) -> str:
    from sandglass.services.auth import issue_token

    return issue_token(email, now=SAMPLE_TOKEN_ISSUED, ttl=SAMPLE_TOKEN_TTL, secret=SAMPLE_JWT_SECRET)


def sample_email(token: str) -> str | None:
    """The email of a sample event's token (signed with SAMPLE_JWT_SECRET), else None."""
    import jwt

    try:
        claims = jwt.decode(token, SAMPLE_JWT_SECRET, algorithms=["HS256"], options={"verify_aud": False, "verify_iss": False})
    except jwt.PyJWTError:
        return None
    return claims.get("email")


def event_of(sample: Sample) -> dict[str, Any]:
    if sample.raw is not None:
        return sample.raw
    headers = {"Host": "127.0.0.1:3000"} if sample.public else {
        "Authorization": f"Bearer {sample_token(sample.as_)}", "X-Organization": DEMO_DOMAIN, "Host": "127.0.0.1:3000"}
    if (sample.resource or "").startswith(("/v1/user", "/v1/workspaces")):  # Clockify: the workspace is in the path, never a header
        headers.pop("X-Organization", None)
    if sample.body is not None:
        headers["Content-Type"] = "application/json"
    headers |= sample.headers or {}
    request_context = {"resourcePath": sample.resource, "httpMethod": sample.method, "stage": "api"}
    event = {"resource": sample.resource, "path": "/api" + sample.path(), "httpMethod": sample.method, "headers": headers,
             "queryStringParameters": sample.query, "pathParameters": sample.path_parameters}
    if sample.function == "AuthorizerFunction":
        return {"type": "REQUEST", "methodArn": f"arn:aws:execute-api:us-east-1:123456789012:local/api/{sample.method}{sample.path()}",
                **event, "requestContext": request_context}
    if sample.public:
        request_context["requestId"] = "sample-request"
        return {**event, "requestContext": request_context, "body": None, "isBase64Encoded": False}
    role = "Administrator" if sample.as_ == DEMO_ADMIN else "User"
    request_context |= {"requestId": "sample-request", "authorizer": {
        "principalId": sample.as_, "email": sample.as_, "membership": "member", "domain": DEMO_DOMAIN,
        "orgId": DEMO_ORG_ID, "userId": member_id(sample.as_), "role": role}}
    return {**event, "requestContext": request_context, "body": None if sample.body is None else json.dumps(sample.body), "isBase64Encoded": False}


def env_file(endpoint: str) -> dict[str, dict[str, str]]:
    """`--env-vars` applies to every function (Parameters): the local table, its endpoint, the sample secret."""
    return {"Parameters": {"DYNAMODB_ENDPOINT": endpoint, "TABLE_NAME": "sandglass-local", "JWT_SECRET": SAMPLE_JWT_SECRET,
                           "JWT_SECRET_PARAMETER": ""}}


def rendered() -> dict[str, str]:
    files = {sample.file: json.dumps(event_of(sample), indent=2) + "\n" for sample in samples()}
    files.update({name: json.dumps(env_file(endpoint), indent=2) + "\n" for name, endpoint in ENV_FILES.items()})
    return files


def main(argv: list[str]) -> int:
    files = rendered()
    if argv == ["--check"]:
        stale = sorted(name for name, text in files.items() if not (EVENTS / name).exists() or (EVENTS / name).read_text() != text)
        for name in stale:
            print(f"events/{name} is stale: run `python -m sandglass_local.events`", file=sys.stderr)
        return 1 if stale else 0
    if argv:
        print("usage: python -m sandglass_local.events [--check]", file=sys.stderr)
        return 2
    for name, text in files.items():
        (EVENTS / name).write_text(text)
    print(f"wrote {len(files)} files in {EVENTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
