"""The shared DynamoDB client is a plain boto3 client (no resource: cold start) that still speaks
plain Python values and boto3's condition objects, as the resource's client does."""

from decimal import Decimal

from boto3.dynamodb.conditions import Attr, Key


def test_the_client_takes_and_returns_plain_python_values(table):
    item = {"PK": "ORG#o1", "SK": "TEST#1", "n": 42, "d": Decimal("1.5"), "tags": {"a", "b"}, "m": {"x": [1, None, True]}}
    table.put_item(TableName=_name(), Item=item)

    stored = table.get_item(TableName=_name(), Key={"PK": "ORG#o1", "SK": "TEST#1"})["Item"]

    assert stored == {"PK": "ORG#o1", "SK": "TEST#1", "n": Decimal(42), "d": Decimal("1.5"), "tags": {"a", "b"}, "m": {"x": [Decimal(1), None, True]}}


def test_the_client_turns_condition_objects_into_expressions(table):
    for n in (1, 2, 3):
        table.put_item(TableName=_name(), Item={"PK": "ORG#o2", "SK": f"TEST#{n}", "n": n})

    found = table.query(TableName=_name(), KeyConditionExpression=Key("PK").eq("ORG#o2") & Key("SK").begins_with("TEST#"),
                        FilterExpression=Attr("n").gte(2))["Items"]

    assert sorted(item["n"] for item in found) == [2, 3]


def test_the_caller_s_item_is_not_modified(table):
    item = {"PK": "ORG#o3", "SK": "TEST#1", "n": 7}
    table.put_item(TableName=_name(), Item=item)

    assert item == {"PK": "ORG#o3", "SK": "TEST#1", "n": 7}


def _name() -> str:
    from sandglass.settings import get_settings

    return get_settings().table_name
