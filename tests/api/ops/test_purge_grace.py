"""A purge waits out its grace period, so a request the authorizer let in before the tombstone, and
that writes after it, is ordered before the purge: what it wrote goes with the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandglass_local import operations
from sandglass_local import template as tpl
from sandglass_local.gateway import job_record
from sandglass_local.operations import Client
from tests.conftest import TABLE

CLOCK_SKEW_MARGIN = timedelta(seconds=30)


def _timeout(function: dict, template: dict) -> int:
    return int(function["Properties"].get("Timeout", template["Globals"]["Function"]["Timeout"]))


def test_the_grace_period_outlasts_every_request_the_authorizer_let_in():
    """From the authorizer's read to the handler's last write: at most the authorizer's timeout plus
    the longest API function's (API Gateway stops waiting at 29 s, but the function runs on to its
    own Timeout)."""
    from sandglass.services.purge import PURGE_GRACE

    template = tpl.load()
    functions = {name: resource for name, resource in template["Resources"].items() if resource["Type"] == "AWS::Serverless::Function"}
    api_functions = {name: _timeout(fn, template) for name, fn in functions.items()
                     if any(event["Type"] == "Api" for event in (fn["Properties"].get("Events") or {}).values())}
    assert len(api_functions) >= 9
    authorizer = _timeout(functions["AuthorizerFunction"], template)
    longest = timedelta(seconds=authorizer + max(api_functions.values()))
    assert longest + CLOCK_SKEW_MARGIN <= PURGE_GRACE, (authorizer, api_functions)


def _everything_of(table, needle: str) -> list[dict]:
    """Every item that names `needle` in any attribute (a test may Scan; the code never does)."""
    found, start = [], {}
    while True:
        page = table.scan(TableName=TABLE, **start)
        found.extend(item for item in page["Items"] if needle in repr(item))
        if "LastEvaluatedKey" not in page:
            return found
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def _jobs(table) -> list[dict]:
    return table.query(TableName=TABLE, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": "JOBS"})["Items"]


@pytest.fixture
def world(gateway):
    with operations.frozen_clock():
        organization = operations.build_organization(gateway, "alpha")
        yield Client(gateway), organization


def _in_flight(gateway, monkeypatch, deletion) -> None:
    """The next request passes the authorizer, then `deletion` runs (a concurrent request, through the
    whole gateway), then the first request's function runs: it was authorized before the tombstone."""
    integrate = gateway._integrate
    pending = [deletion]

    def deleted_meanwhile(*args):
        if pending:
            pending.pop()()
        return integrate(*args)

    monkeypatch.setattr(gateway, "_integrate", deleted_meanwhile)


def test_a_pass_in_the_grace_period_writes_nothing_and_the_sweep_starts_the_purge_after_it(world, gateway, table):
    from sandglass.clock import FixedClock, set_clock
    from sandglass.services.purge import PURGE_GRACE, STALLED_AFTER
    from sandglass.timefmt import iso

    client, organization = world
    org_id = organization.ids["orgId"]
    with operations.frozen_clock():
        client.ok("DELETE", "/organization", email=organization.emails["admin"], org=organization.domain)
        [job] = _jobs(table)
        before = _everything_of(table, org_id)
        assert gateway.invoke("PurgeFunction", {"Records": [job_record(job, 1, "INSERT")]}) == {"batchItemFailures": []}
        assert _jobs(table) == [job] and _everything_of(table, org_id) == before  # not touched, nothing deleted
        set_clock(FixedClock(operations.NOW + PURGE_GRACE - timedelta(seconds=1)))
        assert gateway.invoke("PurgeFunction", {"sweep": "jobs"})["sweep"] == {"pending": 1, "resumed": 0, "finished": 0, "failed": 0}
        # a job a pass has touched lately is the stream's; one that no pass has started, or that
        # stalled, is the sweep's
        due = operations.NOW + PURGE_GRACE
        table.update_item(TableName=TABLE, Key={"PK": job["PK"], "SK": job["SK"]}, UpdateExpression="SET touchedAt = :at",
                          ExpressionAttributeValues={":at": iso(due - timedelta(minutes=1))})
        set_clock(FixedClock(due))
        assert gateway.invoke("PurgeFunction", {"sweep": "jobs"})["sweep"]["resumed"] == 0
        set_clock(FixedClock(due + STALLED_AFTER))
        swept = gateway.invoke("PurgeFunction", {"sweep": "jobs"})["sweep"]
    assert swept["resumed"] == 1
    gateway.run_jobs()  # the stream chain of its progress writes
    assert _jobs(table) == [] and _everything_of(table, org_id) == []


