"""Benchmark: a report over one organization's month of activities (moto in-process).

Seeds N activities (default 100,000) of 200 members on 50 projects in July 2026, with revenue and
cost rates, using BatchWriteItem; then runs the organization Administrator's summary report
(project x user x day, every metric, rounding on) through ReportService and prints:
- DynamoDB Query pages read vs the minimum (total bytes of the items in range / page size),
  and that no Scan and no per-activity request was made;
- the CPU time of our own aggregation (pricing, grouping, totals) apart from the reads;
- the whole request's time (mostly moto's in-process Query emulation and boto3 deserialization).
Prints figures; asserts nothing. Not part of `make test`.

    python bench/reports.py [--count 100000] [--members 200] [--projects 50]
"""

from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("DYNAMODB_ENDPOINT", None)
os.environ["TABLE_NAME"] = "sandglass-bench"
os.environ["JWT_SECRET"] = "bench-secret-that-is-long-enough-for-hs256"

from datetime import datetime, timedelta, timezone  # noqa: E402
from decimal import Decimal  # noqa: E402

from moto import mock_aws  # noqa: E402

MOTO_PAGE = 1_000_000  # moto's Query page limit (bytes)
DYNAMODB_PAGE = 1_048_576  # DynamoDB's (1 MB)


def item_size(item: dict) -> int:
    """DynamoDB's item size: attribute name bytes + value bytes (numbers as moto counts them)."""
    total = 0
    for name, value in item.items():
        total += len(name.encode())
        if isinstance(value, bool) or value is None:
            total += 1
        elif isinstance(value, (int, Decimal)):
            total += len(str(value))
        else:
            total += len(str(value).encode())
    return total


