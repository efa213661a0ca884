"""The embedded DynamoDB's moto patches keep DynamoDB's answers: a cancelled transaction leaves
every item as it was (updated, created and deleted ones alike), a committed one applies whole, and
item results read back as boto3 expects. Run in a subprocess: the patches are process-wide."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent('''
    import os
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    import boto3, pytest
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from sandglass_local import motoundo, template as tpl

    motoundo.install()
    with mock_aws():
        client = boto3.client("dynamodb")
        tpl.create_table(client, "t")
        put = lambda sk, **more: client.put_item(TableName="t", Item={"PK": {"S": "P"}, "SK": {"S": sk}, **more})
        put("A", version={"N": "1"})
        put("D", note={"S": "kept"})
        stream = client.describe_table(TableName="t")["Table"].get("LatestStreamArn")

        def items():
            return {i["SK"]["S"]: i for i in client.query(TableName="t", KeyConditionExpression="PK = :p",
                                                        ExpressionAttributeValues={":p": {"S": "P"}}, ConsistentRead=True)["Items"]}

        before = items()
        cancelled = [
            {"Update": {"TableName": "t", "Key": {"PK": {"S": "P"}, "SK": {"S": "A"}}, "UpdateExpression": "SET version = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}}}},
            {"Put": {"TableName": "t", "Item": {"PK": {"S": "P"}, "SK": {"S": "B"}}}},
            {"Delete": {"TableName": "t", "Key": {"PK": {"S": "P"}, "SK": {"S": "D"}}}},
            {"ConditionCheck": {"TableName": "t", "Key": {"PK": {"S": "P"}, "SK": {"S": "C"}}, "ConditionExpression": "attribute_exists(PK)"}},
        ]
        with pytest.raises(ClientError) as error:
            client.transact_write_items(TransactItems=cancelled)
        assert error.value.response["Error"]["Code"] == "TransactionCanceledException"
        assert [r["Code"] for r in error.value.response["CancellationReasons"]] == ["None", "None", "None", "ConditionalCheckFailed"]
        assert items() == before

        duplicate = [cancelled[0], {"Delete": {"TableName": "t", "Key": {"PK": {"S": "P"}, "SK": {"S": "A"}}}}]
        with pytest.raises(ClientError):
            client.transact_write_items(TransactItems=duplicate)
        assert items() == before

        client.transact_write_items(TransactItems=cancelled[:3])
        after = items()
        assert after["A"]["version"] == {"N": "2"} and "B" in after and "D" not in after
        assert client.get_item(TableName="t", Key={"PK": {"S": "P"}, "SK": {"S": "nothing"}}).get("Item") is None
        assert client.get_item(TableName="t", Key={"PK": {"S": "P"}, "SK": {"S": "A"}})["Item"]["version"] == {"N": "2"}
        # a Query on the table's key reads the partition's matching items only: same items, order and pages
        for sk in ("B#1", "B#2", "B#3", "C#1"):
            put(sk)
        client.put_item(TableName="t", Item={"PK": {"S": "Q"}, "SK": {"S": "B#9"}})
        def query(**more):
            return client.query(TableName="t", KeyConditionExpression="PK = :p AND begins_with(SK, :b)",
                                ExpressionAttributeValues={":p": {"S": "P"}, ":b": {"S": "B#"}}, **more)
        assert [i["SK"]["S"] for i in query()["Items"]] == ["B#1", "B#2", "B#3"]  # not "B", not C#1, not Q's
        first = query(Limit=2, ScanIndexForward=False)
        assert [i["SK"]["S"] for i in first["Items"]] == ["B#3", "B#2"] and first["LastEvaluatedKey"]["SK"] == {"S": "B#2"}
        rest = query(Limit=2, ScanIndexForward=False, ExclusiveStartKey=first["LastEvaluatedKey"])
        assert [i["SK"]["S"] for i in rest["Items"]] == ["B#1"] and rest["Count"] == 1
        print("ok")
''')


def test_transactions_roll_back_whole_and_results_read_back():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr
