"""Storage: signed cursors, conditional writes mapped to domain errors, key prefixes."""

from __future__ import annotations

import pytest

from sandglass.errors import BadRequest, Conflict
from sandglass.storage import cursor
from sandglass.storage import table as db


def test_cursor_round_trip_and_binding(gateway):
    from decimal import Decimal

    last_key = {"PK": "ORG#o1", "SK": "ACT#1", "n": Decimal("3")}
    token = cursor.encode(last_key, org_id="o1", scope="activities:u1")
    assert cursor.decode(token, org_id="o1", scope="activities:u1") == last_key
    with pytest.raises(BadRequest):
        cursor.decode(token, org_id="o2", scope="activities:u1")  # another organization
    with pytest.raises(BadRequest):
        cursor.decode(token, org_id="o1", scope="activities:u2")  # another query
    for forged in ["", "abc", token[:-3], token + "x", "!!!!"]:
        with pytest.raises(BadRequest):
            cursor.decode(forged, org_id="o1", scope="activities:u1")


def test_query_page_with_cursor(gateway):
    table = db.Table()
    for i in range(5):
        table.put({"PK": "ORG#o1", "SK": f"ITEM#{i}"})
    first = table.query_page(org_id="o1", scope="items", key_condition="PK = :pk", values={":pk": "ORG#o1"}, limit=3)
    assert [i["SK"] for i in first.items] == ["ITEM#0", "ITEM#1", "ITEM#2"] and first.cursor
    second = table.query_page(org_id="o1", scope="items", key_condition="PK = :pk", values={":pk": "ORG#o1"}, limit=3, cursor=first.cursor)
    assert [i["SK"] for i in second.items] == ["ITEM#3", "ITEM#4"] and second.cursor is None
    with pytest.raises(BadRequest):
        table.query_page(org_id="o2", scope="items", key_condition="PK = :pk", values={":pk": "ORG#o1"}, limit=3, cursor=first.cursor)


def test_conditional_failures_raise_the_callers_error(gateway):
    table = db.Table()
    table.put({"PK": "X", "SK": "1"}, "attribute_not_exists(PK)")
    with pytest.raises(Conflict, match="taken"):
        table.put({"PK": "X", "SK": "1"}, "attribute_not_exists(PK)", fail=Conflict("taken"))
    with pytest.raises(Conflict, match="second"):
        table.transact([
            db.put({"PK": "Y", "SK": "1"}, "attribute_not_exists(PK)", fail=Conflict("first")),
            db.put({"PK": "X", "SK": "1"}, "attribute_not_exists(PK)", fail=Conflict("second")),
        ])
    assert table.get({"PK": "Y", "SK": "1"}) is None  # all or nothing
