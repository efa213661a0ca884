"""Make the in-process DynamoDB raise transaction conflicts the way real DynamoDB does.

moto runs one call at a time (and the suite serializes calls, see motolock), so two transactions
touching one item never overlap there and never conflict. Real DynamoDB cancels a
TransactWriteItems whose items take part in another transaction still in flight
(``TransactionCanceledException`` with ``TransactionConflict`` reasons), and refuses a PutItem,
UpdateItem or DeleteItem on such an item (``TransactionConflictException``).

Installed, every TransactWriteItems registers its items (every action, ConditionCheck included)
as in flight when moto starts applying it and keeps them so for `hold_seconds` after it applied,
like a real transaction's commit phase; a call that touches an in-flight item meanwhile fails as
DynamoDB would. `conflicts()` counts what was raised, so a test can prove that
a workload (such as the 9:00 rush of timer starts) shares no hot item.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

_WRITES = ("PutItem", "UpdateItem", "DeleteItem")
_lock = threading.Lock()
_in_flight: Counter = Counter()
_raised: Counter = Counter()
_settings = {"hold_seconds": 0.005}


def _key_of(table: str, key: dict) -> tuple:
    return (table, json.dumps(key, sort_keys=True))


def _transaction_items(body: dict) -> list[tuple]:
    found = []
    for entry in body.get("TransactItems", []):
        for action, spec in entry.items():
            key = spec.get("Key") or {name: spec["Item"][name] for name in ("PK", "SK") if name in spec.get("Item", {})}
            found.append(_key_of(spec["TableName"], key))
    return found


def _single_item(body: dict) -> tuple:
    key = body.get("Key") or {name: body["Item"][name] for name in ("PK", "SK") if name in body.get("Item", {})}
    return _key_of(body["TableName"], key)


def _error(code: str, message: str, reasons: list[dict] | None = None):
    from botocore.exceptions import ClientError

    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}}
    if reasons is not None:
        response["CancellationReasons"] = reasons
    return ClientError(response, "TransactWriteItems" if reasons is not None else "PutItem")


_this_thread = threading.local()


def _inside_lock(event_name: str, request) -> None:
    """Runs while moto's lock is held, so calls meet in the order DynamoDB would apply them."""
    operation = event_name.rsplit(".", 1)[-1]
    if not event_name.startswith("before-send.dynamodb.") or (operation != "TransactWriteItems" and operation not in _WRITES):
        return
    body = json.loads(request.body or b"{}")
    if operation == "TransactWriteItems":
        items = _transaction_items(body)
        with _lock:
            clashes = [item in _in_flight for item in items]
            if any(clashes):
                _raised["TransactionConflict"] += 1
                reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"} if clash
                           else {"Code": "None"} for clash in clashes]
                raise _error("TransactionCanceledException",
                             "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]", reasons)
            _in_flight.update(items)
        _this_thread.items = items
        return
    item = _single_item(body)
    with _lock:
        if item in _in_flight:
            _raised["TransactionConflictException"] += 1
            raise _error("TransactionConflictException", "Transaction is ongoing for the item")


def _after_call(**_kwargs) -> None:
    """A transaction stays in flight a little after it applied (its commit phase), then ends."""
    items = getattr(_this_thread, "items", None)
    if not items:
        return
    _this_thread.items = None
    if _settings["hold_seconds"]:
        time.sleep(_settings["hold_seconds"])
    with _lock:
        _in_flight.subtract(items)
        for item in items:
            if _in_flight[item] <= 0:
                del _in_flight[item]


def install(hold_seconds: float | None = None) -> None:
    """Hook DynamoDB clients made from now on from boto3's default session (call it after
    `mock_aws()` starts, like iamcheck.install). Needs motolock installed (calls in order)."""
    import boto3

    from sandglass_local import motolock

    if hold_seconds is not None:
        _settings["hold_seconds"] = hold_seconds
    if _inside_lock not in motolock.inside_lock_hooks:
        motolock.inside_lock_hooks.append(_inside_lock)
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    events = boto3.DEFAULT_SESSION.events
    events.register("after-call.dynamodb", _after_call, unique_id="sandglass-txconflict-after")
    events.register("after-call-error.dynamodb", _after_call, unique_id="sandglass-txconflict-error")


def conflicts() -> dict[str, int]:
    """How many conflicts were raised since the last reset, by kind."""
    with _lock:
        return dict(_raised)


def reset() -> None:
    with _lock:
        _raised.clear()
