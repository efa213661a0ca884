"""No report response is above Lambda's 6 MB, over the largest fixture of the report tests: a year
of activities of 60 members on 40 projects with long names, every view, groupings whose unpaged
summary is tens of megabytes, from activities and from cells (the two give the same groups:
tests/unit/test_report_rollups.py). Every page of every result is
walked (its cursor followed to the end) and measured as Lambda's proxy answer carries it (the body
an escaped JSON string), and every page carries the same totals."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from sandglass.clock import FixedClock
from sandglass.context import TenantContext
from sandglass.entities.reports import ReportSpec
from sandglass.services.reports.service import ReportService
from tests.unit.report_fakes import InMemoryCells, InMemoryReports

LAMBDA_LIMIT = 6 * 1024 * 1024
NOW = datetime(2027, 1, 5, tzinfo=timezone.utc)
YEAR = datetime(2026, 1, 1, tzinfo=timezone.utc)
MEMBERS = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(60)]
PROJECTS = [f"{n:08d}-1111-4111-8111-111111111111" for n in range(40)]
METRICS = ("time", "billable", "revenue", "cost", "profit", "count")


class Named(InMemoryReports):
    def projects_by_id(self, org_id, ids):
        return {pid: {"id": pid, "name": f"Project {pid} " + "p" * 400} for pid in ids}

    def users_by_id(self, org_id, ids):
        return {uid: {"id": uid, "name": f"Member {uid} " + "m" * 400} for uid in ids}

    def cost_windows_of_user(self, org_id, user_id):
        return []


def fixture_items(count: int = 6_000) -> list[dict]:
    items, step = [], timedelta(days=365) / count
    for n in range(count):
        start = YEAR + step * n
        items.append({"id": f"{n:08d}-2222-4222-8222-222222222222", "name": "x" * 500, "projectId": PROJECTS[(n // 7) % len(PROJECTS)],
                      "userId": MEMBERS[n % len(MEMBERS)], "billable": n % 3 != 0,
                      "startedAt": start.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                      "endedAt": (start + timedelta(minutes=30)).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                      "rateSnapshot": {"cost": {"currency": "EUR", "value": "41.5", "rateId": "c"},
                                       "revenue": {"currency": "USD" if n % 5 else "EUR", "value": "120", "rateId": "r"}}})
    return items


@pytest.fixture(scope="module")
def largest():
    items = fixture_items()
    organization = {"timeZone": "Europe/Warsaw", "rounding": {"enabled": True, "interval": 900_000, "mode": "NEAREST"}}
    return items, organization


def proxy_size(body: dict) -> int:
    return len(json.dumps({"statusCode": 200, "headers": {"Content-Type": "application/json", "X-Next-Cursor": body.get("nextCursor") or ""},
                           "body": json.dumps(body), "isBase64Encoded": False}))


@pytest.mark.parametrize("view,dimensions,hide_empty,cells", [
    ("summary", ("day", "week", "month"), False, False),  # 366 x 53 x 13 groups unpaged: about 30 MB
    ("summary", ("project", "user", "day"), True, False),
    ("summary", ("project", "user", "day"), True, True),
    ("summary", ("member", "billable", "day"), True, True),
    ("weekly", (), False, False),
    ("detailed", (), False, False),
])
def test_no_report_response_over_the_largest_fixture_is_above_6_mb(largest, view, dimensions, hide_empty, cells):
    items, organization = largest
    repository = Named(items, organization, {}, {}, projects=PROJECTS, users=MEMBERS, cells=InMemoryCells(items, organization) if cells else None)
    service = ReportService(repository, FixedClock(NOW))
    spec = ReportSpec(period="custom", start=YEAR, end=YEAR + timedelta(days=365) - timedelta(milliseconds=1), dimensions=dimensions,
                      metrics=METRICS, hide_empty_rows=hide_empty)
    tenant = TenantContext("org", "acme", MEMBERS[0], "a@acme.test", "Administrator")
    cursor, sizes, totals = None, [], set()
    while True:
        body = service.results(tenant, spec, view=view, limit=1000, cursor=cursor).body
        sizes.append(proxy_size(body))
        totals.add(json.dumps(body["totals"], sort_keys=True))
        cursor = body["nextCursor"]
        if cursor is None:
            break
        assert len(sizes) < 500
    assert max(sizes) <= LAMBDA_LIMIT, sizes
    assert len(totals) == 1 and json.loads(totals.pop())["count"] == len(items)
    if view == "detailed" or dimensions == ("day", "week", "month"):
        assert len(sizes) > 1  # the whole result is larger than a page
