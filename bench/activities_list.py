"""Benchmark: list 10,000 activities of one member in one month (moto in-process).

Seeds with BatchWriteItem (not through the API, to stay fast), then pages through
GET /activities the way the service does: the member's own list (GSI1) and the organization
Administrator's month list (GSI3), at the default and the maximum page size. Prints figures;
asserts nothing.

    python bench/activities_list.py [count]
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("DYNAMODB_ENDPOINT", None)
os.environ["TABLE_NAME"] = "sandglass-bench"
os.environ["JWT_SECRET"] = "bench-secret-that-is-long-enough-for-hs256"

from datetime import datetime, timedelta, timezone  # noqa: E402

from moto import mock_aws  # noqa: E402


def main(count: int = 10_000) -> None:
    with mock_aws():
        import boto3

        from sandglass import ids
        from sandglass.context import TenantContext
        from sandglass.repositories.activities import _stored
        from sandglass.services.activities import ActivityQuery, ActivityService
        from sandglass.settings import reset_settings
        from sandglass.storage.table import client, reset_client
        from sandglass.timefmt import iso
        from sandglass_local import template as tpl
        from sandglass_local.callcounter import counting

        reset_settings()
        reset_client()
        tpl.create_table(boto3.client("dynamodb"), "sandglass-bench")
        org_id, project_id = ids.new_id(), ids.new_id()
        user_id = ids.member_id(org_id, "sam@bench.test")
        admin_id = ids.member_id(org_id, "admin@bench.test")
        month_start = datetime(2026, 7, 1, tzinfo=timezone.utc)
        step = timedelta(days=31) / count

        started = time.perf_counter()
        items = []
        for n in range(count):
            start = month_start + step * n
            items.append(_stored(org_id, {
                "id": ids.new_id(), "name": f"Entry {n}", "projectId": project_id, "userId": user_id, "billable": True,
                "startedAt": iso(start), "endedAt": iso(start + min(step, timedelta(hours=1))), "version": 1,
            }))
        dynamodb = client()
        for offset in range(0, len(items), 25):
            request = {"sandglass-bench": [{"PutRequest": {"Item": item}} for item in items[offset:offset + 25]]}
            while request:
                request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or None
        print(f"seeded {count} activities of one member in 2026-07 in {time.perf_counter() - started:.1f} s (BatchWriteItem)")

        service = ActivityService()
        from sandglass.models.activities import activity_view
        from sandglass.repositories.activities import ActivityPage, entities
        from sandglass.services.activities.listing import _listed

        began = time.perf_counter()
        listed = _listed(ActivityPage(entities(items[:count]), None))
        shaped = {activity_id: activity_view(activity) for activity_id, activity in listed.activities.items()}  # as the handler answers
        print(f"service-side shaping of {len(shaped)} items (no DynamoDB): {(time.perf_counter() - began) * 1000:.0f} ms "
              "- the rest of each figure below is moto's in-process Query emulation")
        member = TenantContext(org_id, "bench", user_id, "sam@bench.test", "User")
        admin = TenantContext(org_id, "bench", admin_id, "admin@bench.test", "Administrator")
        window = {"lower": datetime(2026, 7, 1, tzinfo=timezone.utc), "upper": datetime(2026, 8, 1, tzinfo=timezone.utc)}
        for label, tenant, limit in (("member list (GSI1)", member, 200), ("member list (GSI1)", member, 1000),
                                     ("org admin month list (GSI3)", admin, 200), ("org admin month list (GSI3)", admin, 1000)):
            total, requests, cursor = 0, 0, None
            with counting() as calls:
                began = time.perf_counter()
                while True:
                    page = service.list(tenant, ActivityQuery(limit=limit, cursor=cursor, **window))
                    total += len(page.activities)
                    requests += 1
                    cursor = page.cursor
                    if not cursor:
                        break
                elapsed = time.perf_counter() - began
            print(f"{label:30s} limit={limit:4d}: {total} activities, {requests} requests, "
                  f"{calls.calls['Query']} Query pages, {calls.scans} Scan, {elapsed:.2f} s "
                  f"({elapsed / requests * 1000:.0f} ms/request)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
