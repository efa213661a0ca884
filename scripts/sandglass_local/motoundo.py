"""moto's DynamoDB at the speed of the calls, not of the table: three patches for the dev server and the tests.

Transactions. moto backs up each table a transaction writes to with `copy.deepcopy` (once per action) so it can
roll a cancelled transaction back: every transaction copies the whole table, stream records
included. In the dev server that was ~40 ms per POST /activities at a few hundred items, growing
with every item written. Installed, a transaction saves only the items its actions name (and the
length of each table's stream) and restores those when moto cancels it: the same outcome, all
or nothing, without the copy. moto applies one call at a time here (motolock, or the embedded
DynamoDB's lock), so nothing else sees the items in between.

Answers. moto serializes every answer by walking botocore's shape model, field by field (more than
half of its time per call in the dev server). An item call's result (GetItem, Query, a write's
attributes...) is already DynamoDB's wire JSON: installed, it is dumped as it is.

Queries. moto answers a Query on the table's own key by sorting every item of the table, then
walking the partition and sizing each item, even those the sort-key condition excludes (most of the
time of a 1,000-operation test went there). Installed, moto's own query runs over the partition's
items that meet the key condition only: the same items, order, pages and counts. On an index, moto
sorts every item of the table too, then checks each against the index's key: installed, its own
query runs over the items whose index hash key attributes hold the queried values (a cheap pass,
no sort, no item sized), so it checks, sorts and pages those as before.

Stream records. moto serializes GetRecords through the shape model too (most of the stream
poller's time in the dev server, each record carrying both images): installed, the records, already
wire JSON, are dumped as they are, their creation time in epoch seconds as moto's serializer writes it.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

_installed = False
# Operations whose results moto builds as plain DynamoDB JSON (items, keys, counts)
_ITEM_OPERATIONS = {"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                    "TransactGetItems", "TransactWriteItems"}


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    def deepcopy_but_tables(value: Any, memo: dict | None = None) -> Any:
        # the backup moto makes of each table: the transaction below keeps its own, of the items it names
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = SimpleNamespace(deepcopy=deepcopy_but_tables)  # this module's `copy` only
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items: list[dict[str, Any]]) -> None:
        saved: list[tuple[Table, DynamoType, DynamoType | None, Any]] = []
        streams: dict[int, tuple[Any, int]] = {}
        for entry in transact_items:
            for action in entry.values():
                table = self.tables.get(action.get("TableName")) if isinstance(action, dict) else None
                key = (action.get("Key") or action.get("Item") or {}) if table is not None else {}
                if table is None or table.hash_key_attr not in key or (table.range_key_attr and table.range_key_attr not in key):
                    continue  # moto refuses the action itself; nothing of it to restore
                hash_key = DynamoType(key[table.hash_key_attr])
                range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
                saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
                if table.stream_shard is not None:
                    streams.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
        try:
            return original(self, transact_items)
        except BaseException:
            for table, hash_key, range_key, item in reversed(saved):  # the first saved is the item as it was
                if range_key is None:
                    if item is None:
                        table.items.pop(hash_key, None)
                    else:
                        table.items[hash_key] = item
                elif item is None:
                    table.items.get(hash_key, {}).pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = item
            for shard, length in streams.values():
                del shard.items[length:]
            raise

    DynamoDBBackend.transact_write_items = transact_write_items
    _dump_item_results()
    _query_the_partition(Table)
    _query_the_index(Table)
    _dump_stream_records()
    _installed = True


def _query_the_partition(table_class) -> None:
    query = table_class.query

    def partition_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
                        projection_expressions, index_name=None, consistent_read=False, filter_expression=None,
                        hash_key_conditions=None, range_key_conditions=None, **filter_kwargs):
        arguments = (self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
                     projection_expressions, index_name, consistent_read, filter_expression)
        named = {"hash_key_conditions": hash_key_conditions, "range_key_conditions": range_key_conditions, **filter_kwargs}
        if index_name is not None or self.range_key_attr is None or hash_key is None or filter_kwargs:
            return query(*arguments, **named)
        try:
            partition = self.items.get(hash_key, {})
        except TypeError:  # a key value moto cannot hash (refused by its own query): moto's answer
            return query(*arguments, **named)
        meets = list(partition.values()) if not range_comparison else _meeting(partition.values(), range_comparison, range_objs)
        self.all_items = lambda: meets  # moto's query reads the candidates from here (one call at a time)
        try:
            return query(*arguments, **named)
        finally:
            del self.all_items

    table_class.query = partition_query


def _meeting(items, range_comparison, range_objs) -> list:
    """The items whose sort key meets the condition, as DynamoType.compare decides: string keys
    against string operands by their plain values (what compare's cast_value hands it), others by compare."""
    from moto.dynamodb.comparisons import get_comparison_func

    compare = get_comparison_func(range_comparison)
    if compare is None or any(obj.type != "S" for obj in range_objs):
        return [item for item in items if item.range_key.compare(range_comparison, range_objs)]
    operands = [obj.value for obj in range_objs]
    return [item for item in items
            if (compare(item.range_key.value, *operands) if item.range_key.type == "S" else item.range_key.compare(range_comparison, range_objs))]


def _query_the_index(table_class) -> None:
    query = table_class.query  # the partition fast path above, which hands index queries to moto's own

    def index_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
                    projection_expressions, index_name=None, consistent_read=False, filter_expression=None,
                    hash_key_conditions=None, range_key_conditions=None, **filter_kwargs):
        arguments = (self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
                     projection_expressions, index_name, consistent_read, filter_expression)
        named = {"hash_key_conditions": hash_key_conditions, "range_key_conditions": range_key_conditions, **filter_kwargs}
        if index_name is None or not hash_key_conditions or "all_items" in vars(self):
            return query(*arguments, **named)
        wanted = [(name, value) for name, value in hash_key_conditions]
        candidates = []
        for partition in self.items.values():
            for item in (partition.values() if self.range_key_attr else (partition,)):
                attrs = getattr(item, "attrs", None)
                if attrs is None:
                    continue
                for name, value in wanted:
                    held = attrs.get(name)
                    # strings by value (cheap), anything else as moto compares it (numbers by their number)
                    if held is None or held.type != value.type or (held.value != value.value if value.type == "S" else held != value):
                        break
                else:
                    candidates.append(item)
        self.all_items = lambda: candidates  # moto's query checks, sorts and pages these (one call at a time)
        try:
            return query(*arguments, **named)
        finally:
            del self.all_items

    table_class.query = index_query


