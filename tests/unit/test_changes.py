"""The change log's pure rules: which items are entities, and what one stream record records."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sandglass import keys
from sandglass.services.changes import FeedCursor, change_from_record, cursor_expired, owner_of, parse_types
from sandglass.errors import ValidationFailed

ORG = "0b9c1a52-6d0e-4f43-9f58-3c5b1c7e0a11"


@pytest.mark.parametrize(("sort", "expected"), [
    ("ORG", ("organization", ORG)),
    ("ACTIVITY#a1", ("activity", "a1")),
    ("USER#u1", ("member", "u1")),
    ("PROJECT#p1", ("project", "p1")),
    ("PROJECT#p1#MEMBER#m1", ("projectMember", "m1")),
    ("REVRATES#p1#m1#r1", ("revenueRate", "r1")),
    ("COSTRATES#u1#r1", ("costRate", "r1")),
    ("PREFS#u1", ("preferences", "u1")),
    ("LOCKS#USER#u1", ("memberLocks", "u1")),
    ("LOCKS#ORG", ("organizationLocks", ORG)),
    ("WEEKLOCK#l1", ("weekLock", "l1")),
    ("REPORT#r1", ("report", "r1")),
    ("REQUEST#q1", ("request", "q1")),
    ("GEOFENCE#g1", ("geofence", "g1")),
])
def test_entity_items_are_classified(sort, expected):
    assert keys.classify_change(keys.org_pk(ORG), sort) == (ORG, *expected)


@pytest.mark.parametrize("sort", [
    "TIMER#u1", "ENTRIES#u1", "IDEMPOTENCY#u1#h", "MONTH#2026-07", "DUE#auto-lock", "REMINDER#2026-W27#u1",
    "REVRATES#p1#m1", "COSTRATES#u1", "REQPENDING#x#y", "SIGNIN#digest", "GEOCELL#u3q#g1", "BILLING#SEATS",
    "WATERMARK#2026#c", "RERATE#2026#r", "CHANGE#0000000001", "PROJECT#p1#OTHER#x", "LOCALPAY#SUB#s",
    "INT#activity#17", "INT#person#1", "INTSEQ#activity", "INTSEQ#project",
])
def test_markers_fences_records_and_the_log_are_not_entities(sort):
    assert keys.classify_change(keys.org_pk(ORG), sort) is None


def test_platform_items_and_sub_partitions_are_not_entities():
    assert keys.classify_change("JOBS", "purge-org#o#-") is None
    assert keys.classify_change("ACCOUNT#a@b.c", "ORG#o") is None
    assert keys.classify_change(f"ORG#{ORG}#CHANGES", "ACTIVITY#a") is None


def test_positions_sort_as_sequence_numbers_do():
    small, large = keys.change_position("999"), keys.change_position("1000")
    assert len(small) == keys.CHANGE_POSITION_DIGITS and small < large
    assert keys.change_sort_after(small) == keys.change_sort(large)
    assert keys.change_sort_after(None) == keys.CHANGE_SK_PREFIX < keys.change_sort(small) < keys.CHANGE_SORT_END


def _record(event, sort, new=None, old=None, sequence="4200"):
    stream = {"Keys": {"PK": {"S": f"ORG#{ORG}"}, "SK": {"S": sort}}, "SequenceNumber": sequence, "ApproximateCreationDateTime": 1784116800}
    if new is not None:
        stream["NewImage"] = {"PK": {"S": f"ORG#{ORG}"}, "SK": {"S": sort}, "GSI1PK": {"S": "x"}, **new}
    if old is not None:
        stream["OldImage"] = {"PK": {"S": f"ORG#{ORG}"}, "SK": {"S": sort}, **old}
    return {"eventName": event, "dynamodb": stream}


def test_an_insert_records_the_state_without_keys_and_the_actor_and_owner():
    change = change_from_record(_record("INSERT", "ACTIVITY#a1", new={"id": {"S": "a1"}, "userId": {"S": "u1"}, "createdBy": {"S": "admin"},
                                                                      "version": {"N": "1"}}))
    assert change.operation == "created" and change.entity_type == "activity" and change.entity_id == "a1"
    assert change.state == {"id": "a1", "userId": "u1", "createdBy": "admin", "version": 1}
    assert change.actor == "admin" and change.owner == "u1"
    assert change.position == keys.change_position("4200")
    assert change.at == datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)


def test_a_modify_prefers_the_last_writer_and_a_remove_is_a_tombstone():
    modified = change_from_record(_record("MODIFY", "ACTIVITY#a1", new={"id": {"S": "a1"}, "createdBy": {"S": "c"}, "updatedBy": {"S": "u"}}))
    assert modified.operation == "updated" and modified.actor == "u"
    removed = change_from_record(_record("REMOVE", "ACTIVITY#a1", old={"id": {"S": "a1"}, "userId": {"S": "u1"}, "updatedBy": {"S": "u"}}))
    assert removed.tombstone and removed.state is None and removed.entity_id == "a1"
    assert removed.owner == "u1" and removed.actor is None  # who deleted is not on the old image


def test_records_of_non_entities_record_nothing():
    assert change_from_record(_record("INSERT", "TIMER#u1", new={"userId": {"S": "u1"}})) is None
    assert change_from_record(_record("INSERT", "CHANGE#0001", new={"entityType": {"S": "activity"}})) is None


def test_owners():
    assert owner_of("member", "u1", {}) == "u1"
    assert owner_of("request", "q1", {"createdBy": "u2", "userId": "u3"}) == "u2"
    assert owner_of("project", "p1", {"name": "x"}) is None


def test_types_are_checked():
    assert parse_types("activity, project,activity") == ("activity", "project")
    assert parse_types(None) == ()
    with pytest.raises(ValidationFailed):
        parse_types("activity,unicorn")


def test_a_cursor_expires_after_the_retention():
    read = datetime(2026, 7, 1, tzinfo=timezone.utc)
    cursor = FeedCursor("1", read)
    assert not cursor_expired(cursor, read + timedelta(days=30))
    assert cursor_expired(cursor, read + timedelta(days=30, seconds=1))
