"""A thin wrapper over the one DynamoDB table.

It speaks plain Python values (boto3's DynamoDB serializer on a plain client), turns DynamoDB's
condition failures into domain errors chosen by the caller, and pages queries with signed
cursors. boto3 is imported lazily so a handler pays for it on first use, not at import.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from msgspec import Struct, field

from sandglass import keys
from sandglass.errors import Conflict, DomainError, Throttled
from sandglass.settings import get_settings
from sandglass.storage import cursor as cursors
from sandglass.storage.retry import CONFLICTS, UNPROCESSED

_client = None

_deleted_pages = 0


def plain_image(image: Mapping[str, Any]) -> dict[str, Any]:
    """A stream record's image (DynamoDB wire JSON) as plain values (Decimal numbers, sets), as the
    table's reads answer them."""
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in image.items()}


def deleted_pages() -> int:
    """How many batch deletions this container has completed (the purge function's page metric)."""
    return _deleted_pages


def client():
    """The shared low-level client that accepts and returns plain Python values."""
    global _client
    if _client is None:
        import boto3
        from botocore.config import Config

        settings = get_settings()
        _client = boto3.client(
            "dynamodb",
            endpoint_url=settings.dynamodb_endpoint,
            config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5),
        )
        _speak_python_values(_client)
    return _client


def _speak_python_values(dynamodb) -> None:
    """What `boto3.resource("dynamodb").meta.client` registers on its client (boto3.dynamodb.transform:
    plain Python values in and out, condition objects as expressions), without building the
    resource's classes: a plain client plus these handlers costs a third less at cold start."""
    from boto3.dynamodb.transform import TransformationInjector, copy_dynamodb_params

    events = dynamodb.meta.events
    injector = TransformationInjector()
    events.register("provide-client-params.dynamodb", copy_dynamodb_params, unique_id="dynamodb-create-params-copy")
    events.register("before-parameter-build.dynamodb", injector.inject_condition_expressions, unique_id="dynamodb-condition-expression")
    events.register("before-parameter-build.dynamodb", injector.inject_attribute_value_input, unique_id="dynamodb-attr-value-input")
    events.register("after-call.dynamodb", injector.inject_attribute_value_output, unique_id="dynamodb-attr-value-output")


def reset_client() -> None:
    global _client
    _client = None


class Op(Struct):
    """One action of a transaction, with the error to raise if its condition fails."""

    kind: str  # Put | Update | Delete | ConditionCheck
    params: dict[str, Any]
    on_condition_failed: DomainError | None = None


def put(item: Mapping[str, Any], condition: str | None = None, names=None, values=None, *, fail: DomainError | None = None) -> Op:
    params: dict[str, Any] = {"Item": dict(item)}
    _condition(params, condition, names, values)
    return Op("Put", params, fail)


def update(key: Mapping[str, str], expression: str, names=None, values=None, condition: str | None = None, *, fail: DomainError | None = None) -> Op:
    params: dict[str, Any] = {"Key": dict(key), "UpdateExpression": expression}
    _condition(params, condition, names, values)
    return Op("Update", params, fail)


def delete(key: Mapping[str, str], condition: str | None = None, names=None, values=None, *, fail: DomainError | None = None) -> Op:
    params: dict[str, Any] = {"Key": dict(key)}
    _condition(params, condition, names, values)
    return Op("Delete", params, fail)


def check(key: Mapping[str, str], condition: str, names=None, values=None, *, fail: DomainError | None = None) -> Op:
    params: dict[str, Any] = {"Key": dict(key)}
    _condition(params, condition, names, values)
    return Op("ConditionCheck", params, fail)


def _condition(params: dict[str, Any], condition, names, values) -> None:
    if condition:
        params["ConditionExpression"] = condition
    if names:
        params["ExpressionAttributeNames"] = dict(names)
    if values:
        params["ExpressionAttributeValues"] = dict(values)