# writes a request of a vanished organization's Administrator still makes (they read neither the
# organization nor the member: tests/api/test_vanished_tenant.py lists them)
ORGANIZATION_WRITES = [
    ("POST", "/projects", {"name": "Late project"}),
    ("POST", "/users", {"email": "late@alpha.test", "name": "Late"}),
    ("POST", "/geofences", {"name": "Late fence", "latitude": 50.0, "longitude": 19.9, "radius": 100, "enterAction": "START_TRACKING_PROJECT",
                            "exitAction": "STOP_TRACKING", "projectId": "{projectId}"}),
]


@pytest.mark.parametrize("method, path, body", ORGANIZATION_WRITES, ids=lambda value: value if isinstance(value, str) and value.startswith("/") else None)
def test_what_a_request_writes_after_its_organization_was_deleted_is_purged_with_it(world, gateway, table, monkeypatch, method, path, body):
    client, organization = world
    admin, org_id = organization.emails["admin"], organization.ids["orgId"]
    answers = []
    with operations.frozen_clock():
        _in_flight(gateway, monkeypatch, lambda: answers.append(client.request("DELETE", "/organization", email=admin, org=organization.domain)))
        late = client.request(method, path, email=admin, org=organization.domain, body=operations.fill(body, organization.ids))
    assert answers[0].status == 200, answers[0].body
    assert late.status == 200, late.body  # authorized before the tombstone: ordered before it
    written = late.json()["id"]
    assert _everything_of(table, written)  # it landed, in the tombstoned organization
    assert client.request("GET", "/organization", email=admin, org=organization.domain).status in (401, 403, 404)
    gateway.run_jobs()  # after the grace period
    assert _jobs(table) == []
    assert _everything_of(table, org_id) == [] and _everything_of(table, written) == []



# writes a deleted member's request still makes after the tombstone (it read no member item)
MEMBER_WRITES = [
    ("POST", "/reports", {**operations.REPORT, "name": "Late report"}),
    ("POST", "/activities", {"name": "Late timer", "projectId": "{projectId}", "startedAt": "2026-07-15T11:00:00Z", "pending": True}),
    ("POST", "/requests/timesheets/2026/27/approvals", None),
    ("PUT", "/users/{userId}/preferences", {"locale": "pl-PL"}),
]


@pytest.mark.parametrize("method, path, body", MEMBER_WRITES, ids=lambda value: value if isinstance(value, str) and value.startswith("/") else None)
def test_what_a_request_writes_after_its_member_was_deleted_is_purged_with_them(world, gateway, table, monkeypatch, method, path, body):
    """Sam's request passed the authorizer; an Administrator deletes Sam; Sam's request writes. After
    the grace period the purge leaves nothing naming Sam but TTL'd items (a support sign-in grant,
    which DynamoDB expires) and the organization's other data goes on untouched."""
    client, organization = world
    admin, sam, sam_id = organization.emails["admin"], organization.emails["user"], organization.ids["userId"]
    answers = []
    with operations.frozen_clock():
        _in_flight(gateway, monkeypatch, lambda: answers.append(client.request("DELETE", f"/users/{sam_id}", email=admin, org=organization.domain)))
        late = client.request(method, operations.fill(path, organization.ids), email=sam, org=organization.domain,
                              body=operations.fill(body, organization.ids))
    assert answers[0].status == 200, answers[0].body
    assert late.status == 200, late.body  # authorized before the tombstone: ordered before it
    assert client.request("GET", "/users", email=sam, org=organization.domain).status == 403  # no longer a member
    gateway.run_jobs()  # after the grace period
    assert _jobs(table) == []
    left = [item for item in _everything_of(table, sam_id) if "expiresAt" not in item]
    assert left == [], [(item["PK"], item["SK"]) for item in left]
    assert client.request("GET", f"/projects/{organization.ids['projectId']}", email=admin, org=organization.domain).status == 200
