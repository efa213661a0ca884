"""The pure decisions of the activity writes and of re-rates: no storage, no clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from msgspec.structs import replace

from sandglass.context import TenantContext
from sandglass.entities.activities import Activity, IdempotencyRecord, RateRef, RateSnapshot
from sandglass.entities.projects import ProjectMembership
from sandglass.errors import Forbidden, NotFound, ValidationFailed
from sandglass.models.activities import ActivityCreate, ActivityUpdate, activity_view
from sandglass.models.rerates import RerateRequest
from sandglass.repositories.activities import ReadSet, attributes_of, from_item, idempotency_from_item, idempotency_item, to_item
from sandglass.repositories.rates import from_item as rate_item
from sandglass.repositories.organizations import organization_from_item, settings_from_item
from sandglass.services import rerate
from sandglass.services.activities import decide
from sandglass.services.activities.rules import Interval, overlaps

UTC = timezone.utc
NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
P, Q = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
SAM, PIA = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"
SAM_T = TenantContext("org", "acme", SAM, "sam@acme.test", "User")
ADMIN_T = TenantContext("org", "acme", PIA, "pia@acme.test", "Administrator")
ORGANIZATION = {"maxActivityHours": 24}


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, 15, hour, minute, tzinfo=UTC)


def reads(**kwargs) -> ReadSet:
    base = ReadSet(organization=organization_from_item({"id": "org", **ORGANIZATION}), projects={P: {"id": P, "billable": True}},
                   memberships={(P, SAM): ProjectMembership(id="m", project_id=P, user_id=SAM)}, users={SAM: {"id": SAM}})
    return replace(base, **kwargs)


ENTRY = Activity(id="a", user_id=SAM, project_id=P, started_at=at(8), ended_at=at(9), name="Work", version=3)


# --- create ------------------------------------------------------------------------------------------------

def test_a_create_intent_is_parsed_and_authorized_before_any_read():
    intent = decide.create_intent(SAM_T, ActivityCreate(projectId=P, pending=True), None, NOW)
    assert intent.running and intent.started == NOW and intent.ended is None and intent.target == SAM
    with pytest.raises(Forbidden):
        decide.create_intent(SAM_T, ActivityCreate(projectId=P, userId=PIA, pending=True), None, NOW)
    with pytest.raises(ValidationFailed) as refused:
        decide.create_intent(SAM_T, ActivityCreate(projectId=P), "", NOW)
    assert {d["field"] for d in refused.value.details} == {"startedAt", "endedAt", "Idempotency-Key"}
    keyed = decide.create_intent(SAM_T, ActivityCreate(projectId=P, pending=True), "k", NOW)
    assert keyed.key_hash and keyed.body_hash


def test_create_checks_the_reads_and_builds_the_entity():
    intent = decide.create_intent(SAM_T, ActivityCreate(projectId=P, startedAt=at(8), endedAt=at(9)), None, NOW)
    decide.check_create(SAM_T, intent, reads())
    with pytest.raises(ValidationFailed):
        decide.check_create(SAM_T, intent, reads(memberships={}))
    with pytest.raises(NotFound):
        decide.check_create(SAM_T, intent, reads(organization=None))
    snapshot = RateSnapshot(cost=RateRef(currency="EUR", value=Decimal(30), rate_id="r"))
    activity = decide.new_activity(SAM_T, intent, {"billable": True}, activity_id="x", now=NOW, snapshot=snapshot, geofence_id="g")
    assert (activity.billable, activity.version, activity.created_by, activity.rate_snapshot, activity.geofence_id) == (True, 1, SAM, snapshot, "g")
    assert not activity.running


def test_an_idempotent_replay_needs_the_same_body_and_an_unexpired_record():
    intent = decide.create_intent(SAM_T, ActivityCreate(projectId=P, pending=True), "k", NOW)
    record = decide.idempotency_record(SAM_T, intent, ENTRY, ["b"], NOW - timedelta(hours=23, seconds=59))
    assert (record.user_id, record.key_hash, record.request_hash) == (SAM, intent.key_hash, intent.body_hash)
    replayed = decide.replayed(record, intent, NOW)
    assert (replayed.activity, replayed.version, replayed.overlapping) == (ENTRY, ENTRY.version, ["b"])
    assert decide.replayed(replace(record, expires_at=NOW - timedelta(seconds=1)), intent, NOW) is None
    with pytest.raises(ValidationFailed):
        decide.replayed(replace(record, request_hash="other"), intent, NOW)
    assert decide.idempotency_record(SAM_T, decide.create_intent(SAM_T, ActivityCreate(projectId=P, pending=True), None, NOW), ENTRY, [], NOW) is None


def test_an_idempotency_record_keeps_the_created_activity_and_reads_records_that_kept_the_answer():
    record = IdempotencyRecord(user_id=SAM, key_hash="k", request_hash="h", activity=ENTRY, overlapping=("b",), created_at=NOW,
                               expires_at=NOW + timedelta(hours=24))
    item = idempotency_item(record)
    assert (item["userId"], item["keyHash"], item["activityId"], item["expiresAt"]) == (SAM, "k", ENTRY.id, int(NOW.timestamp()) + 86400)
    assert idempotency_from_item(item) == record
    # written before records kept the activity: the Sandtime answer (the stored names), version and number beside it
    legacy = {**{name: value for name, value in item.items() if name != "activity"}, "response": activity_view(ENTRY)}
    assert activity_view(idempotency_from_item(legacy).activity) == activity_view(ENTRY)


# --- update ------------------------------------------------------------------------------------------------

def test_update_rights():
    intent = decide.update_intent(SAM_T, ActivityUpdate(name="x"), ENTRY)
    decide.check_update_rights(SAM_T, ENTRY, reads(), intent)
    with pytest.raises(Forbidden):
        decide.check_update_rights(SAM_T, ENTRY, reads(), decide.update_intent(SAM_T, ActivityUpdate(locked=True), ENTRY))
    with pytest.raises(NotFound):  # another member's entry on a project Sam does not administer
        other = replace(ENTRY, user_id=PIA)
        decide.check_update_rights(SAM_T, other, reads(), decide.update_intent(SAM_T, ActivityUpdate(name="x"), other))
    assert decide.memberships_needed(SAM_T, ENTRY, decide.update_intent(SAM_T, ActivityUpdate(projectId=Q), ENTRY)) == {(Q, SAM)}


def test_stopping_a_running_timer_and_restating_it():
    running = replace(ENTRY, ended_at=None)
    intent = decide.update_intent(SAM_T, ActivityUpdate(pending=False), running)
    times = decide.updated_times(SAM_T, ActivityUpdate(pending=False), running, intent, reads(), NOW)
    assert times.stopping and times.ended == NOW and not decide.moves_times(times)
    restated = ActivityUpdate(endedAt=None)
    same = decide.updated_times(SAM_T, restated, running, decide.update_intent(SAM_T, restated, running), reads(), NOW)
    assert same.ended is None and not same.stopping and "endedAt" not in same.fields
    with pytest.raises(ValidationFailed):  # a stopped entry cannot lose its end
        decide.updated_times(SAM_T, restated, ENTRY, decide.update_intent(SAM_T, restated, ENTRY), reads(), NOW)


def test_an_update_produces_the_next_version_and_says_when_rates_are_kept_again():
    request = ActivityUpdate(name="Renamed", startedAt=at(7))
    intent = decide.update_intent(SAM_T, request, ENTRY)
    times = decide.updated_times(SAM_T, request, ENTRY, intent, reads(), NOW)
    updated = decide.updated_activity(SAM_T, request, ENTRY, intent, times, NOW)
    assert (updated.name, updated.started_at, updated.ended_at, updated.version, updated.updated_at) == ("Renamed", at(7), at(9), 4, NOW)
    assert decide.needs_rates(ENTRY, updated) and decide.moves_times(times)
    assert not decide.needs_rates(ENTRY, replace(ENTRY, name="x"))
    with pytest.raises(ValidationFailed):  # longer than the organization allows
        late = ActivityUpdate(endedAt=at(8) + timedelta(hours=25))
        decide.updated_times(SAM_T, late, ENTRY, decide.update_intent(SAM_T, late, ENTRY), reads(), NOW)


def test_overlaps_meet_in_more_than_an_instant():
    others = [Interval("b", at(9), at(10)), Interval("c", at(7), at(8, 30)), Interval("d", at(11), None)]
    assert [o.id for o in overlaps(at(8), at(9), others)] == ["c"]
    assert [o.id for o in overlaps(at(8), None, others)] == ["c", "b", "d"]
    assert overlaps(at(8), at(9), others, exclude={"c"}) == []


# --- item <-> entity ---------------------------------------------------------------------------------------

def test_an_activity_round_trips_through_its_item():
    activity = replace(ENTRY, created_at=NOW, updated_at=NOW, locked=True, geofence_id="g",
                       rate_snapshot=RateSnapshot(revenue=RateRef(currency="EUR", value=Decimal("100.5"), rate_id="r")))
    item = to_item("org", activity)
    assert item["PK"] == "ORG#org" and item["startedAt"] == "2026-07-15T08:00:00.000Z" and "pending" not in item
    assert item["rateSnapshot"] == {"revenue": {"currency": "EUR", "value": Decimal("100.5"), "rateId": "r"}}
    assert from_item(item) == activity
    running = replace(ENTRY, ended_at=None)
    assert attributes_of(running)["pending"] is True and from_item(to_item("org", running)) == running
    assert from_item({**to_item("org", ENTRY), "rateSnapshot": {}}).rate_snapshot == RateSnapshot()


# --- re-rates ----------------------------------------------------------------------------------------------

def test_a_rerate_plans_only_entries_whose_kept_rates_differ():
    request = RerateRequest.model_validate({"from": "2026-07-01T00:00:00Z", "to": "2026-08-01T00:00:00Z"})
    selection = rerate.parse_selection(request)
    row = {"id": "a", "userId": SAM, "projectId": P, "startedAt": "2026-07-15T08:00:00.000Z", "endedAt": "2026-07-15T09:00:00.000Z", "billable": True}
    window = rate_item({"id": "w", "userId": SAM, "currency": "EUR", "value": Decimal(120), "from": "2026-01-01T00:00:00.000Z", "to": None})
    kept = RateSnapshot(revenue=RateRef(currency="EUR", value=Decimal(100), rate_id="old"))
    windows = rerate.Windows({(P, SAM): [window]}, {})
    planned = rerate.plan(selection, settings_from_item({"timeZone": "UTC"}), [row], {"a": replace(ENTRY, rate_snapshot=kept)}, windows, {})
    entry = planned.entries[0]
    assert (entry.revenue.old.amount, entry.revenue.new.amount, entry.version) == (Decimal("100.00"), Decimal("120.00"), 3)
    assert planned.totals.revenue.new == {"EUR": Decimal("120.00")} and planned.totals.cost.new == {}
    assert [entry.snapshot for entry in planned.entries] == [RateSnapshot(revenue=RateRef(currency="EUR", value=Decimal(120), rate_id="w"))]
    same = rerate.plan(selection, settings_from_item({}), [row], {"a": replace(ENTRY, rate_snapshot=planned.entries[0].snapshot)}, windows, {})
    assert same.entries == ()
    locked = rerate.plan(selection, settings_from_item({}), [row], {"a": ENTRY}, windows, {SAM: ({date(2026, 7, 15)}, set())})
    assert locked.locked_entries == 1
    with pytest.raises(ValidationFailed):
        rerate.parse_selection(RerateRequest.model_validate({"from": "2026-07-01T00:00:00Z", "to": "2026-07-01T00:00:00Z"}))
