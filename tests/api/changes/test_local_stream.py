"""The local stream emulation keeps what a reader may still read, not the table's history: its memory
stays flat however many records it delivers (measured figures: docs/changes.md)."""

from __future__ import annotations

import gc

import pytest
from botocore.exceptions import ClientError

from tests.api.changes.conftest import ADMIN
from tests.conftest import TABLE


def _moto():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"], dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


def test_delivered_records_and_used_iterators_are_released(api, streaming, acme, feed):
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord, Table

    for n in range(40):
        assert api.post("/projects", as_=ADMIN, org="acme", body={"name": f"Project {n}"}).status == 200
    dynamodb, streams = _moto()
    assert dynamodb.get_table(TABLE).stream_shard.items == []  # every record read is released
    assert len(streams.shard_iterators) == 1  # the pump's next iterator; the used ones are dropped
    assert Item.instances_tracked == StreamRecord.instances_tracked == Table.instances_tracked == []  # moto keeps no history
    changes, _ = feed()
    assert len([change for change in changes if change["entityType"] == "project"]) == 40


def test_a_cancelled_transaction_neither_copies_the_table_nor_stops_the_stream(api, streaming, acme, feed, table):
    from moto.dynamodb.models.table import Table

    missing = {"PK": "NOTHING", "SK": "HERE"}  # this client takes plain values
    with pytest.raises(ClientError) as cancelled:
        table.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"PK": "SCRATCH", "SK": "1"}}},
            {"ConditionCheck": {"TableName": TABLE, "Key": missing, "ConditionExpression": "attribute_exists(PK)"}}])
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    created = api.post("/projects", as_=ADMIN, org="acme", body={"name": "After the cancel"})
    assert created.status == 200
    changes, _ = feed()
    assert created.json()["id"] in {change["entityId"] for change in changes}
    gc.collect()
    assert len([found for found in gc.get_objects() if isinstance(found, Table)]) == 1
