"""Purges never stall: throttled batch writes back off and give up with Throttled, a failed pass is
reported as that record's batch item failure (the others finish), and the scheduled sweep resumes
the job the stream stopped driving."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from sandglass_local.gateway import job_record
from tests.conftest import TABLE

ADMIN = "admin@acme.test"


def _throttle_error(operation: str):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, operation)


@pytest.fixture
def waits(gateway, monkeypatch):
    """The backoff delays the table would sleep, recorded instead of slept."""
    from sandglass.storage import retry

    recorded: list[float] = []
    monkeypatch.setattr(retry, "sleep", recorded.append)
    return recorded


def _put_notes(client, org_id: str, count: int) -> list[dict]:
    items = [{"PK": f"ORG#{org_id}", "SK": f"NOTE#{i:04d}"} for i in range(count)]
    for start in range(0, count, 25):
        client.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]})
    return items


def test_unprocessed_items_are_retried_with_growing_jittered_backoff(api, acme, seed, table, waits, monkeypatch):
    from sandglass.storage import retry
    from sandglass.storage.table import Table, client

    org_id = seed.org_id("acme")
    items = _put_notes(table, org_id, 20)
    real = client().batch_write_item
    calls = []

    def partly_throttled(**params):
        calls.append(params)
        if len(calls) <= 3:  # DynamoDB's partial answer: nothing written, all handed back
            return {"UnprocessedItems": params["RequestItems"]}
        return real(**params)

    monkeypatch.setattr(client(), "batch_write_item", partly_throttled)
    monkeypatch.setattr(retry.random, "uniform", lambda low, high: high)  # the jitter's upper bound
    Table().batch_delete([{"PK": i["PK"], "SK": i["SK"]} for i in items])
    assert len(calls) == 4
    assert waits == [0.05, 0.1, 0.2]  # exponential: base * 2**attempt (then jittered down to [0, that])
    left = table.query(TableName=TABLE, KeyConditionExpression="PK = :pk AND begins_with(SK, :n)", ExpressionAttributeValues={":pk": f"ORG#{org_id}", ":n": "NOTE#"})
    assert left["Items"] == []


def test_backoff_is_jittered_and_capped():
    from sandglass.storage.retry import UNPROCESSED

    delays = [UNPROCESSED.delay(attempt) for attempt in range(20) for _ in range(20)]
    assert all(0 <= d <= UNPROCESSED.cap_seconds for d in delays)
    assert len({round(d, 6) for d in delays}) > 100  # jittered, not a fixed schedule


def test_keys_never_processed_end_in_throttled_not_a_loop(gateway, waits, monkeypatch):
    from sandglass.errors import Throttled
    from sandglass.storage.retry import UNPROCESSED
    from sandglass.storage.table import Table, client

    calls = []

    def never(**params):
        calls.append(1)
        assert len(calls) < 100, "unbounded retry loop"
        return {"UnprocessedItems": params["RequestItems"]} if "RequestItems" in params and calls else {}

    monkeypatch.setattr(client(), "batch_write_item", never)
    with pytest.raises(Throttled):
        Table().batch_delete([{"PK": "ORG#x", "SK": "NOTE#1"}])
    assert len(calls) == UNPROCESSED.attempts and len(waits) == UNPROCESSED.attempts - 1

    def never_get(**params):
        calls.append(1)
        assert len(calls) < 200, "unbounded retry loop"
        return {"Responses": {}, "UnprocessedKeys": params["RequestItems"]}

    monkeypatch.setattr(client(), "batch_get_item", never_get)
    with pytest.raises(Throttled):
        Table().batch_get([{"PK": "ORG#x", "SK": "NOTE#1"}])


def test_batch_get_collects_items_across_unprocessed_retries(api, acme, seed, table, waits, monkeypatch):
    from sandglass.storage.table import Table, client

    org_id = seed.org_id("acme")
    items = _put_notes(table, org_id, 3)
    real = client().batch_get_item
    calls = []

    def one_at_a_time(**params):
        calls.append(1)
        request = params["RequestItems"][TABLE]
        first, rest = request["Keys"][:1], request["Keys"][1:]
        response = real(RequestItems={TABLE: {"Keys": first}})
        if rest:
            response["UnprocessedKeys"] = {TABLE: {"Keys": rest}}
        return response

    monkeypatch.setattr(client(), "batch_get_item", one_at_a_time)
    found = Table().batch_get([{"PK": i["PK"], "SK": i["SK"]} for i in items])
    assert sorted(f["SK"] for f in found) == [i["SK"] for i in items]
    assert len(calls) == 3 and len(waits) == 2


def _jobs(table) -> list[dict]:
    return table.query(TableName=TABLE, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": "JOBS"})["Items"]


def _partition(table, org_id: str) -> list[dict]:
    return table.query(TableName=TABLE, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"ORG#{org_id}"})["Items"]


def test_failed_page_is_reported_alone_then_resumed_by_the_sweep(api, acme, seed, gateway, table, waits, monkeypatch, capsys):
    from sandglass.clock import FixedClock, SystemClock, set_clock
    from sandglass.services.purge import PURGE_GRACE
    from sandglass.storage.table import client

    api.signup("globex", "boss@globex.test")
    acme_id, globex_id = seed.org_id("acme"), seed.org_id("globex")
    _put_notes(table, acme_id, 30)
    assert api.delete("/organization", as_=ADMIN, org="acme").status == 200
    assert api.delete("/organization", as_="boss@globex.test", org="globex").status == 200
    jobs = sorted(_jobs(table), key=lambda job: acme_id in job["SK"], reverse=True)  # acme's first
    assert len(jobs) == 2 and acme_id in jobs[0]["SK"]

    real = client().batch_write_item
    throttled = []

    def throttle_acme(**params):
        if any(acme_id in json.dumps(request) for request in params["RequestItems"][TABLE]):
            throttled.append(1)
            raise _throttle_error("BatchWriteItem")
        return real(**params)

    monkeypatch.setattr(client(), "batch_write_item", throttle_acme)
    records = [job_record(job, n) for n, job in enumerate(jobs)]
    capsys.readouterr()
    set_clock(FixedClock(datetime.now(timezone.utc) + PURGE_GRACE))  # the grace period is over (a first pass waits)
    try:
        response = gateway.invoke("PurgeFunction", {"Records": records})
    finally:
        set_clock(SystemClock())
    # only acme's record failed: Lambda retries from it (and, retries spent, sends it to the queue)
    assert response == {"batchItemFailures": [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]}
    assert throttled
    assert [job["SK"] for job in _jobs(table)] == [jobs[0]["SK"]]
    assert _partition(table, globex_id) == []
    assert len(_partition(table, acme_id)) > 30  # nothing of acme's went
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert any(m.get("PurgePassFailures") in (1.0, [1.0]) and m.get("PurgePasses") in (1.0, [1.0]) for m in emitted)

    # the throttling ends; the stream gave up on the record. The job never moved, so the next sweep
    # (here 11 minutes later) resumes and finishes it
    monkeypatch.setattr(client(), "batch_write_item", real)
    set_clock(FixedClock(datetime.now(timezone.utc) + timedelta(minutes=11)))
    try:
        swept = gateway.invoke("PurgeFunction", {"sweep": "jobs", "scheduledTime": "2026-07-15T12:15:00Z"})
    finally:
        set_clock(SystemClock())
    assert swept["sweep"] == {"pending": 1, "resumed": 1, "finished": 1, "failed": 0}
    assert _jobs(table) == [] and _partition(table, acme_id) == []


def test_sweep_keeps_going_when_one_job_fails(api, acme, seed, gateway, table, monkeypatch):
    from sandglass.clock import FixedClock, SystemClock, set_clock
    from sandglass.storage.table import client

    api.signup("globex", "boss@globex.test")
    acme_id = seed.org_id("acme")
    api.delete("/organization", as_=ADMIN, org="acme")
    api.delete("/organization", as_="boss@globex.test", org="globex")
    real = client().batch_write_item

    def throttle_acme(**params):
        if any(acme_id in json.dumps(request) for request in params["RequestItems"][TABLE]):
            raise _throttle_error("BatchWriteItem")
        return real(**params)

    monkeypatch.setattr(client(), "batch_write_item", throttle_acme)
    set_clock(FixedClock(datetime.now(timezone.utc) + timedelta(hours=1)))
    try:
        swept = gateway.invoke("PurgeFunction", {"sweep": "jobs"})
    finally:
        set_clock(SystemClock())
    assert swept["sweep"] == {"pending": 2, "resumed": 2, "finished": 1, "failed": 1}
    assert [acme_id in job["SK"] for job in _jobs(table)] == [True]


def test_stream_mapping_reports_failures_and_has_a_destination():
    from sandglass_local import template as tpl

    purge = tpl.load()["Resources"]["PurgeFunction"]["Properties"]
    stream = purge["Events"]["JobWritten"]["Properties"]
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["BisectBatchOnFunctionError"] is True
    assert stream["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    sweep = purge["Events"]["Sweep"]
    assert sweep["Type"] == "ScheduleV2" and sweep["Properties"]["ScheduleExpression"] == "rate(15 minutes)"
    assert json.loads(sweep["Properties"]["Input"].replace("<aws.scheduler.scheduled-time>", "t"))["sweep"]
