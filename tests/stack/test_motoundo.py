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


SAME_ANSWERS = textwrap.dedent('''
    import os
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    import boto3
    from moto import mock_aws
    from sandglass_local import motoundo, template as tpl

    with mock_aws():
        client = boto3.client("dynamodb")
        tpl.create_table(client, "t")
        arn = client.describe_table(TableName="t")["Table"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams", endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com/")
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][-1]["ShardId"]
        for n in range(60):
            item = {"PK": {"S": f"P{n % 3}"}, "SK": {"S": f"A#{n:03d}"}, "GSI1PK": {"S": f"U{n % 4}"}, "GSI1SK": {"S": f"2026-06-{n % 28 + 1:02d}#{n}"},
                    "n": {"N": str(n)}, "tags": {"SS": ["x", f"t{n}"]}}
            if n % 5:
                item["GSI2PK"] = {"N": str(n % 2)}  # a number hash key: 1 and 1.0 are the same value
                item["GSI2SK"] = {"S": f"B#{n:03d}"}
            client.put_item(TableName="t", Item=item)
        

        def answers():
            out = []
            def query(**kw):
                pages, start = [], None
                while True:
                    page = client.query(TableName="t", **kw, **({"ExclusiveStartKey": start} if start else {}))
                    pages.append({k: v for k, v in page.items() if k != "ResponseMetadata"})
                    start = page.get("LastEvaluatedKey")
                    if not start:
                        return pages
            v = lambda **values: {f":{k}": val for k, val in values.items()}
            out.append(query(KeyConditionExpression="PK = :p", ExpressionAttributeValues=v(p={"S": "P0"})))
            for cond, vals in (("SK BETWEEN :a AND :b", v(a={"S": "A#010"}, b={"S": "A#040"})), ("begins_with(SK, :a)", v(a={"S": "A#0"})),
                               ("SK < :a", v(a={"S": "A#020"})), ("SK >= :a", v(a={"S": "A#050"})), ("SK = :a", v(a={"S": "A#003"}))):
                out.append(query(KeyConditionExpression=f"PK = :p AND {cond}", ExpressionAttributeValues={**v(p={"S": "P0"}), **vals}, Limit=4))
                out.append(query(KeyConditionExpression=f"PK = :p AND {cond}", ExpressionAttributeValues={**v(p={"S": "P1"}), **vals}, ScanIndexForward=False))
            out.append(query(IndexName="GSI1", KeyConditionExpression="GSI1PK = :u", ExpressionAttributeValues=v(u={"S": "U1"}), Limit=3))
            out.append(query(IndexName="GSI1", KeyConditionExpression="GSI1PK = :u AND GSI1SK BETWEEN :a AND :b",
                             ExpressionAttributeValues=v(u={"S": "U2"}, a={"S": "2026-06-05"}, b={"S": "2026-06-20"}), ScanIndexForward=False))
            out.append(query(IndexName="GSI1", KeyConditionExpression="GSI1PK = :u", ExpressionAttributeValues=v(u={"S": "nobody"})))
            out.append(query(IndexName="GSI2", KeyConditionExpression="GSI2PK = :k AND begins_with(GSI2SK, :b)",
                             ExpressionAttributeValues=v(k={"N": "1.0"}, b={"S": "B#0"}), Limit=5))
            out.append(query(IndexName="GSI1", KeyConditionExpression="GSI1PK = :u", FilterExpression="n > :n",
                             ExpressionAttributeValues=v(u={"S": "U3"}, n={"N": "20"})))
            iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            records = streams.get_records(ShardIterator=iterator)
            out.append(records["Records"])
            return out

        moto_answers = answers()
        motoundo.install()
        fast_answers = answers()
        assert len(moto_answers[-1]) == 60 and sum(page["Count"] for page in moto_answers[-3]) == 24  # GSI2PK 1 found by 1.0
        for n, (moto, fast) in enumerate(zip(moto_answers, fast_answers)):
            assert moto == fast, (n, moto, fast)
        print("ok")
''')


def test_the_fast_paths_answer_as_moto_does():
    """Queries on the table's key and on indexes (pages, orders, conditions, a number hash key) and
    the stream's records read the same with the patches installed as with moto alone."""
    done = subprocess.run([sys.executable, "-c", SAME_ANSWERS], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr
