"""The Sonderplan contract replay (tests/contract/sonderplan_replay.py): the reference's request
example answers its documented status and shape and reads back as sent; docs/sonderplan.md's table
says so (`make contract` rewrites it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import fixed_clock
from tests.contract import sonderplan_replay
from tests.contract.dialects import sync_doc_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "sonderplan.md"


@pytest.fixture(autouse=True)
def clock():
    from datetime import datetime, timezone

    yield from fixed_clock(datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc))


def test_the_reference_has_its_one_request_example():
    try:
        examples = sonderplan_replay.load()
    except FileNotFoundError:
        pytest.skip("the Sonderplan reference is not beside this checkout")
    assert [(example.method, example.path, example.status) for example in examples] == [("POST", "/v2/time-entry", 200)]
    assert examples[0].headers["Authorization"].startswith("Bearer ")


def test_every_request_example_answers_in_the_reference_shape(api, seed):
    try:
        sonderplan_replay.find_reference()
    except FileNotFoundError:
        pytest.skip("the Sonderplan reference is not beside this checkout")
    results = sonderplan_replay.run(api, seed)
    stale = sync_doc_table(DOC, "sonderplan-contract-table", sonderplan_replay.markdown_table(results))
    assert {result.operation: result.verdict for result in results if result.verdict != "matches"} == {}
    assert stale is None, stale
