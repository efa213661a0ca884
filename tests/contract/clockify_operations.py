"""The Clockify reference's (seeds/001) operations served on the Clockify surface, with their
example request and response, read from the reference text.

The reference is a scraped API page: each operation is its summary line, `Authorizations:`, its
parameters, its method and path on two lines, then "Request samples" / "Response samples" with the
examples' JSON. Operation ids are not in it: the summary names each operation."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "post", "put", "patch", "delete")

# The tier-1 operations this surface serves (research/clockify_compat.md §3.1; tags, clients and tasks
# are served by their own routes when they land)
SERVED = [
    ("get", "/v1/user"), ("get", "/v1/workspaces"), ("get", "/v1/workspaces/{workspaceId}"), ("get", "/v1/workspaces/{workspaceId}/users"),
    ("get", "/v1/workspaces/{workspaceId}/projects"), ("post", "/v1/workspaces/{workspaceId}/projects"),
    ("get", "/v1/workspaces/{workspaceId}/projects/{projectId}"), ("put", "/v1/workspaces/{workspaceId}/projects/{projectId}"),
    ("delete", "/v1/workspaces/{workspaceId}/projects/{projectId}"),
    ("post", "/v1/workspaces/{workspaceId}/time-entries"), ("get", "/v1/workspaces/{workspaceId}/time-entries/{id}"),
    ("put", "/v1/workspaces/{workspaceId}/time-entries/{id}"), ("delete", "/v1/workspaces/{workspaceId}/time-entries/{id}"),
    ("get", "/v1/workspaces/{workspaceId}/user/{userId}/time-entries"), ("post", "/v1/workspaces/{workspaceId}/user/{userId}/time-entries"),
    ("patch", "/v1/workspaces/{workspaceId}/user/{userId}/time-entries"),
    ("get", "/v1/workspaces/{workspaceId}/time-entries/status/in-progress"),
]


def find_reference() -> Path:
    for base in (ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds", Path("/work/shared/seeds")):
        found = sorted(base.glob("001_*.txt")) if base.is_dir() else []
        if found:
            return found[0]
    raise FileNotFoundError("the Clockify reference (seeds/001_*.txt) is not beside this checkout")


def _json_after(lines: list[str], start: int) -> tuple[object, int]:
    """The JSON value that starts at the first line from `start` opening with { or [."""
    index = start
    while index < len(lines) and not lines[index].startswith(("{", "[")):
        index += 1
    depth, chunk = 0, []
    for position in range(index, len(lines)):
        line = lines[position]
        chunk.append(line)
        depth += line.count("{") + line.count("[") - line.count("}") - line.count("]")
        if depth <= 0:
            return json.loads("\n".join(chunk)), position + 1
    raise ValueError(f"unbalanced JSON from line {index}")


def operations_in(text: str) -> list[dict]:
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line == "Authorizations:"]
    found = []
    for number, start in enumerate(starts):
        end = starts[number + 1] - 1 if number + 1 < len(starts) else len(lines)
        block = lines[start:end]
        where = next((i for i, line in enumerate(block[:-1]) if line in METHODS and block[i + 1].startswith("/v1/")), None)
        if where is None:
            continue
        operation = {"summary": lines[start - 1], "method": block[where], "path": block[where + 1], "request": None, "response": None, "status": None}
        if "Request samples" in block:
            try:
                operation["request"], _ = _json_after(block, block.index("Request samples"))
            except ValueError:
                pass
        statuses = [re.match(r"^(\d{3}) ", line) for line in block[:where]]
        codes = [match.group(1) for match in statuses if match]
        operation["status"] = int(codes[0]) if codes else None
        if "Response samples" in block:
            try:
                operation["response"], _ = _json_after(block, block.index("Response samples"))
            except ValueError:
                pass
        found.append(operation)
    return found


def load() -> list[dict]:
    """The served operations as the reference documents them (in SERVED order)."""
    every = {(operation["method"], operation["path"]): operation for operation in operations_in(find_reference().read_text())}
    return [every[key] for key in SERVED if key in every]
