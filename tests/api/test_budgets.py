"""DynamoDB call budgets: every operation of template.yaml, run once with a realistic call
(`sandglass_local.operations`, the same measurement as `bench/dynamodb_calls.py`), stays within
its budget in `bench/dynamodb_budgets.json`, and nothing ever Scans. Counts only, never time."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from sandglass_local import operations

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("dynamodb_calls_bench", ROOT / "bench" / "dynamodb_calls.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_route_has_a_realistic_call_and_a_budget(gateway):
    assert operations.missing_operations(gateway) == [], "add a Call to sandglass_local.operations.OPERATIONS"
    declared = {(route.method, route.path) for route in gateway.routes}
    assert sorted(f"{m} {p}" for m, p in operations.OPERATIONS.keys() - declared) == [], "calls for routes template.yaml no longer declares"
    budgets = _bench().load_budgets()
    assert set(budgets) <= {f"{m} {p}" for m, p in declared}, "budgets for routes template.yaml no longer declares"


def test_every_operation_stays_within_its_dynamodb_budget(gateway):
    bench = _bench()
    budgets = bench.load_budgets()
    rows = operations.measure(gateway)
    assert len(rows) == len(gateway.routes)
    refused = [f"{row.operation}: {row.status}" for row in rows if row.status >= 400]
    assert refused == [], "the realistic call of an operation must succeed for its count to mean anything"
    assert [row.operation for row in rows if row.counter.scans] == []
    over = [excess for row in rows for excess in bench.over_budget(row, budgets)]
    assert not over, "over budget:\n" + "\n".join(over) + "\n\n" + bench.table(rows, budgets)


SCAN = re.compile(r"\.scan\b|\bscan\(|[\"']Scan[\"']", re.IGNORECASE)


def test_no_scan_in_runtime_code():
    found = []
    for folder in ("layers", "functions"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if SCAN.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_scan_check_sees_the_spellings_it_forbids():
    for line in ('client.scan(TableName=t)', 'table.scan(**kwargs)', '_call("Scan", request)', "paginator('Scan')", "x = t.scan"):
        assert SCAN.search(line), line
    for line in ("scanned = 0", "def rescan_window():", "# scanning nothing"):
        assert not SCAN.search(line), line


def test_the_benchmarks_doc_shows_the_budgets_of_the_json_file():
    # the main table, and the same rows in the topic pages under docs/ for their own routes and functions
    document = "\n".join(path.read_text() for path in sorted((ROOT / "docs").glob("*.md")))
    shown = {}
    for line in document.splitlines():
        for operation, reads, writes in re.findall(r"\| `([A-Z]+ /[^`]*)` \| (\d+) \| (\d+) \|", line):
            shown[operation] = {"reads": int(reads), "writes": int(writes)}
    budgets = {operation: {"reads": budget["reads"], "writes": budget["writes"]} for operation, budget in _bench().load_budgets().items()}
    assert shown == budgets, "update the budgets table in docs/benchmarks.md from bench/dynamodb_budgets.json"
