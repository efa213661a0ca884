"""Report cells through the stack: built by the rebuild job, kept from the table's stream (local
emulation) as activities are created, changed and deleted through the API, and read by results
only under the organization's current settings; every result equals the one from activities."""

from __future__ import annotations

import json

import pytest

from sandglass import keys
from sandglass.context import TenantContext
from sandglass.models.reports import ReportQuery, spec_of
from sandglass.repositories import plain_image
from sandglass.repositories.reports import ReportRepository
from sandglass.repositories.rollups import Keeping
from sandglass.services.reports import rollups
from sandglass.services.reports.service import ReportService
from sandglass.services.rollups import CellsNotKept, RollupKeeper
from sandglass.storage.table import Table
from sandglass_local import template as tpl
from sandglass_local.callcounter import counting

ALL_METRICS = ["time", "billable", "revenue", "cost", "profit", "count"]
DEFINITION = {"period": "custom", "start": "2026-07-01T00:00:00+02:00", "end": "2026-07-31T23:59:59.999+02:00",
              "dimensions": ["project", "user", "day"], "metrics": ALL_METRICS}


def compute(world, definition, *, cells: bool):
    """The result computed in process, from cells (when they stand) or from activities only; and the cell pages read."""
    repository = ReportRepository()
    if not cells:
        repository.rollups = None
    tenant = TenantContext(world.org_id, "acme", world.admin_id, world.admin, "Administrator")
    body = ReportService(repository).results(tenant, spec_of(ReportQuery.model_validate(definition))).body
    body.pop("generatedAt")
    return body, (repository.rollups.queries if cells else 0)


def served(world, definition):
    reply = world.results(definition)
    assert reply.status == 200, reply.body
    body = reply.json()
    body.pop("generatedAt")
    return body


def wire(image: dict) -> dict:
    """An activity as a stream image carries it (DynamoDB's wire JSON)."""
    return {name: ({"S": value} if isinstance(value, str) else {"BOOL": value} if isinstance(value, bool) else {"N": str(value)})
            for name, value in image.items() if value is not None}


def cell_items(world, month="2026-07"):
    found = []
    for page in Table().query_all(key_condition="PK = :pk AND begins_with(SK, :prefix)",
                                  values={":pk": keys.org_pk(world.org_id), ":prefix": keys.rollup_month_prefix(month)}):
        found.extend(page)
    return found


@pytest.fixture
def july(world):
    world.cost_rate(world.sam, "40", "2026-01-01T00:00:00.000Z")
    world.revenue_rate(world.p, world.sam, "90", "2026-01-01T00:00:00.000Z")
    for day in range(1, 29, 3):
        world.activity(world.sam, world.p, f"2026-07-{day:02d}T07:00:00.000Z", f"2026-07-{day:02d}T08:10:00.000Z")
        world.activity(world.pia, world.p, f"2026-07-{day:02d}T21:30:00.000Z", f"2026-07-{day + 1:02d}T01:00:00.000Z")  # across midnight
        world.activity(world.sam, world.q, f"2026-07-{day:02d}T09:00:00.000Z", f"2026-07-{day:02d}T09:20:00.000Z")
    return world


def test_a_rebuilt_month_is_read_from_cells_and_equals_the_result_from_activities(july, clock):
    assert compute(july, DEFINITION, cells=True)[1] == 0  # not built: activities
    stored = RollupKeeper().rebuild(july.org_id, "2026-07")
    assert stored == 20  # 10 days of Sam, 10 of Pia (Warsaw days)
    from_cells, pages = compute(july, DEFINITION, cells=True)
    assert pages == 1
    assert from_cells == compute(july, DEFINITION, cells=False)[0]
    assert served(july, DEFINITION) == from_cells
    assert from_cells["totals"]["count"] == 30
    assert all(item["PK"] == f"ORG#{july.org_id}" for item in cell_items(july))  # in the organization's collection: purged with it


