"""Benchmark: report results by size (10 k, 100 k, 1 M activities of one organization and month).

For each size: an Administrator's month summary (project x user x day, every metric, rounding on,
empty rows shown) through ReportService over an in-memory repository that hands out the Query pages
DynamoDB would (as many as the items' bytes need, 1 MB each, already deserialized), and next to it
the baseline measured in the same run: the same report unpaged, one body with every group (what
results answered before pages). Printed per size: service time, first-page body bytes and pages,
the unpaged body bytes, and the end-to-end estimate = service time + Query pages x the measured
client cost of one page (a canned 1 MB Query answer parsed by the boto3 client the Table uses:
botocore parsing plus attribute deserialization; DynamoDB's own latency not included).
Next to it, the same report from report cells (one item per member and local day, as the rebuild
job computes them; services/reports/rollups.py): cell Query pages x their measured client cost,
the service time, and the members read from activities instead (fallback).
Then, through moto (the embedded DynamoDB of the tests), --moto-count activities written and the
same report end to end from cells (and from activities at sizes moto's Query emulation manages):
wall time, Query pages, every DynamoDB call, and the body size.

    python bench/reports.py [--sizes 10000,100000,1000000] [--moto-count 100000] [--smoke]
"""

from __future__ import annotations

import argparse
import json
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
        if isinstance(value, dict):
            total += 3 + item_size(value)
        elif isinstance(value, bool) or value is None:
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
    rate_change = datetime(2026, 7, 15, tzinfo=timezone.utc)
    cost_rate_ids = {user_id: ids.new_id() for user_id in user_ids}
    cost_values = {user_id: Decimal(30 + n % 20) for n, user_id in enumerate(user_ids)}
    gap = step * members  # between two starts of one member
    longest = min(timedelta(minutes=110), gap * 0.9)
    for n in range(count):
        start = month_start + step * n
        # a member's entries follow each other without overlapping, on three projects a day
        user_id = user_ids[n % members]
        project_id = project_ids[(n % members + start.day + (n // members) % 3) % projects]
        pairs.add((project_id, user_id))
        # the rates in force at the start, kept on the activity as the activities service writes them
        snapshot = {"cost": {"currency": "EUR", "value": cost_values[user_id],
                             "rateId": cost_rate_ids[user_id]}}
        if start >= rate_change:
            snapshot["revenue"] = {"currency": "EUR" if hash(project_id) % 3 else "USD", "value": Decimal(100), "rateId": project_id}
        activity = _stored(org_id, {
            "id": ids.new_id(), "name": f"Entry {n}", "projectId": project_id, "userId": user_id, "billable": n % 4 != 0,
            "startedAt": start.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "endedAt": (start + min(timedelta(minutes=20 + n % 90), longest)).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "version": 1, "createdAt": "2026-07-01T00:00:00.000Z", "createdBy": user_id, "rateSnapshot": snapshot,
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


class InMemoryReports:
    """ReportService over an in-memory ReportRepository: the activity items of one month handed out
    in the Query pages DynamoDB would return (projected, deserialized), everything else from dicts."""

    def __init__(self, org_id: str, items: list[dict], activity_bytes: int):
        from sandglass import ids, keys
        from sandglass.repositories.rates import from_item as rate_window
        from sandglass.repositories.reports import ACTIVITY_ATTRIBUTES

        self.org_id = org_id
        self.activities = [{name: item[name] for name in ACTIVITY_ATTRIBUTES if name in item}
                           for item in items if str(item.get(keys.SK, "")).startswith(keys.ACTIVITY_SK_PREFIX)]
        self.count = len(self.activities)
        self.pages = max(1, math.ceil(activity_bytes / DYNAMODB_PAGE))
        self.organization_item = next(item for item in items if item.get(keys.SK) == keys.organization(org_id)[keys.SK])
        self.projects = {item["id"]: item for item in items if "billable" in item and "name" in item and "projectId" not in item}
        self.users = {item["id"]: item for item in items if "email" in item}
        self.revenue: dict = {}
        self.cost: dict = {}
        for item in items:
            if "value" in item and "memberId" in item:
                self.revenue.setdefault(item["projectId"], []).append(rate_window(item))
            elif "value" in item and "userId" in item:
                self.cost.setdefault(item["userId"], []).append(rate_window(item))
        from sandglass.context import TenantContext

        self.admin = TenantContext(org_id, "bench", ids.member_id(org_id, "admin@bench.test"), "admin@bench.test", "Administrator")

    def build_cells(self) -> float:
        """The month's report cells as the rebuild job computes them (its CPU time returned), served
        by `rollups` in the Query pages their stored items would fill."""
        from sandglass.services.reports import rollups, selection

        began = time.process_time()
        settings = selection.settings_of(self.organization().settings)
        records = [rollups.record_of(day) for day in rollups.member_days(self.activities, settings)]
        seconds = time.process_time() - began
        self.rollups = InMemoryCells(records, rollups.basis_of(settings))
        return seconds

    def without_cells(self) -> None:
        self.rollups = None

    @classmethod
    def build(cls, count: int, members: int, projects: int) -> "InMemoryReports":
        org_id, items, activity_bytes = build(count, members, projects)
        return cls(org_id, items, activity_bytes)

    # the ReportRepository methods a result calls
    def organization(self, org_id=None):
        from sandglass.repositories.organizations import organization_from_item

        return organization_from_item(self.organization_item)

    def administered_project_ids(self, org_id, user_id):
        return []

    def org_activities(self, org_id, lower, upper):
        size = math.ceil(self.count / self.pages)
        for offset in range(0, self.count, size):
            yield [item for item in self.activities[offset:offset + size] if lower <= item["startedAt"] < upper]

    def user_activities(self, org_id, user_id, lower, upper):
        self.fallback_reads = getattr(self, "fallback_reads", 0) + 1
        yield [item for item in self.activities if item["userId"] == user_id and lower <= item["startedAt"] < upper]

    def projects_by_id(self, org_id, project_ids):
        return {pid: self.projects[pid] for pid in project_ids if pid in self.projects}

    def users_by_id(self, org_id, user_ids):
        return {uid: self.users[uid] for uid in user_ids if uid in self.users}

    def revenue_windows_of_project(self, org_id, project_id):
        return self.revenue.get(project_id, [])

    def cost_windows_of_user(self, org_id, user_id):
        return self.cost.get(user_id, [])

    def position_token(self, org_id, scope, offset):
        from sandglass.repositories.reports import ReportRepository

        return ReportRepository.position_token(None, org_id, scope, offset)

    def read_position(self, org_id, scope, token):
        from sandglass.repositories.reports import ReportRepository

        return ReportRepository.read_position(None, org_id, scope, token)

    def service(self, page_bytes: int | None = None):
        from sandglass.clock import FixedClock
        from sandglass.services.reports.service import ReportService

        service = ReportService(self, FixedClock(datetime(2026, 8, 5, tzinfo=timezone.utc)))
        if page_bytes is not None:
            service.page_bytes = page_bytes
        return service


class InMemoryCells:
    """RollupRepository's reads over stored member-day records, in the 1 MB Query pages they fill."""

    def __init__(self, records: list[dict], basis: str):
        from sandglass import keys

        self.records, self.basis = records, basis
        self.bytes = sum(item_size({**keys.rollup_day("o" * 36, record["day"], record["userId"]), **record, "computedAt": 1}) for record in records)
        self.pages = max(1, math.ceil(self.bytes / DYNAMODB_PAGE))
        self.queries = 0

    def built(self, org_id, month):
        return self.basis

    def member_days(self, org_id, month, first_day, after_day):
        chosen = [record for record in self.records if record["day"][:7] == month and first_day <= record["day"] < after_day]
        size = max(1, math.ceil(len(self.records) / self.pages))
        for offset in range(0, len(chosen), size):
            self.queries += 1
            yield chosen[offset:offset + size]


def month_query(dimensions: list[str]):
    from sandglass.models.reports import ReportQuery, spec_of

    return spec_of(ReportQuery(period="custom", start="2026-07-01T00:00:00Z", end="2026-07-31T23:59:59.999Z", dimensions=dimensions, metrics=METRICS))


METRICS = ["time", "billable", "revenue", "cost", "profit", "count"]
DIMENSIONS = ["project", "user", "day"]


def body_bytes(body: dict) -> int:
    return len(json.dumps(body))


def timed(call, repeat: int = 1) -> tuple[float, object]:
    best, result, _ = timed_cpu(call, repeat)
    return best, result


def timed_cpu(call, repeat: int = 1) -> tuple[float, object, float]:
    """Best wall seconds, the last result, and best CPU seconds (time.process_time: what a loaded
    machine inflates least)."""
    best, result, cpu = math.inf, None, math.inf
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        result = call()
        best, cpu = min(best, time.perf_counter() - began), min(cpu, time.process_time() - began_cpu)
    return best, result, cpu


def query_page_cost(activity_items: list[dict], repeat: int = 5) -> tuple[float, float, int]:
    """Seconds the client spends on one full Query page of report items (the wire JSON of a 1 MB
    page; no network): through the boto3 resource client, and as Table.query_all(lean=True)
    reads it; and the items such a page holds."""
    import boto3
    from boto3.dynamodb.types import TypeSerializer
    from botocore.awsrequest import AWSResponse

    from sandglass.repositories.activities import ROW_ATTRIBUTES as ACTIVITY_ATTRIBUTES
    from sandglass.repositories.activities import ROW_NAMES as _PROJECTION_NAMES
    from sandglass.repositories.activities import ROW_PROJECTION as _PROJECTION

    serialize = TypeSerializer().serialize
    fitting, used = [], 0
    for item in activity_items:  # the items a 1 MB page reads (by full item size), projected
        used += item_size(item)
        if used > DYNAMODB_PAGE:
            break
        fitting.append({name: serialize(item[name]) for name in ACTIVITY_ATTRIBUTES if name in item})
    wire = json.dumps({"Items": fitting, "Count": len(fitting), "ScannedCount": len(fitting)}).encode()

    class Raw:
        def __init__(self, data):
            self.data = data

        def stream(self, **_):
            yield self.data

    def canned(**_):
        return AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", 200, {"Content-Type": "application/x-amz-json-1.0"}, Raw(wire))

    client = boto3.resource("dynamodb", region_name="us-east-1", endpoint_url="https://dynamodb.us-east-1.amazonaws.com").meta.client
    client.meta.events.register("before-send.dynamodb.Query", canned)
    params = {"TableName": "t", "IndexName": "GSI3", "KeyConditionExpression": "GSI3PK = :pk", "ExpressionAttributeValues": {":pk": "x"},
              "ProjectionExpression": _PROJECTION, "ExpressionAttributeNames": _PROJECTION_NAMES}
    best = math.inf
    for _ in range(repeat):
        began = time.perf_counter()
        answer = client.query(**params)
        best = min(best, time.perf_counter() - began)
    assert len(answer["Items"]) == len(fitting)
    # the same page read the way a report reads it (Table.query_all lean: no botocore item parsing)
    from sandglass.storage import table

    saved, table._client = table._client, client
    try:
        lean = math.inf
        for _ in range(repeat):
            began = time.perf_counter()
            pages = list(table.Table("t").query_all(key_condition="GSI3PK = :pk", values={":pk": "x"}, index="GSI3", projection=_PROJECTION,
                                                    names=_PROJECTION_NAMES, lean=True))
            lean = min(lean, time.perf_counter() - began)
        assert pages[0] == answer["Items"]
    finally:
        table._client = saved
    return best, lean, len(fitting)


def cell_page_cost(records: list[dict], repeat: int = 5) -> float:
    """Seconds the client spends on one full 1 MB Query page of member-day items as results read
    them (Table.query_all(lean=True), the attributes RollupRepository projects); decoding the cells
    themselves is in the service time."""
    from boto3.dynamodb.types import TypeSerializer

    from sandglass import keys
    from sandglass.repositories.rollups import DAY_ATTRIBUTES

    serialize = TypeSerializer().serialize
    fitting, used = [], 0
    for record in records:  # the items a 1 MB page holds (fewer when the month has fewer)
        item = {**keys.rollup_day("o" * 36, record["day"], record["userId"]), **record, "computedAt": 1}
        used += item_size(item)  # a page is full by the items' whole size, whatever the projection returns
        if used > DYNAMODB_PAGE:
            break
        fitting.append({name: serialize(value) for name, value in item.items() if name in DAY_ATTRIBUTES})
    return canned_lean_query(fitting, repeat), len(fitting)


def canned_lean_query(wire_items: list[dict], repeat: int) -> float:
    import boto3
    from botocore.awsrequest import AWSResponse

    from sandglass.storage import table

    wire = json.dumps({"Items": wire_items, "Count": len(wire_items), "ScannedCount": len(wire_items)}).encode()

    class Raw:
        def stream(self, **_):
            yield wire

    def canned(**_):
        return AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", 200, {"Content-Type": "application/x-amz-json-1.0"}, Raw())

    client = boto3.resource("dynamodb", region_name="us-east-1", endpoint_url="https://dynamodb.us-east-1.amazonaws.com").meta.client
    client.meta.events.register("before-send.dynamodb.Query", canned)
    saved, table._client = table._client, client
    try:
        best = math.inf
        for _ in range(repeat):
            began = time.perf_counter()
            pages = list(table.Table("t").query_all(key_condition="PK = :pk", values={":pk": "x"}, lean=True))
            best = min(best, time.perf_counter() - began)
        assert len(pages[0]) == len(wire_items)
    finally:
        table._client = saved
    return best


def in_memory_table(sizes: list[int], members: int, projects: int) -> None:
    print(f"Month summary ({'/'.join(DIMENSIONS)}, every metric, rounding on, empty rows shown), Administrator, "
          f"{members} members, {projects} projects; service over an in-memory repository (best of runs, wall)")
    page_cost = cells_cost = None
    print(f"  load average at start: {os.getloadavg()[0]:.1f} (the machine's other work inflates wall times; CPU s is the cells path's process time)")
    print(f"{'activities':>10} {'Query pages':>11} {'service s':>9} {'+ pages s':>9} {'end-to-end s':>12} "
          f"{'page 1 MB':>9} {'pages':>5} | {'member-days':>11} {'cell pages':>10} {'cells s':>7} {'CPU s':>5} {'+ pages s':>9} {'end-to-end s':>12} "
          f"{'fallback':>8} {'rebuild CPU s':>13} | {'baseline s':>10} {'baseline MB':>11}")
    for size in sizes:
        memory = InMemoryReports.build(size, members, projects)
        if page_cost is None:
            sample = build(min(size, 20_000), members, projects)[1]
            from sandglass import keys

            plain_cost, page_cost, per_page = query_page_cost([item for item in sample if str(item.get(keys.SK, "")).startswith(keys.ACTIVITY_SK_PREFIX)])
        query = month_query(DIMENSIONS)
        repeat = 3 if size <= 100_000 else 1
        # from the activities (the path of every report before cells)
        memory.without_cells()
        service = memory.service()
        seconds, first = timed(lambda: service.results(memory.admin, query), repeat)
        pages, cursor, largest = 1, first.cursor, body_bytes(first.body)
        while cursor:  # the rest of the pages, for their count and sizes
            following = service.results(memory.admin, query, cursor=cursor)
            pages, cursor, largest = pages + 1, following.cursor, max(largest, body_bytes(following.body))
        baseline = memory.service(page_bytes=1 << 50)
        base_seconds, whole = timed(lambda: baseline.results(memory.admin, query), 1)
        assert whole.body["totals"] == first.body["totals"] and whole.body["totals"]["count"] == size
        reading = memory.pages * page_cost
        # from the cells the rebuild job (and then the stream) keeps
        rebuild_cpu = memory.build_cells()
        if cells_cost is None:
            cells_cost, _ = cell_page_cost(memory.rollups.records)
        memory.fallback_reads = 0
        memory.rollups.queries = 0
        cell_seconds, from_cells, cell_cpu = timed_cpu(lambda: memory.service().results(memory.admin, query), repeat)
        cell_pages = memory.rollups.queries // repeat
        assert from_cells.body == first.body, "a summary from cells differs from the one from activities"
        cell_reading = cell_pages * cells_cost
        print(f"{size:>10,} {memory.pages:>11} {seconds:>9.2f} {reading:>9.2f} {seconds + reading:>12.2f} "
              f"{largest / 1e6:>9.2f} {pages:>5} | {len(memory.rollups.records):>11,} {cell_pages:>10} {cell_seconds:>7.2f} {cell_cpu:>5.2f} {cell_reading:>9.2f} "
              f"{cell_seconds + cell_reading:>12.2f} {memory.fallback_reads // repeat:>8} {rebuild_cpu:>13.2f} | "
              f"{base_seconds:>10.2f} {body_bytes(whole.body) / 1e6:>11.1f}")
        del memory, whole
    print(f"  one 1 MB Query page of report items ({per_page} items, projected) costs the client {page_cost * 1000:.0f} ms as reports read it "
          f"(lean: json.loads + direct decode) against {plain_cost * 1000:.0f} ms through botocore's parser and boto3's deserializer "
          "(baseline; best of 5); DynamoDB's own latency not included.")
    print(f"  one 1 MB Query page of member-day cells costs the client {cells_cost * 1000:.0f} ms (lean); member-days: the cell items "
          "(one per member and local day); fallback: members read from their activities instead; rebuild CPU: computing every "
          "cell from the activities (the rebuild job's work besides its reads and writes).")
    print("  page 1 MB: the largest JSON page of the summary; pages: how many the whole summary takes (nextCursor); "
          "baseline: the same report unpaged (one body, every group).")


def through_moto(count: int, members: int, projects: int, with_activities: bool) -> None:
    with mock_aws():
        import boto3

        from sandglass.clock import FixedClock
        from sandglass.repositories.reports import ReportRepository
        from sandglass.services.reports.service import ReportService
        from sandglass.settings import reset_settings
        from sandglass.storage.table import reset_client
        from sandglass_local import template as tpl
        from sandglass_local.callcounter import counting

        reset_settings()
        reset_client()
        tpl.create_table(boto3.client("dynamodb"), "sandglass-bench")
        org_id, items, activity_bytes = build(count, members, projects)
        began = time.perf_counter()
        write(items)
        print(f"moto: {count:,} activities ({activity_bytes / 1e6:.1f} MB) written in {time.perf_counter() - began:.0f} s (BatchWriteItem)")
        memory = InMemoryReports(org_id, items, activity_bytes)
        from_activities = None
        if with_activities:
            repository = ReportRepository()
            repository.rollups = None
            service = ReportService(repository, FixedClock(datetime(2026, 8, 5, tzinfo=timezone.utc)))
            with counting() as calls:
                began, cpu = time.perf_counter(), time.process_time()
                from_activities = service.results(memory.admin, month_query(DIMENSIONS))
                wall, cpu = time.perf_counter() - began, time.process_time() - cpu
            assert from_activities.body["totals"]["count"] == count
            pages = repository.stats.queries
            minimum_moto = math.ceil(activity_bytes / MOTO_PAGE)
            print(f"  month summary from activities end to end: {wall:.2f} s wall, {cpu:.2f} s CPU (moto's in-process Query emulation "
                  f"included); first page {body_bytes(from_activities.body) / 1e6:.2f} MB, truncated: {from_activities.body['truncated']}")
            print(f"  activity Query pages read: {pages}; minimum {minimum_moto} at moto's {MOTO_PAGE:,}-byte pages; "
                  f"every DynamoDB call: {dict(calls.calls)}; Scan: {calls.scans}")
        # the month's cells, as the rebuild job stores them (computed here from the same activities:
        # the job's own Query pages through moto cost what the activity path's do)
        from sandglass import keys

        memory.build_cells()
        write([{**keys.rollup_day(org_id, record["day"], record["userId"]), **record, "computedAt": 1} for record in memory.rollups.records]
              + [{**keys.rollup_marker(org_id, "2026-07"), "basis": memory.rollups.basis, "at": 1, "complete": True}])
        repository = ReportRepository()
        service = ReportService(repository, FixedClock(datetime(2026, 8, 5, tzinfo=timezone.utc)))
        with counting() as calls:
            began, cpu = time.perf_counter(), time.process_time()
            result = service.results(memory.admin, month_query(DIMENSIONS))
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        assert result.body["totals"]["count"] == count
        assert from_activities is None or {**result.body, "generatedAt": None} == {**from_activities.body, "generatedAt": None}
        print(f"  month summary from cells end to end: {wall:.2f} s wall, {cpu:.2f} s CPU ({len(memory.rollups.records):,} member-days, "
              f"{repository.rollups.queries} cell Query pages, {repository.stats.queries} activity Query pages); first page "
              f"{body_bytes(result.body) / 1e6:.2f} MB; every DynamoDB call: {dict(calls.calls)}; Scan: {calls.scans}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="activities of the month, comma-separated (in memory)")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--moto-count", type=int, default=100_000, help="activities written to moto for the end-to-end run (0: none)")
    parser.add_argument("--moto-activities", type=int, default=20_000,
                        help="through moto, the summary from activities too when --moto-count is at most this (moto's Query emulation "
                             "slows down with the table's size: the 100 k run from activities took over 20 minutes)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: the bench runs, its figures mean nothing")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.smoke:
        sizes, args.members, args.projects, args.moto_count = [300, 600], 8, 4, 100
    in_memory_table(sizes, args.members, args.projects)
    if args.moto_count > 0:
        through_moto(args.moto_count, args.members, args.projects, args.moto_count <= args.moto_activities)


if __name__ == "__main__":
    main()
