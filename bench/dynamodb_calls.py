"""DynamoDB calls per API operation (moto in-process, same gateway emulation as the tests).

    python bench/dynamodb_calls.py

Builds an organization with one of each kind of data, then runs every route of template.yaml
once with a realistic call (`sandglass_local.operations.OPERATIONS`, real ids). Each row: the
operation, its status, read and write calls made by the authorizer plus the handler, Scan calls,
the calls by API name, and the operation's budget (`bench/dynamodb_budgets.json`: max reads and
writes). `tests/api/test_budgets.py` runs the same measurement and fails on any excess.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")

BUDGETS = Path(__file__).resolve().parent / "dynamodb_budgets.json"


def load_budgets(path: Path = BUDGETS) -> dict[str, dict]:
    """Operation ("METHOD /path") -> {"reads": max, "writes": max, "source": where the figure comes from}."""
    return json.loads(path.read_text())["operations"]


def over_budget(row, budgets: dict[str, dict]) -> list[str]:
    """What `row` (a sandglass_local.operations.Measured) spends beyond its budget ([] when within)."""
    budget = budgets.get(row.operation)
    if budget is None:
        return [f"{row.operation}: no budget in {BUDGETS.name}"]
    excess = []
    if row.counter.reads > budget["reads"]:
        excess.append(f"{row.operation}: {row.counter.reads} reads > budget {budget['reads']}")
    if row.counter.writes > budget["writes"]:
        excess.append(f"{row.operation}: {row.counter.writes} writes > budget {budget['writes']}")
    if row.counter.scans:
        excess.append(f"{row.operation}: {row.counter.scans} Scans (never allowed)")
    return excess


def table(rows, budgets: dict[str, dict]) -> str:
    width = max(len(row.operation) for row in rows) + 2
    lines = [f"{'operation':<{width}}{'status':>6}{'reads':>6}{'writes':>7}{'scans':>6}{'budget r/w':>12}  calls"]
    for row in rows:
        budget = budgets.get(row.operation)
        limit = f"{budget['reads']}/{budget['writes']}" if budget else "none"
        flag = " OVER" if over_budget(row, budgets) else ""
        detail = ", ".join(f"{name}×{count}" for name, count in sorted(row.counter.calls.items()))
        lines.append(f"{row.operation:<{width}}{row.status:>6}{row.counter.reads:>6}{row.counter.writes:>7}{row.counter.scans:>6}{limit:>12}  {detail}{flag}")
    return "\n".join(lines)


def main() -> int:
    import boto3
    from moto import mock_aws

    from sandglass_local import operations
    from sandglass_local import template as tpl
    from sandglass_local.gateway import Gateway

    with mock_aws():
        tpl.create_table(boto3.client("dynamodb"), "bench")
        gateway = Gateway(table_name="bench", environment={"JWT_SECRET": "bench-secret-bench-secret-bench-secret", "JWT_SECRET_PARAMETER": "",
                                                                 # the table only: no metric lines, no request logs
                                                                 "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "CRITICAL"})
        rows = operations.measure(gateway)
    budgets = load_budgets()
    print(table(rows, budgets))
    print("reads include the authorizer's GetItems (domain -> organization, member) on organization routes")
    missing = operations.missing_operations()
    if missing:
        print("routes with no call in sandglass_local.operations.OPERATIONS:", ", ".join(missing))
    over = [excess for row in rows for excess in over_budget(row, budgets)]
    for excess in over:
        print("OVER BUDGET", excess)
    return 1 if over or missing else 0


if __name__ == "__main__":
    sys.exit(main())
