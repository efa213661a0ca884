"""The Clockify OpenAPI document (functions/openapi/clockify.json, `make openapi`) names every served
operation with the reference's operationId, and serves exactly the reference operations the replay
covers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.contract import clockify_operations

DOCUMENT = Path(__file__).resolve().parents[2] / "functions" / "openapi" / "clockify.json"
OWN = {("get", "/openapi.json"), ("get", "/openapi-clockify.json")}  # the documents themselves


def served() -> dict[tuple[str, str], str]:
    document = json.loads(DOCUMENT.read_text())
    return {(method, path): operation["operationId"] for path, methods in document["paths"].items()
            for method, operation in methods.items() if isinstance(operation, dict) and "operationId" in operation and (method, path) not in OWN}


def test_every_served_operation_carries_the_reference_operation_id():
    ours = served()
    assert set(ours) == set(clockify_operations.SERVED)
    assert {key: operation_id for key, operation_id in ours.items() if operation_id != clockify_operations.OPERATION_IDS[key][0]} == {}


def test_the_recorded_operation_ids_name_the_reference_operations():
    """Each recorded id belongs to the operation the reference documents at that method and path
    (its summary there is the one recorded with the id)."""
    try:
        text = clockify_operations.find_reference().read_text()
    except FileNotFoundError:
        pytest.skip("the Clockify reference is not beside this checkout")
    summaries = {(operation["method"], operation["path"]): operation["summary"] for operation in clockify_operations.operations_in(text)}
    assert set(clockify_operations.OPERATION_IDS) == set(clockify_operations.SERVED)
    assert {key: summary for key, (_, summary) in clockify_operations.OPERATION_IDS.items() if summaries.get(key) != summary} == {}
    ids = [operation_id for operation_id, _ in clockify_operations.OPERATION_IDS.values()]
    assert len(set(ids)) == len(ids)