def _dump_stream_records() -> None:
    import calendar
    import json
    from datetime import datetime

    from moto.core.responses import ActionResult
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    def epoch_seconds(value: Any) -> Any:  # moto's serializer: whole seconds, or milliseconds as a fraction
        if not isinstance(value, datetime):
            raise TypeError(type(value).__name__)
        seconds = calendar.timegm(value.timetuple())
        return seconds + (value.microsecond // 1000) / 1000.0 if value.microsecond else seconds

    class RecordsResult(ActionResult):
        def execute_result(self, context):
            try:
                body = json.dumps({key: value for key, value in self.result.items() if value is not None}, default=epoch_seconds)
            except TypeError:  # something that is not plain JSON: moto's own way
                return super().execute_result(context)
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    get_records = DynamoDBStreamsHandler.get_records

    def fast_get_records(self):
        return RecordsResult(get_records(self).result)

    DynamoDBStreamsHandler.get_records = fast_get_records


def _dump_item_results() -> None:
    import json

    from moto.dynamodb.responses import DynamoResult

    serialize = DynamoResult.execute_result

    def execute_result(self, context):
        if context.operation_model.name in _ITEM_OPERATIONS and isinstance(self.result, dict):
            try:
                body = json.dumps({key: value for key, value in self.result.items() if value is not None})
            except TypeError:  # something that is not plain JSON (binary values): moto's own way
                return serialize(self, context)
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
        return serialize(self, context)

    DynamoResult.execute_result = execute_result
