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

WS = "/v1/workspaces/{workspaceId}"
# The operations this surface serves, in the order the replay calls them: the 32 tier-1 operations of
# research/clockify_compat.md §3.1, then the 8 webhook and the 3 entity-change operations.
TIER_ONE = [
    ("get", "/v1/user"), ("get", "/v1/workspaces"), ("get", WS), ("get", WS + "/users"),
    ("post", WS + "/tags"), ("get", WS + "/tags"), ("get", WS + "/tags/{id}"), ("put", WS + "/tags/{id}"),
    ("post", WS + "/clients"), ("get", WS + "/clients"), ("get", WS + "/clients/{id}"), ("put", WS + "/clients/{id}"),
    ("post", WS + "/projects"), ("get", WS + "/projects"), ("get", WS + "/projects/{projectId}"), ("put", WS + "/projects/{projectId}"),
    ("post", WS + "/projects/{projectId}/tasks"), ("get", WS + "/projects/{projectId}/tasks"),
    ("get", WS + "/projects/{projectId}/tasks/{taskId}"), ("put", WS + "/projects/{projectId}/tasks/{taskId}"),
    ("post", WS + "/time-entries"), ("get", WS + "/time-entries/{id}"), ("put", WS + "/time-entries/{id}"),
    ("get", WS + "/user/{userId}/time-entries"), ("post", WS + "/user/{userId}/time-entries"),
    ("patch", WS + "/user/{userId}/time-entries"), ("get", WS + "/time-entries/status/in-progress"),
    ("delete", WS + "/time-entries/{id}"), ("delete", WS + "/projects/{projectId}/tasks/{taskId}"),
    ("delete", WS + "/projects/{projectId}"), ("delete", WS + "/tags/{id}"), ("delete", WS + "/clients/{id}"),
]
WEBHOOKS = [
    ("post", WS + "/webhooks"), ("get", WS + "/webhooks"), ("get", WS + "/webhooks/{webhookId}"), ("put", WS + "/webhooks/{webhookId}"),
    ("patch", WS + "/webhooks/{webhookId}/token"), ("post", WS + "/webhooks/{webhookId}/logs"),
    ("get", WS + "/addons/{addonId}/webhooks"), ("delete", WS + "/webhooks/{webhookId}"),
]
ENTITY_CHANGES = [("get", WS + "/entities/created"), ("get", WS + "/entities/updated"), ("get", WS + "/entities/deleted")]
SERVED = TIER_ONE + WEBHOOKS + ENTITY_CHANGES


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


def _summary(lines: list[str], start: int) -> str:
    """The operation's title: the line before `Authorizations:`, or, when description paragraphs
    come between, the first line after the previous operation's last sample (JSON) or path."""
    if lines[start - 1]:
        return lines[start - 1]
    index = start - 1
    while index > 0 and not lines[index - 1].startswith(("}", "]", "/v1/")) and start - index < 40:
        index -= 1
    while not lines[index]:
        index += 1
    return lines[index]


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
        operation = {"summary": _summary(lines, start), "method": block[where], "path": block[where + 1], "request": None, "response": None, "status": None}
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