def test_the_stream_keeps_cells_as_activities_are_written_changed_and_deleted(july, gateway, api, clock):
    RollupKeeper().rebuild(july.org_id, "2026-07")
    gateway.start_streams()
    created = api.post("/activities", as_="sam@acme.test", org="acme", body={
        "name": "late", "projectId": july.p["id"], "startedAt": "2026-07-03T16:00:00Z", "endedAt": "2026-07-03T17:05:00Z"})
    assert created.status == 200, created.body
    activity_id = created.json()["id"]
    assert served(july, DEFINITION) == compute(july, DEFINITION, cells=False)[0]
    assert compute(july, DEFINITION, cells=True)[1] == 1
    assert served(july, DEFINITION)["totals"]["count"] == 31
    moved = api.put(f"/activities/{activity_id}", as_="sam@acme.test", org="acme",
                    body={"startedAt": "2026-07-20T16:00:00Z", "endedAt": "2026-07-20T18:00:00Z", "projectId": july.q["id"]})
    assert moved.status == 200, moved.body
    assert served(july, DEFINITION) == compute(july, DEFINITION, cells=False)[0]
    days = {item["SK"] for item in cell_items(july)}
    assert f"ROLLUP#2026-07#DAY#2026-07-20#{july.sam['id']}" in days
    assert api.delete(f"/activities/{activity_id}", as_="sam@acme.test", org="acme").status == 200
    assert f"ROLLUP#2026-07#DAY#2026-07-20#{july.sam['id']}" not in {item["SK"] for item in cell_items(july)}  # the day has no activity left
    assert served(july, DEFINITION) == compute(july, DEFINITION, cells=False)[0]
    assert served(july, DEFINITION)["totals"]["count"] == 30


def test_a_redelivered_or_late_record_leaves_the_newest_cells(july, clock):
    RollupKeeper().rebuild(july.org_id, "2026-07")
    before = cell_items(july)
    first = july.activities[0]
    image = wire(first)
    record = {"eventName": "MODIFY", "dynamodb": {"Keys": {"PK": {"S": f"ORG#{july.org_id}"}, "SK": {"S": f"ACTIVITY#{first['id']}"}},
                                                  "NewImage": image, "OldImage": image, "SequenceNumber": "1"}}
    keeper = RollupKeeper()
    assert keeper.on_records([record]) == 1
    assert keeper.on_records([record, record]) == 1  # one member-day, recomputed once a batch
    strip = lambda items: sorted(json.dumps({k: v for k, v in item.items() if k not in ("computedAt", "at")}, default=str) for item in items)
    assert strip(cell_items(july)) == strip(before)
    # a computation that read the table earlier than the stored one does not overwrite it
    stored = next(item for item in cell_items(july) if "#DAY#" in item["SK"])
    assert not keeper.repository.put_day(july.org_id, {**{k: v for k, v in stored.items() if k not in ("PK", "SK", "computedAt")},
                                                      "cells": "[]"}, int(stored["computedAt"]) - 1)


def test_settings_that_change_cells_make_results_read_activities_until_rebuilt(july, clock):
    RollupKeeper().rebuild(july.org_id, "2026-07")
    july.settings(rounding={"enabled": True, "interval": 900000, "mode": "UP"})
    from_activities = compute(july, DEFINITION, cells=False)[0]
    assert compute(july, DEFINITION, cells=True) == (from_activities, 0)  # the old cells are not read
    assert served(july, DEFINITION) == from_activities
    RollupKeeper().rebuild(july.org_id, "2026-07")
    assert compute(july, DEFINITION, cells=True) == (from_activities, 1)
    july.settings(timeZone="America/New_York")
    assert compute(july, DEFINITION, cells=True)[1] == 0


def test_grouping_or_filters_cells_do_not_keep_read_activities(july, clock):
    RollupKeeper().rebuild(july.org_id, "2026-07")
    for definition in ({**DEFINITION, "dimensions": ["approved"]},
                       {**DEFINITION, "filters": [{"field": "name", "operator": "contains", "value": "Wor"}]}):
        assert compute(july, definition, cells=True)[1] == 0
        assert served(july, definition) == compute(july, definition, cells=False)[0]
    for view in ("detailed", "weekly"):
        reply = july.results(DEFINITION, view=view)
        assert reply.status == 200


