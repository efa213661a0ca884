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
items that meet the key condition only: the same items, order, pages and counts.
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
        meets = [item for item in partition.values() if not range_comparison or item.range_key.compare(range_comparison, range_objs)]
        self.all_items = lambda: meets  # moto's query reads the candidates from here (one call at a time)
        try:
            return query(*arguments, **named)
        finally:
            del self.all_items

    table_class.query = partition_query


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
