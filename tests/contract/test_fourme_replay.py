"""The 4me Timesheets contract replay (tests/contract/fourme_replay.py): every request example of the
reference answers its documented status and shape, every documented error 4me's `{"message"}`, and
docs/fourme.md's table says so (`make contract` rewrites it)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import fixed_clock
from tests.contract import fourme_operations, fourme_replay
from tests.contract.dialects import sync_doc_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "fourme.md"

# What still differs from the reference, and why (an empty dict once every request matches)
KNOWN_GAPS: dict[str, str] = {
    "error: No Bearer token: GET /v1/timesheets?organization_id=44&month_of=2016-02-15": fourme_replay.GATEWAY_ANSWER,
    "error: Not a member of the account: GET /v1/timesheets?organization_id=44&month_of=2016-02-15": fourme_replay.GATEWAY_ANSWER,
}


@pytest.fixture(autouse=True)
def clock():
    yield from fixed_clock(datetime(2016, 3, 1, 12, 0, tzinfo=timezone.utc))


def test_the_reference_has_seventeen_request_examples():
    try:
        examples = fourme_operations.load()
    except FileNotFoundError:
        pytest.skip("the 4me reference is not beside this checkout")
    assert len(examples) == 17
    assert {(e.method, e.path) for e in examples} == {("GET", "/v1/timesheets"), ("GET", "/v1/timesheets/incomplete"),
                                                      ("GET", "/v1/timesheets/day_totals"), ("POST", "/v1/timesheets/lock"),
                                                      ("DELETE", "/v1/timesheets/lock")}


def test_every_request_example_answers_the_documented_status_and_shape(api, seed):
    try:
        fourme_operations.find_reference()
    except FileNotFoundError:
        pytest.skip("the 4me reference is not beside this checkout")
    results = fourme_replay.run(api, seed)
    stale = sync_doc_table(DOC, "fourme-contract-table", fourme_replay.markdown_table(results))
    gaps = {f"{result.summary}: {result.request}": result.verdict for result in results if result.verdict != "matches"}
    assert {key: KNOWN_GAPS.get(key, verdict) for key, verdict in gaps.items()} == KNOWN_GAPS, gaps
    assert stale is None, stale
