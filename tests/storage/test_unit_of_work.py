"""The unit of work commits staged writes together, maps failed conditions to the domain error
staged with them, and refuses what DynamoDB would refuse before calling it."""

import pytest

from sandglass.errors import Conflict, NotFound
from sandglass.storage.transaction import UnitOfWork

ORG = "ORG#u1"


def _item(table, sk):
    return table.get_item(TableName="sandglass-test", Key={"PK": ORG, "SK": sk}).get("Item")


@pytest.fixture
def tx(gateway):
    return UnitOfWork()


def test_staged_writes_land_together(tx, table):
    tx.put({"PK": ORG, "SK": "NOTE#1", "n": 1}, "attribute_not_exists(PK)")
    tx.put({"PK": ORG, "SK": "NOTE#2", "n": 2})
    assert _item(table, "NOTE#1") is None  # nothing before commit
    tx.commit()
    assert _item(table, "NOTE#1")["n"] == 1 and _item(table, "NOTE#2")["n"] == 2
    assert len(tx) == 0


def test_a_failed_condition_raises_its_error_and_writes_nothing(tx, table):
    first = UnitOfWork()
    first.put({"PK": ORG, "SK": "NOTE#1"})
    first.commit()
    tx.put({"PK": ORG, "SK": "NOTE#2"})
    tx.check({"PK": ORG, "SK": "NOTE#1"}, "attribute_not_exists(PK)", fail=Conflict("taken", code="TAKEN"))
    with pytest.raises(Conflict) as raised:
        tx.commit()
    assert raised.value.code == "TAKEN"
    assert _item(table, "NOTE#2") is None


def test_one_staged_write_is_a_plain_conditional_write(tx, table):
    tx.update({"PK": ORG, "SK": "NOTE#9"}, "SET n = :n", values={":n": 1}, condition="attribute_exists(PK)", fail=NotFound("no note"))
    with pytest.raises(NotFound):
        tx.commit()
    assert _item(table, "NOTE#9") is None


def test_two_actions_on_one_item_are_refused_before_calling_dynamodb(tx):
    tx.put({"PK": ORG, "SK": "NOTE#1"})
    assert tx.stages({"PK": ORG, "SK": "NOTE#1"})
    with pytest.raises(ValueError):
        tx.delete({"PK": ORG, "SK": "NOTE#1"})
