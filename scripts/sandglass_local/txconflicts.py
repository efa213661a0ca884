"""Make the local DynamoDB raise transaction conflicts the way real DynamoDB does.

moto applies one call at a time (motolock in-process, one lock in the dev server's embedded
DynamoDB), so two transactions touching one item never overlap there and never conflict. Real
DynamoDB cancels a TransactWriteItems whose items take part in another transaction still in
flight (``TransactionCanceledException`` with ``TransactionConflict`` reasons), and refuses a
PutItem, UpdateItem or DeleteItem on such an item (``TransactionConflictException``).

Installed, every TransactWriteItems registers its items (every action, ConditionCheck included)
as in flight when moto starts applying it and, when it commits, keeps them so for `hold_seconds`
after it applied, like a real transaction's commit phase; a call that touches an in-flight item meanwhile fails as
DynamoDB would. `conflicts()` counts what was raised, so a test can prove that a workload (such
as the 9:00 rush of timer starts) shares no hot item, or how often a race made requests retry.
`commits()` lists the writes that committed, in the order they were applied, so a race test can
prove an ordering (no activity write after a lock) from the database's side.

Two front ends share `admit`/`record`/`release`: `install()` hooks boto3 clients talking to moto in-process
(the test suite), and `wsgi()` wraps moto's server (the dev server's embedded DynamoDB), answering
the errors on the wire as DynamoDB's JSON protocol does.

Known gap: a Query sees a transaction all or nothing here (moto applies it under one lock), while
real DynamoDB's Query is only read-committed per item. Reads of single items (GetItem,
BatchGetItem with ConsistentRead) are serializable in both.
"""

from __future__ import annotations

import io
import itertools
import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass

_WRITES = ("PutItem", "UpdateItem", "DeleteItem")
_lock = threading.Lock()
_in_flight: Counter = Counter()
_raised: Counter = Counter()
_settings = {"hold_seconds": 0.005}
COMMIT_LOG_SIZE = 20_000
_committed: deque = deque(maxlen=COMMIT_LOG_SIZE)
_sequence = itertools.count(1)
_TRANSACTION_CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]"
_ONGOING = "Transaction is ongoing for the item"


class Refused(Exception):
    """What DynamoDB would answer instead of applying the call."""

    def __init__(self, code: str, message: str, reasons: list[dict] | None = None):
        super().__init__(message)
        self.code, self.message, self.reasons = code, message, reasons


def _key_of(table: str, key: dict) -> tuple:
    return (table, json.dumps(key, sort_keys=True))


def _keys_of(body: dict, operation: str) -> list[dict]:
    specs = [spec for entry in body.get("TransactItems", []) for spec in entry.values()] if operation == "TransactWriteItems" else [body]
    return [{**(spec.get("Key") or {name: spec["Item"][name] for name in ("PK", "SK") if name in spec.get("Item", {})}),
             "__table": spec["TableName"]} for spec in specs]


def _plain(key: dict) -> list[str]:
    return [next(iter(key[name].values())) for name in ("PK", "SK") if name in key]


@dataclass
class Ticket:
    """An admitted write: its place in the order calls are applied, the items it holds in flight
    (a transaction's) and every item it writes or checks."""

    sequence: int
    operation: str
    in_flight: list[tuple]
    keys: list[list[str]]


def admit(operation: str, body: dict) -> Ticket | None:
    """Decide, in the order the calls are applied, whether a write meets a transaction in flight:
    raise Refused if it does; otherwise the ticket (None for a read) whose `in_flight` items stay
    held until `release`, and which `record` logs once the call committed."""
    if operation != "TransactWriteItems" and operation not in _WRITES:
        return None
    keys = _keys_of(body, operation)
    items = [_key_of(key.pop("__table"), key) for key in keys]
    with _lock:
        if operation == "TransactWriteItems":
            clashes = [item in _in_flight for item in items]
            if any(clashes):
                _raised["TransactionConflict"] += 1
                raise Refused("TransactionCanceledException", _TRANSACTION_CANCELLED,
                              [{"Code": "TransactionConflict", "Message": _ONGOING} if clash else {"Code": "None"} for clash in clashes])
            _in_flight.update(items)
        elif items[0] in _in_flight:
            _raised["TransactionConflictException"] += 1
            raise Refused("TransactionConflictException", _ONGOING)
        return Ticket(next(_sequence), operation, items if operation == "TransactWriteItems" else [], [_plain(key) for key in keys])