def key_condition(index: str | None = None, sort: str | None = None) -> str:
    """A KeyConditionExpression on the table (index None) or a GSI: ``<partition> = :pk`` and, by
    `sort`, ``begins_with(<sort key>, :prefix)`` ("prefix") or ``<sort key> BETWEEN :lo AND :hi``
    ("between")."""
    partition, sort_key = (keys.PK, keys.SK) if index is None else (keys.gsi_pk(index), keys.gsi_sk(index))
    condition = f"{partition} = :pk"
    if sort == "prefix":
        condition += f" AND begins_with({sort_key}, :prefix)"
    elif sort == "between":
        condition += f" AND {sort_key} BETWEEN :lo AND :hi"
    return condition


def versioned_set(changes: Mapping[str, Any], expected_version: int) -> tuple[str, dict[str, str], dict[str, Any]]:
    """`SET` for `changes` plus `version + 1`, with names/values; pair it with the condition
    ``#v = :expected`` (optimistic concurrency). Callers may add their own names and values."""
    names = {"#v": "version"}
    values: dict[str, Any] = {":expected": expected_version, ":one": 1}
    assignments = ["#v = #v + :one"]
    for index, (attribute, value) in enumerate(changes.items()):
        names[f"#f{index}"] = attribute
        values[f":f{index}"] = value
        assignments.append(f"#f{index} = :f{index}")
    return "SET " + ", ".join(assignments), names, values


class Page(Struct):
    items: list[dict[str, Any]]
    cursor: str | None = None
    pages_read: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