def test_the_records_own_image_counts_though_the_index_does_not_show_it_yet(july, clock, monkeypatch):
    """The member's partition (an index) may lag the table: the record's new image is what counts."""
    RollupKeeper().rebuild(july.org_id, "2026-07")
    first = july.activities[0]
    moved = {**first, "endedAt": "2026-07-01T09:10:00.000Z"}  # two hours instead of 70 minutes
    record = {"eventName": "MODIFY", "dynamodb": {"Keys": {"PK": {"S": f"ORG#{july.org_id}"}, "SK": {"S": f"ACTIVITY#{first['id']}"}},
                                                  "NewImage": wire(moved), "OldImage": wire(first), "SequenceNumber": "2"}}
    assert RollupKeeper().on_records([record]) == 1  # the table still holds the old activity (as a lagging index would show it)
    day = next(item for item in cell_items(july) if item["SK"] == f"ROLLUP#2026-07#DAY#2026-07-01#{july.sam['id']}")
    # 130 minutes, and the 09:00-09:20 entry now counts from 09:10 (shared time counts once)
    member_day = rollups.from_record(day)
    assert sum(totals.time for totals in member_day.cells.values()) == (130 + 10) * 60_000 and member_day.overlapped


def test_a_month_stored_in_the_first_layout_reads_the_same_and_is_rewritten_compact_as_it_changes(july, clock):
    """Member-days written before the compact ``memberDay`` attribute (one attribute per field) are
    still read, and each is stored compact again when the stream recomputes it (or the month is rebuilt)."""
    RollupKeeper().rebuild(july.org_id, "2026-07")
    compact = compute(july, DEFINITION, cells=True)
    table = Table()
    for item in cell_items(july):
        if "memberDay" in item:
            old = rollups.first_layout_record_of(rollups.from_record(item))
            table.put({keys.PK: item[keys.PK], keys.SK: item[keys.SK], **old, "computedAt": item["computedAt"]})
    assert all("memberDay" not in item and "cells" in item for item in cell_items(july) if "#DAY#" in item["SK"])
    assert compute(july, DEFINITION, cells=True) == compact
    first = july.activities[0]
    record = {"eventName": "MODIFY", "dynamodb": {"Keys": {"PK": {"S": f"ORG#{july.org_id}"}, "SK": {"S": f"ACTIVITY#{first['id']}"}},
                                                  "NewImage": wire(first), "OldImage": wire(first), "SequenceNumber": "3"}}
    assert RollupKeeper().on_records([record]) == 1
    rewritten = [item for item in cell_items(july) if "memberDay" in item]
    assert len(rewritten) == 1 and "cells" not in rewritten[0] and "basis" not in rewritten[0]
    assert compute(july, DEFINITION, cells=True) == compact
    RollupKeeper().rebuild(july.org_id, "2026-07")
    assert all("memberDay" in item and "cells" not in item for item in cell_items(july) if "#DAY#" in item["SK"])
    assert compute(july, DEFINITION, cells=True) == compact


def changed(world, activity: dict, **changes) -> dict:
    """The activity changed in the table (not through the stream), and the stream record of that change."""
    from sandglass.repositories.activities import _stored

    moved = {**activity, **changes}
    Table().put(_stored(world.org_id, moved))
    return {"eventName": "MODIFY", "dynamodb": {"Keys": {"PK": {"S": f"ORG#{world.org_id}"}, "SK": {"S": f"ACTIVITY#{activity['id']}"}},
                                                "NewImage": wire(moved), "OldImage": wire(activity), "SequenceNumber": "4"}}


def sam_day(world, day="2026-07-01"):
    return next(item for item in cell_items(world) if item["SK"] == f"ROLLUP#2026-07#DAY#{day}#{world.sam['id']}")