def record(ticket: Ticket | None) -> None:
    """Log a committed write (commits() serves the log in the order DynamoDB applied the writes)."""
    if ticket is not None:
        with _lock:
            _committed.append(ticket)


def release(ticket: Ticket | None, *, hold: bool = True) -> None:
    """A committed transaction stays in flight a little after it applied (its commit phase), then
    ends; a cancelled one (a condition failed) ends at once."""
    if ticket is None or not ticket.in_flight:
        return
    if hold and _settings["hold_seconds"]:
        time.sleep(_settings["hold_seconds"])
    with _lock:
        _in_flight.subtract(ticket.in_flight)
        for item in ticket.in_flight:
            if _in_flight[item] <= 0:
                del _in_flight[item]


# --- in-process moto (the test suite) ---------------------------------------------------------
_this_thread = threading.local()


def _client_error(refused: Refused):
    from botocore.exceptions import ClientError

    response = {"Error": {"Code": refused.code, "Message": refused.message}, "ResponseMetadata": {"HTTPStatusCode": 400}}
    if refused.reasons is not None:
        response["CancellationReasons"] = refused.reasons
    return ClientError(response, "TransactWriteItems" if refused.reasons is not None else "PutItem")


def _inside_lock(event_name: str, request) -> None:
    """Runs while moto's lock is held, so calls meet in the order DynamoDB would apply them."""
    if not event_name.startswith("before-send.dynamodb."):
        return
    operation = event_name.rsplit(".", 1)[-1]
    if operation != "TransactWriteItems" and operation not in _WRITES:
        return
    try:
        _this_thread.ticket = admit(operation, json.loads(request.body or b"{}"))
    except Refused as refused:
        raise _client_error(refused) from None


def _after_call(http_response=None, **_kwargs) -> None:
    ticket = getattr(_this_thread, "ticket", None)
    _this_thread.ticket = None
    committed = http_response is not None and http_response.status_code == 200
    if committed:
        record(ticket)
    release(ticket, hold=committed)


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


# --- moto's server (the dev server's embedded DynamoDB) ---------------------------------------
def wsgi(app, lock: threading.Lock, on_commit=None):
    """Wrap moto's WSGI app: each call is applied under `lock` (moto is not thread-safe; DynamoDB
    makes each request atomic) after `admit` decided, inside that lock, whether it conflicts; a
    transaction's items stay in flight until `release`, outside it, so others can meet them.
    `on_commit(operation, environ, body)`, when given, is called inside the lock for every write
    that committed (BatchWriteItem included), in the order they were applied."""

    def conflicting_app(environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target.rsplit(".", 1)[-1] if target.startswith("DynamoDB_") else ""
        body = b""
        if operation == "TransactWriteItems" or operation in _WRITES or (on_commit is not None and operation == "BatchWriteItem"):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
        ticket = None
        with lock:
            try:
                ticket = admit(operation, json.loads(body)) if body else None
            except Refused as refused:
                return _wire_error(refused, start_response)
            status = []

            def remember_status(code, headers, *rest):
                status.append(code)
                return start_response(code, headers, *rest)

            try:
                answer = list(app(environ, remember_status))
            except BaseException:
                release(ticket, hold=False)
                raise
            committed = bool(status) and status[0].startswith("200")
            if committed:
                record(ticket)
                if on_commit is not None and body:
                    on_commit(operation, environ, body)
        release(ticket, hold=committed)
        return answer

    return conflicting_app


def _wire_error(refused: Refused, start_response) -> list[bytes]:
    payload = {"__type": f"com.amazonaws.dynamodb.v20120810#{refused.code}", "message": refused.message}
    if refused.reasons is not None:
        payload["CancellationReasons"] = refused.reasons
    data = json.dumps(payload).encode()
    start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(data))),
                                       ("x-amzn-ErrorType", refused.code)])
    return [data]


def commits(after: int = 0) -> list[dict]:
    """The writes committed since `after` (a sequence number), in the order they were applied:
    ``{"sequence", "operation", "keys": [[PK, SK], ...]}`` (a transaction's every item, checks
    included). Lets a race test prove an ordering from the database's side. Bounded: the newest
    COMMIT_LOG_SIZE only."""
    with _lock:
        found = sorted((t for t in _committed if t.sequence > after), key=lambda t: t.sequence)
    return [{"sequence": t.sequence, "operation": t.operation, "keys": t.keys} for t in found]


def conflicts() -> dict[str, int]:
    """How many conflicts were raised since the last reset, by kind."""
    with _lock:
        return dict(_raised)


def reset() -> None:
    with _lock:
        _raised.clear()
