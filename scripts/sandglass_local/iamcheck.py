"""Check, while tests run, that every DynamoDB call a function makes is allowed by that
function's own policy in template.yaml (moto never evaluates IAM, so without this a missing
permission would only show after `sam deploy`)."""

from __future__ import annotations

import threading
from functools import lru_cache

from sandglass_local import template as tpl
from sandglass_local.gateway import CURRENT_FUNCTION

# What IAM checks for each API call (TransactWriteItems is authorized per contained action).
_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}

_lock = threading.Lock()
violations: list[str] = []


@lru_cache(maxsize=1)
def allowed_actions() -> dict[str, frozenset[str]]:
    allowed = {}
    for logical_id, resource in tpl.load()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        actions: set[str] = set()
        for policy in resource["Properties"].get("Policies", []):
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                if statement.get("Effect") == "Allow":
                    listed = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                    actions.update(a.split(":", 1)[1] for a in listed if a.startswith("dynamodb:"))
        allowed[logical_id] = frozenset(actions)
    return allowed


def _required(operation: str, params: dict) -> set[str]:
    if operation == "TransactWriteItems":
        return {_TRANSACT_ACTIONS[kind] for item in params.get("TransactItems", []) for kind in item}
    if operation == "TransactGetItems":
        return {"GetItem"}
    return {operation}


def _check(model, params, **_kwargs) -> None:
    function = CURRENT_FUNCTION.get()
    if function is None:
        return
    missing = _required(model.name, params) - allowed_actions().get(function, frozenset())
    if missing:
        with _lock:
            violations.append(f"{function} calls {model.name} but its policy lacks dynamodb:{', dynamodb:'.join(sorted(missing))}")


def install() -> None:
    """Hook every DynamoDB client created from now on from boto3's default session (clients copy
    the session's handlers). Call it after `mock_aws()` starts: moto swaps the default session."""
    import boto3

    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-call.dynamodb", _check, unique_id="sandglass-iam-check")


def take_violations() -> list[str]:
    with _lock:
        found = list(dict.fromkeys(violations))
        violations.clear()
    return found
