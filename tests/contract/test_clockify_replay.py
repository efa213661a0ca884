"""The Clockify contract replay (tests/contract/clockify_replay.py): every served operation of the
Clockify reference answers its example in the example's shape, and docs/clockify.md's table says so
(`make contract` rewrites it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.changes.conftest import streaming  # noqa: F401 (fixture: the entity-change feeds read the change log)
from tests.conftest import fixed_clock
from tests.contract import clockify_operations, clockify_replay
from tests.contract.dialects import sync_doc_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "clockify.md"


@pytest.fixture(autouse=True)
def clock():
    from datetime import datetime, timezone

    yield from fixed_clock(datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc))


def test_the_reference_documents_every_served_operation():
    try:
        operations = clockify_operations.load()
    except FileNotFoundError:
        pytest.skip("the Clockify reference is not beside this checkout")
    assert [(o["method"], o["path"]) for o in operations] == clockify_operations.SERVED


def test_every_served_operation_answers_in_the_reference_shape(api, seed, streaming):  # noqa: F811
    try:
        clockify_operations.find_reference()
    except FileNotFoundError:
        pytest.skip("the Clockify reference is not beside this checkout")
    results = clockify_replay.run(api, seed)
    stale = sync_doc_table(DOC, "clockify-contract-table", clockify_replay.markdown_table(results))
    assert {result.summary: result.verdict for result in results if result.verdict != "matches"} == {}
    assert len({(result.method, result.path.split("?")[0]) for result in results}) == len(clockify_operations.SERVED) == 43
    assert stale is None, stale