class Table:
    def __init__(self, name: str | None = None):
        self.name = name or get_settings().table_name

    # --- single items -----------------------------------------------------------------------
    def get(self, key: Mapping[str, str], *, consistent: bool = True) -> dict[str, Any] | None:
        response = self._call("get_item", TableName=self.name, Key=dict(key), ConsistentRead=consistent)
        return response.get("Item")

    def batch_get(self, keys: Sequence[Mapping[str, str]], *, consistent: bool = False) -> list[dict[str, Any]]:
        """Fetch up to 100 items per call; unprocessed keys are retried with backoff."""
        found: list[dict[str, Any]] = []
        pending = [dict(key) for key in keys]
        while pending:
            chunk, pending = pending[:100], pending[100:]
            self._batch("batch_get_item", {self.name: {"Keys": chunk, "ConsistentRead": consistent}}, "UnprocessedKeys",
                        lambda response: found.extend(response.get("Responses", {}).get(self.name, [])))
        return found

    def put(self, item: Mapping[str, Any], condition: str | None = None, names=None, values=None, *, fail: DomainError | None = None) -> None:
        params: dict[str, Any] = {"TableName": self.name, "Item": dict(item)}
        _condition(params, condition, names, values)
        self._conditional("put_item", params, fail)

    def update(self, key: Mapping[str, str], expression: str, names=None, values=None, condition: str | None = None, *, fail: DomainError | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"TableName": self.name, "Key": dict(key), "UpdateExpression": expression, "ReturnValues": "ALL_NEW"}
        _condition(params, condition, names, values)
        return self._conditional("update_item", params, fail).get("Attributes", {})

    def delete(self, key: Mapping[str, str], condition: str | None = None, names=None, values=None, *, fail: DomainError | None = None,
               returning_old: bool = False) -> dict[str, Any] | None:
        """Delete one item; with `returning_old`, hand back what it held (ReturnValues ALL_OLD)."""
        params: dict[str, Any] = {"TableName": self.name, "Key": dict(key)}
        if returning_old:
            params["ReturnValues"] = "ALL_OLD"
        _condition(params, condition, names, values)
        response = self._conditional("delete_item", params, fail)
        return response.get("Attributes") if returning_old else None

    def batch_delete(self, keys: Sequence[Mapping[str, str]]) -> None:
        global _deleted_pages
        pending = [{"DeleteRequest": {"Key": dict(key)}} for key in keys]
        while pending:
            chunk, pending = pending[:25], pending[25:]
            self._batch("batch_write_item", {self.name: chunk}, "UnprocessedItems", lambda response: None)
        _deleted_pages += 1

    def _batch(self, operation: str, request: dict[str, Any], unprocessed: str, on_response) -> None:
        """Call until nothing is unprocessed: backoff with jitter between calls, Throttled after
        UNPROCESSED.attempts calls (the caller's job stays pending and is resumed later)."""
        for attempt in range(UNPROCESSED.attempts):
            if attempt:
                UNPROCESSED.pause(attempt - 1)
            response = self._call(operation, RequestItems=request)
            on_response(response)
            request = response.get(unprocessed) or {}
            if not request:
                return
        raise Throttled("The table is busy (unprocessed batch items); retry with backoff")

    # --- transactions ------------------------------------------------------------------------
    def transact(self, ops: Sequence[Op], *, token: str | None = None) -> None:
        """All-or-nothing write. A failed condition raises that op's `on_condition_failed`.

        A transaction cancelled only because another transaction held one of its items
        (TransactionConflict) is retried with jittered exponential backoff: its conditions are
        evaluated again, so a retry decides on the winner's result. Only when conflicts persist
        does the caller get a 409 TRANSACTION_CONFLICT."""
        items = []
        for op in ops:
            items.append({op.kind: {"TableName": self.name, **op.params}})
        params: dict[str, Any] = {"TransactItems": items}
        if token:
            params["ClientRequestToken"] = token
        from botocore.exceptions import ClientError

        for attempt in range(CONFLICTS.attempts):
            try:
                client().transact_write_items(**params)
                return
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code == "TransactionCanceledException":
                    reasons = error.response.get("CancellationReasons") or []
                    for op, reason in zip(ops, reasons):
                        if reason.get("Code") == "ConditionalCheckFailed":
                            raise op.on_condition_failed or Conflict("The resource was changed by another request; retry") from None
                    if not any(reason.get("Code") == "TransactionConflict" for reason in reasons):
                        _raise_throttle(_throttle_reason(reasons))
                        raise
                elif code != "TransactionConflictException":
                    _raise_throttle(code)
                    raise
            CONFLICTS.pause(attempt)
        raise Conflict("Concurrent requests kept changing the same data; retry", code="TRANSACTION_CONFLICT")

    # --- queries -----------------------------------------------------------------------------
    def query_page(
        self,
        *,
        org_id: str,
        scope: str,
        key_condition: str,
        values: Mapping[str, Any],
        names: Mapping[str, str] | None = None,
        index: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        forward: bool = True,
        filter_expression: str | None = None,
        consistent: bool = False,
    ) -> Page:
        """One Query call. `scope` names the query (and its bounds) so a cursor replays only it."""
        params = self._query_params(key_condition, values, names=names, index=index, limit=limit, filter_expression=filter_expression,
                                    consistent=consistent)
        params["ScanIndexForward"] = forward
        if cursor:
            params["ExclusiveStartKey"] = cursors.decode(cursor, org_id=org_id, scope=scope)
        response = self._call("query", **params)
        last_key = response.get("LastEvaluatedKey")
        next_cursor = cursors.encode(last_key, org_id=org_id, scope=scope) if last_key else None
        return Page(items=response.get("Items", []), cursor=next_cursor)

    def query_all(self, *, key_condition: str, values: Mapping[str, Any], names=None, index: str | None = None, page_size: int | None = None,
                  filter_expression: str | None = None, consistent: bool = False, projection: str | None = None,
                  lean: bool = False) -> Iterator[list[dict[str, Any]]]:
        """Yield every page of a Query (jobs and bounded internal reads; never unbounded requests).
        `projection` (a ProjectionExpression) trims what comes back, not what a page reads.
        `lean`: the page's items skip botocore's shape-driven parsing and boto3's deserializer
        (plain_items: one json.loads and a direct decode, about 4x less client CPU a page), for
        reads of many items of plain attributes (a report's activities)."""
        params = self._query_params(key_condition, values, names=names, index=index, limit=page_size, filter_expression=filter_expression,
                                    consistent=consistent)
        if projection:
            params["ProjectionExpression"] = projection
        while True:
            if lean:
                response, items = _lean_query(self._call, params)
            else:
                response = self._call("query", **params)
                items = response.get("Items", [])
            yield items
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            params["ExclusiveStartKey"] = last_key

    def _query_params(self, key_condition: str, values: Mapping[str, Any], *, names: Mapping[str, str] | None, index: str | None,
                      limit: int | None, filter_expression: str | None, consistent: bool) -> dict[str, Any]:
        """A Query's parameters; a consistent read only on the table (an index cannot read consistently)."""
        params: dict[str, Any] = {"TableName": self.name, "KeyConditionExpression": key_condition, "ExpressionAttributeValues": dict(values)}
        if names:
            params["ExpressionAttributeNames"] = dict(names)
        if index:
            params["IndexName"] = index
        elif consistent:
            params["ConsistentRead"] = True
        if limit:
            params["Limit"] = limit
        if filter_expression:
            params["FilterExpression"] = filter_expression
        return params

    def query_once(self, **params) -> dict[str, Any]:
        """One raw Query call on this table (TableName added); the caller reads LastEvaluatedKey itself."""
        return self._call("query", TableName=self.name, **params)

    # --- plumbing ----------------------------------------------------------------------------
    def _conditional(self, operation: str, params: dict[str, Any], fail: DomainError | None) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        for attempt in range(CONFLICTS.attempts):
            try:
                return getattr(client(), operation)(**params)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code == "ConditionalCheckFailedException":
                    raise fail or Conflict("The resource was changed by another request; retry") from None
                if code != "TransactionConflictException":  # the item is in another request's transaction
                    _raise_throttle(code)
                    raise
            CONFLICTS.pause(attempt)
        raise Conflict("Concurrent requests kept changing the same data; retry", code="TRANSACTION_CONFLICT")

    def _call(self, operation: str, **params) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        try:
            return getattr(client(), operation)(**params)
        except ClientError as error:
            _raise_throttle(error.response.get("Error", {}).get("Code", ""))
            raise


