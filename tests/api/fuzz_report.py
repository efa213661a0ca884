"""Print what a fuzz run reached: per operation, the documented statuses each role got and the
ones nobody got. `python -m tests.api.fuzz_report REPORT` (REPORT: what FUZZ_REPORT collected)."""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict


def documented_statuses() -> dict[str, set[int]]:
    from sandglass_local.gateway import Gateway
    from sandglass_local.openapi import merged_schema

    document = merged_schema(Gateway(table_name="sandglass-report", environment={"JWT_SECRET": "x" * 32, "JWT_SECRET_PARAMETER": ""}))
    return {f"{method.upper()} {path}": {int(status) for status in operation["responses"]}
            for path, operations in document["paths"].items() for method, operation in operations.items()}


def main(path: str) -> int:
    seen: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    cases = 0
    with open(path) as report:
        for line in report:
            record = json.loads(line)
            seen[record["operation"]][record["role"]][record["status"]] += 1
            cases += 1
    never_seen: Counter = Counter()
    print(f"{'operation':62} {'Administrator':28} {'User':28} never")
    for operation, documented in sorted(documented_statuses().items(), key=lambda item: item[0].split(" ", 1)[::-1]):
        by_role = seen.get(operation, {})
        reached = {status for counts in by_role.values() for status in counts}
        missing = sorted(documented - reached)
        never_seen.update(missing)
        cells = [",".join(str(status) for status in sorted(by_role.get(role, {}))) or "-" for role in ("Administrator", "User")]
        print(f"{operation:62} {cells[0]:28} {cells[1]:28} {','.join(map(str, missing))}")
    print(f"\n{cases} cases; documented statuses never reached (operations): "
          + ", ".join(f"{status} ({count})" for status, count in sorted(never_seen.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