def test_a_member_day_whose_computation_fails_is_marked_dirty_read_from_activities_and_healed_by_the_redelivery(july, clock, monkeypatch):
    RollupKeeper().rebuild(july.org_id, "2026-07")
    clock.advance(seconds=1)
    record = changed(july, july.activities[0], endedAt="2026-07-01T09:40:00.000Z")  # 160 minutes instead of 70
    failing = RollupKeeper()
    monkeypatch.setattr(failing.repository, "activity_rows", lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("throttled")))
    with pytest.raises(CellsNotKept) as failure:
        failing.on_records([record])
    assert [(day, user_id) for _, day, user_id, _ in failure.value.failed] == [("2026-07-01", july.sam["id"])]
    stale = sam_day(july)
    assert stale["dirty"] and "memberDay" not in stale  # the day's cells are replaced by the mark
    from_activities = compute(july, DEFINITION, cells=False)[0]
    assert compute(july, DEFINITION, cells=True) == (from_activities, 1)  # Sam from activities, Pia from cells
    assert served(july, DEFINITION) == from_activities
    # a computation that read before the failure does not clear the mark
    assert not RollupKeeper().repository.put_day(july.org_id, {"userId": july.sam["id"], "day": "2026-07-01", "memberDay": "[]"},
                                                 int(stale["dirty"]) - 500)
    assert sam_day(july)["dirty"]
    # the stream delivers the batch again: the day is computed and the mark is gone
    clock.advance(seconds=1)
    assert RollupKeeper().on_records([record]) == 1
    assert "dirty" not in sam_day(july)
    assert compute(july, DEFINITION, cells=True) == (from_activities, 1)


def test_a_day_marked_dirty_before_it_had_cells_reads_from_activities_until_the_rebuild_clears_it(july, clock, monkeypatch):
    """A day marked dirty before it had any cells holds only the mark: its member is read from
    activities. The rebuild clears every mark older than itself."""
    RollupKeeper().rebuild(july.org_id, "2026-07")
    new = july.activity(july.sam, july.p, "2026-07-02T10:00:00.000Z", "2026-07-02T11:00:00.000Z")
    record = {"eventName": "INSERT", "dynamodb": {"Keys": {"PK": {"S": f"ORG#{july.org_id}"}, "SK": {"S": f"ACTIVITY#{new['id']}"}},
                                                  "NewImage": wire(new), "SequenceNumber": "5"}}
    failing = RollupKeeper()
    monkeypatch.setattr(failing.repository, "put_day", lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("throttled")))
    with pytest.raises(CellsNotKept):
        failing.on_records([record])
    mark = sam_day(july, "2026-07-02")
    assert mark["dirty"] and "memberDay" not in mark
    from_activities = compute(july, DEFINITION, cells=False)[0]
    assert from_activities["totals"]["count"] == 31
    assert compute(july, DEFINITION, cells=True) == (from_activities, 1)
    clock.advance(seconds=1)
    RollupKeeper().rebuild(july.org_id, "2026-07")
    assert "dirty" not in sam_day(july, "2026-07-02") and "memberDay" in sam_day(july, "2026-07-02")
    assert not any("dirty" in item for item in cell_items(july))
    assert compute(july, DEFINITION, cells=True) == (from_activities, 1)