# --- lean Query pages ------------------------------------------------------------------------------
_lean = threading.local()


def _take_items(response_dict: dict[str, Any], **_) -> None:
    """before-parse hook: while a lean Query runs on this thread, keep its wire-format Items aside
    and let botocore parse only the rest (counts, LastEvaluatedKey)."""
    if not getattr(_lean, "active", False) or response_dict.get("status_code") != 200:
        return
    import json

    answer = json.loads(response_dict["body"])
    _lean.items = answer.pop("Items", [])
    response_dict["body"] = json.dumps(answer).encode()


def _lean_query(call, params: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dynamodb = client()
    dynamodb.meta.events.register("before-parse.dynamodb.Query", _take_items, unique_id="sandglass-lean-query")
    _lean.active, _lean.items = True, None
    try:
        response = call("query", **params)
        wire = _lean.items if _lean.items is not None else []
    finally:
        _lean.active, _lean.items = False, None
    return response, [{name: plain_value(value) for name, value in item.items()} for item in wire]


def plain_value(value: dict[str, Any]) -> Any:
    """One DynamoDB wire attribute value as the Python value boto3's deserializer gives."""
    (kind, data), = value.items()
    if kind == "S" or kind == "BOOL":
        return data
    if kind == "N":
        from boto3.dynamodb.types import DYNAMODB_CONTEXT

        return DYNAMODB_CONTEXT.create_decimal(data)
    if kind == "M":
        return {name: plain_value(inner) for name, inner in data.items()}
    if kind == "NULL":
        return None
    if kind == "L":
        return [plain_value(inner) for inner in data]
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer().deserialize(value)


def _throttle_reason(reasons: list[dict[str, Any]]) -> str:
    for reason in reasons:
        if reason.get("Code") in {"ThrottlingError", "ProvisionedThroughputExceeded"}:
            return "ThrottlingException"
    return ""


def _raise_throttle(code: str) -> None:
    if code in {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}:
        raise Throttled("The service is busy; retry with backoff") from None