def build(count: int, members: int, projects: int):
    """The organization's items: settings, members with cost rates, projects, revenue rates, activities."""
    from sandglass import ids, keys
    from sandglass.repositories.activities import _stored
    from sandglass.repositories.rates import cost_set, revenue_set

    org_id = ids.new_id()
    user_ids = [ids.member_id(org_id, f"member{n}@bench.test") for n in range(members)]
    project_ids = [ids.new_id() for _ in range(projects)]
    items = [{**keys.organization(org_id), "id": org_id, "name": "Bench", "status": "ACTIVE", "timeZone": "UTC", "currency": "EUR",
              "rounding": {"enabled": True, "interval": 900000, "mode": "NEAREST"}, "version": 1}]
    for n, user_id in enumerate(user_ids):
        items.append({**keys.user(org_id, user_id), "id": user_id, "email": f"member{n}@bench.test", "name": f"Member {n}", "role": "User",
                      "archived": False, "status": "ACTIVE", "version": 1})
        rates, rate_id = cost_set(org_id, user_id), ids.new_id()
        items.append({**rates.lock_key(), **rates.index_attributes(""), "version": 1})
        items.append({**rates.rate_key(rate_id), **rates.index_attributes(rate_id), "id": rate_id, "userId": user_id, "currency": "EUR",
                      "from": "2026-01-01T00:00:00.000Z", "to": None, "taxRate": Decimal(0), "value": Decimal(30 + n % 20)})
    for n, project_id in enumerate(project_ids):
        items.append({**keys.project(org_id, project_id), "id": project_id, "name": f"Project {n}", "billable": True, "archived": False, "version": 1})
    month_start = datetime(2026, 7, 1, tzinfo=timezone.utc)
    step = timedelta(days=31) / count
    activity_bytes = 0
    pairs = set()
    for n in range(count):
        start = month_start + step * n
        user_id, project_id = user_ids[n % members], project_ids[(n // members) % projects]
        pairs.add((project_id, user_id))
        activity = _stored(org_id, {
            "id": ids.new_id(), "name": f"Entry {n}", "projectId": project_id, "userId": user_id, "billable": n % 4 != 0,
            "startedAt": start.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "endedAt": (start + timedelta(minutes=20 + n % 90)).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "version": 1, "createdAt": "2026-07-01T00:00:00.000Z", "createdBy": user_id,
        })
        activity_bytes += item_size(activity)
        items.append(activity)
    for project_id, user_id in pairs:
        member_id = ids.project_member_id(project_id, user_id)
        rates, rate_id = revenue_set(org_id, project_id, member_id, user_id), ids.new_id()
        items.append({**rates.lock_key(), **rates.index_attributes(""), "version": 1})
        items.append({**rates.rate_key(rate_id), **rates.index_attributes(rate_id), "id": rate_id, "projectId": project_id,
                      "memberId": member_id, "userId": user_id, "currency": "EUR" if hash(project_id) % 3 else "USD",
                      "from": "2026-07-15T00:00:00.000Z", "to": None, "taxRate": Decimal(0), "value": Decimal(100)})
    items.append({**keys.time_data_month(org_id, "2026-07"), "month": "2026-07"})
    return org_id, items, activity_bytes


def write(items: list[dict]) -> None:
    from sandglass.storage.table import client

    dynamodb = client()
    for offset in range(0, len(items), 25):
        request = {"sandglass-bench": [{"PutRequest": {"Item": item}} for item in items[offset:offset + 25]]}
        while request:
            request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or None


def aggregation_cpu(items: list[dict], dimensions: list[str], metrics: list[str]) -> tuple[float, int]:
    """Best of 3 CPU times of pricing + grouping + totals over activity items (no I/O), and the group count."""
    from sandglass import keys
    from sandglass.repositories.activities import entities
    from sandglass.services import reports_engine as engine
    from sandglass.services.reports_periods import resolve

    activities = entities([item for item in items if str(item.get(keys.SK, "")).startswith(keys.ACTIVITY_SK_PREFIX)])
    revenue: dict = {}
    cost: dict = {}
    for item in items:
        if "value" in item and "memberId" in item:
            revenue.setdefault((item["projectId"], item["userId"]), []).append(item)
        elif "value" in item:
            cost.setdefault(item["userId"], []).append(item)
    span = resolve("custom", "2026-07-01T00:00:00Z", "2026-07-31T23:59:59.999Z", datetime(2026, 8, 5, tzinfo=timezone.utc), "UTC")
    best, groups = math.inf, 0
    for _ in range(3):
        started = time.process_time()
        with engine.gc_paused():  # as ReportService does
            pricing = engine.Pricing(now_ms=engine.to_ms("2026-08-05T00:00:00.000Z"), rounding_interval=900_000,
                                     revenue={key: engine.RateTimeline(windows) for key, windows in revenue.items()},
                                     cost={key: engine.RateTimeline(windows) for key, windows in cost.items()})
            entries = engine.price(activities, pricing)
            grouping = engine.Grouping(dimensions, metrics, span, engine.Calendar("UTC"), engine.Labels(), True)
            total, tree = engine.group(entries, grouping)
            groups = len(engine.groups_view(tree, grouping))
            total.view(metrics)
        best = min(best, time.process_time() - started)
    return best, groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="activities of the month (aggregation, in memory)")
    parser.add_argument("--moto-count", type=int, default=5_000,
                        help="how many of them go through moto for the read figures (0: none; moto's Query emulation is slow)")
    parser.add_argument("--moto-members", type=int, default=20)
    parser.add_argument("--moto-projects", type=int, default=10)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--projects", type=int, default=50)
    args = parser.parse_args()
    metrics = ["time", "billable", "revenue", "cost", "profit", "count"]

    from sandglass import keys

    org_id, items, activity_bytes = build(args.count, args.members, args.projects)
    print(f"{args.count} activities of one organization in 2026-07: {activity_bytes / 1e6:.1f} MB of items "
          f"({activity_bytes / args.count:.0f} bytes each), {args.members} members, {args.projects} projects")
    minimum = math.ceil(activity_bytes / DYNAMODB_PAGE)
    print(f"  minimum Query pages at DynamoDB's 1 MB: {minimum} (the month partition read without Limit: one page per MB)")
    for dimensions in (["project"], ["project", "user"], ["user", "week"], ["project", "user", "day"]):
        cpu, groups = aggregation_cpu(items, dimensions, metrics)
        print(f"  aggregation CPU, {'/'.join(dimensions):18s}: {cpu * 1000:5.0f} ms ({groups} top-level groups; target < 500 ms)")

    if args.moto_count <= 0:
        return
    with mock_aws():
        import boto3

        from sandglass import ids
        from sandglass.clock import FixedClock
        from sandglass.context import TenantContext
        from sandglass.models.reports import ReportQuery
        from sandglass.repositories.reports import ReportRepository
        from sandglass.services.reports import ReportService
        from sandglass.settings import reset_settings
        from sandglass.storage.table import reset_client
        from sandglass_local import template as tpl
        from sandglass_local.callcounter import counting

        reset_settings()
        reset_client()
        tpl.create_table(boto3.client("dynamodb"), "sandglass-bench")
        count = min(args.moto_count, args.count)
        org_id, items, activity_bytes = build(count, args.moto_members, args.moto_projects)
        began = time.perf_counter()
        write(items)
        print(f"moto: {count} activities ({activity_bytes / 1e6:.1f} MB) written in {time.perf_counter() - began:.0f} s (BatchWriteItem)")
        admin = TenantContext(org_id, "bench", ids.member_id(org_id, "admin@bench.test"), "admin@bench.test", "Administrator")
        repository = ReportRepository()
        service = ReportService(repository, FixedClock(datetime(2026, 8, 5, tzinfo=timezone.utc)))
        query = ReportQuery(period="custom", start="2026-07-01T00:00:00Z", end="2026-07-31T23:59:59.999Z",
                            dimensions=["project", "user"], metrics=metrics)
        with counting() as calls:
            began, cpu = time.perf_counter(), time.process_time()
            result = service.results(admin, query)
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        assert result.body["totals"]["count"] == count
        pages = repository.stats.queries
        minimum_moto = math.ceil(activity_bytes / MOTO_PAGE)
        print(f"  activity Query pages read: {pages}; minimum {minimum_moto} at moto's {MOTO_PAGE:,}-byte pages "
              f"-> {pages / minimum_moto:.2f}x (target <= 1.2x)")
        print(f"  every DynamoDB call of the report: {dict(calls.calls)}; Scan: {calls.scans}; "
              f"{sum(calls.calls.values())} requests for {count} activities (rates: 1 Query per project + 1 per member)")
        print(f"  whole request: {wall:.1f} s wall, {cpu:.1f} s CPU - mostly moto's in-process Query emulation and boto3 "
              "deserialization, not a DynamoDB figure")


if __name__ == "__main__":
    main()
