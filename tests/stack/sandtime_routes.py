"""Regenerate sandtime_routes.txt from the Sandtime reference beside the checkout (shared/seeds)."""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[2] / "shared" / "seeds" / "000_9007353d5e24101f.txt"
HEADER = """# Every route of the Sandtime reference (shared/seeds/000_9007353d5e24101f.txt), one per line:
# METHOD PATH. Kept in the repository so the template test runs in any checkout; regenerate it
# with `python tests/stack/sandtime_routes.py` when the reference changes.
"""


def routes_in(reference: str) -> set[tuple[str, str]]:
    current, found = None, set()
    for line in reference.splitlines():
        if re.match(r"^/[a-z]", line):
            current = line.strip()
        elif line.strip() in {"GET", "POST", "PUT", "DELETE", "PATCH"} and current:
            found.add((line.strip(), current))
    return found


def load() -> set[tuple[str, str]]:
    lines = (HERE / "sandtime_routes.txt").read_text().splitlines()
    return {tuple(line.split(" ", 1)) for line in lines if line and not line.startswith("#")}


if __name__ == "__main__":
    routes = sorted(routes_in(REFERENCE.read_text()), key=lambda route: (route[1], route[0]))
    (HERE / "sandtime_routes.txt").write_text(HEADER + "".join(f"{method} {path}\n" for method, path in routes))
    print(f"{len(routes)} routes")
