"""Check, while tests run, that every AWS call a function makes (DynamoDB, SSM, SQS, SES...) is
allowed by that function's own policy in template.yaml (moto never evaluates IAM, so without this
a missing permission would only show after `sam deploy`).

The hook sits on botocore's BaseClient._make_api_call, so it sees every client, whichever session
built it (powertools' parameter providers create their own boto3 Session)."""

from __future__ import annotations

import threading
from functools import lru_cache

from sandglass_local import template as tpl
from sandglass_local.gateway import CURRENT_FUNCTION

# Calls IAM authorizes as other actions: transactions per contained action, batches as the single call.
_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}
_AUTHORIZED_AS = {
    ("dynamodb", "TransactGetItems"): {"GetItem"},
    ("sqs", "SendMessageBatch"): {"SendMessage"},
    ("sqs", "DeleteMessageBatch"): {"DeleteMessage"},
    ("sqs", "ChangeMessageVisibilityBatch"): {"ChangeMessageVisibility"},
}

_lock = threading.Lock()
_installed = False
violations: list[str] = []


@lru_cache(maxsize=1)
def allowed_actions() -> dict[str, frozenset[str]]:
    """Per function, the `service:Action` pairs its policy statements allow (e.g. `ssm:GetParameter`)."""
    allowed = {}
    for logical_id, resource in tpl.load()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        actions: set[str] = set()
        for policy in resource["Properties"].get("Policies", []):
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                if statement.get("Effect") == "Allow":
                    listed = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                    actions.update(a.lower() for a in listed)
        allowed[logical_id] = frozenset(actions)
    return allowed


def required_actions(service: str, operation: str, params: dict) -> set[str]:
    """The IAM actions (`prefix:Action`) one API call needs. `service` is the client's signing name,
    which is the IAM prefix (sesv2 signs as `ses`, as IAM names its actions)."""
    if (service, operation) == ("dynamodb", "TransactWriteItems"):
        names = {_TRANSACT_ACTIONS[kind] for item in params.get("TransactItems", []) for kind in item}
    else:
        names = _AUTHORIZED_AS.get((service, operation), {operation})
    return {f"{service}:{name}" for name in names}


def _check(service: str, operation: str, params: dict) -> None:
    function = CURRENT_FUNCTION.get()
    if function is None:
        return
    granted = allowed_actions().get(function, frozenset())
    missing = sorted(a for a in required_actions(service, operation, params) if a.lower() not in granted)
    if missing:
        with _lock:
            violations.append(f"{function} calls {service}:{operation} but its policy lacks {', '.join(missing)}")


def install() -> None:
    """Hook every botocore client (idempotent)."""
    global _installed
    if _installed:
        return
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def checked(self, operation_name, api_params):
        _check(self.meta.service_model.signing_name, operation_name, api_params or {})
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = checked
    _installed = True


def take_violations() -> list[str]:
    with _lock:
        found = list(dict.fromkeys(violations))
        violations.clear()
    return found