def test_the_stream_consumer_fails_the_batch_when_a_day_is_not_kept_and_the_redelivery_heals_it(july, gateway, clock, monkeypatch, capsys):
    RollupKeeper().rebuild(july.org_id, "2026-07")
    clock.advance(seconds=1)
    record = changed(july, july.activities[0], endedAt="2026-07-01T09:40:00.000Z")
    record.update({"eventID": "1", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1"})
    record["dynamodb"]["ApproximateCreationDateTime"] = 1782900000
    original = RollupKeeper.recompute

    def throttled(self, *args, **kwargs):
        raise RuntimeError("throttled")

    monkeypatch.setattr(RollupKeeper, "recompute", throttled)
    capsys.readouterr()
    with pytest.raises(CellsNotKept):
        gateway.invoke("ChangesStreamFunction", {"Records": [record]})
    assert sam_day(july)["dirty"]
    # the metric the template's RollupDaysDirtyAlarm watches: its namespace, name and dimensions
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    dirty = [line for line in emitted if "RollupDaysDirty" in line]
    assert len(dirty) == 1 and dirty[0]["RollupDaysDirty"] in (1.0, [1.0])
    alarm = tpl.load()["Resources"]["RollupDaysDirtyAlarm"]["Properties"]
    (metrics,) = dirty[0]["_aws"]["CloudWatchMetrics"]
    assert metrics["Namespace"] == alarm["Namespace"] and alarm["MetricName"] in {m["Name"] for m in metrics["Metrics"]}
    assert metrics["Dimensions"] == [[d["Name"] for d in alarm["Dimensions"]]]
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {"function": {"Ref": "ChangesStreamFunction"}, "service": dirty[0]["service"]}
    assert dirty[0]["function"] == "ChangesStreamFunction"  # the function's name (Ref of the function in a deployment)
    assert compute(july, DEFINITION, cells=True) == (compute(july, DEFINITION, cells=False)[0], 1)
    monkeypatch.setattr(RollupKeeper, "recompute", original)
    clock.advance(seconds=1)
    assert gateway.invoke("ChangesStreamFunction", {"Records": [record]}) == {"batchItemFailures": []}
    assert "dirty" not in sam_day(july)


def test_a_batch_reads_its_organizations_and_month_markers_in_one_call(july, clock):
    """Whatever a batch holds (several activities, members, days, months and organizations), the
    organizations and month markers that decide what it keeps are one BatchGetItem; then each kept
    member-day costs one Query and one write, and a month not kept costs nothing more."""
    RollupKeeper().rebuild(july.org_id, "2026-07")
    clock.advance(seconds=1)
    sam_first, pia_first, sam_other = july.activities[0], july.activities[1], july.activities[2]
    records = [changed(july, sam_first, endedAt="2026-07-01T09:40:00.000Z"),  # Sam, 1 July
               changed(july, sam_other, name="renamed"),                        # Sam, 1 July again: the same day
               changed(july, pia_first, name="renamed"),                        # Pia, 1 July
               # 31 July 23:30 UTC is 1 August in Warsaw: August is not kept
               changed(july, july.activities[-1], startedAt="2026-07-31T23:30:00.000Z", endedAt="2026-08-01T00:30:00.000Z"),
               changed(july, july.activities[-2], startedAt="2026-08-10T10:00:00.000Z", endedAt="2026-08-10T11:00:00.000Z")]
    ghost = {"eventName": "INSERT", "dynamodb": {"Keys": {"PK": {"S": "ORG#no-such-organization"}, "SK": {"S": "ACTIVITY#a1"}},
                                                "NewImage": wire({**sam_first, "id": "a1"}), "SequenceNumber": "9"}}
    with counting() as calls:
        kept = RollupKeeper().on_records([*records, ghost])
    moved_from = {(july.activities[-1]["userId"], july.activities[-1]["startedAt"][:10]), (july.activities[-2]["userId"], july.activities[-2]["startedAt"][:10])}
    assert kept == 2 + len(moved_from)  # Sam's and Pia's 1 July, and the July days the last two left (emptied or recomputed)
    assert calls.calls["BatchGetItem"] == 1 and calls.calls["GetItem"] == 0
    assert calls.calls["Query"] == kept and calls.calls["PutItem"] + calls.calls["DeleteItem"] == kept
    assert served(july, DEFINITION) == compute(july, DEFINITION, cells=False)[0]


def test_a_month_the_batch_read_did_not_name_is_read_alone(july, clock):
    """A month missing from what the batch read (an offset wider than the read allowed for) is
    read with its own GetItem: it is never taken as not kept."""
    RollupKeeper().rebuild(july.org_id, "2026-07")
    clock.advance(seconds=1)
    record = changed(july, july.activities[0], endedAt="2026-07-01T09:40:00.000Z")
    keeper = RollupKeeper()
    organization = keeper.repository.organization(july.org_id)
    change = (july.activities[0]["id"], plain_image(record["dynamodb"]["OldImage"]), plain_image(record["dynamodb"]["NewImage"]))
    with counting() as calls:
        assert keeper.activity_changed(july.org_id, [change], Keeping(organizations={july.org_id: organization}, kept={})) == 1
    assert calls.calls["GetItem"] == 1 and "BatchGetItem" not in calls.calls  # the marker of July, alone
    assert served(july, DEFINITION) == compute(july, DEFINITION, cells=False)[0]
