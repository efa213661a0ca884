"""Regenerate sandtime_operations.json from the Sandtime reference (shared/seeds beside the checkout).

Every operation of the reference, in its order: the operation id, its group, method, path template,
the example's own path (with the example's ids), the documented status, the example request body
(when the reference shows one) and the example response. The contract replay reads the JSON only,
so it runs in any clone; run `python tests/contract/sandtime_operations.py [REFERENCE]` when the
reference changes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE_NAME = Path("shared") / "seeds" / "000_9007353d5e24101f.txt"
METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"}


def find_reference() -> Path:
    """The reference beside the checkout: /work/shared for /work/main, and for worktrees further up."""
    for folder in HERE.parents:
        if (folder / REFERENCE_NAME).is_file():
            return folder / REFERENCE_NAME
    raise SystemExit(f"{REFERENCE_NAME} not found above {HERE}; pass its path as the first argument")


def operations_in(reference: str) -> list[dict]:
    decoder = json.JSONDecoder()
    group = path = method = None
    operations: list[dict] = []
    lines = reference.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def example_after(index: int):
        text = reference[offsets[index + 1]:]
        value, _ = decoder.raw_decode(text.lstrip())
        return value

    previous = ""
    for index, raw in enumerate(lines):
        line = raw.strip()
        # a group heading is one capitalized word; a route's title (one word too) follows its path
        if re.fullmatch(r"[A-Z][a-z]+", line) and not previous.startswith("/"):
            group = line
        elif re.match(r"^/[a-z]", raw):
            path = line
        elif line in METHODS and path:
            method = line
        elif found := re.search(r"Statut de réponse: (\d+)ID d'opération: (\S+)", line):
            operations.append({"operationId": found[2], "group": group, "method": method, "path": path,
                               "status": int(found[1]), "examplePath": None, "requestBody": None, "response": None})
        elif operations and (url := re.match(r"curl -X (\w+) '[^']*?/api(/[^']*)'", line)):
            assert url[1] == operations[-1]["method"], line
            operations[-1]["examplePath"] = url[2]
        elif operations and line == "Exemple de corps de requête":
            operations[-1]["requestBody"] = example_after(index)
        elif operations and line == "Exemple de réponse":
            operations[-1]["response"] = example_after(index)
        previous = line or previous
    return operations


def load() -> list[dict]:
    return json.loads((HERE / "sandtime_operations.json").read_text())["operations"]


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else find_reference()
    found = operations_in(source.read_text())
    document = {
        "source": f"{REFERENCE_NAME} (regenerate: python tests/contract/sandtime_operations.py)",
        "operations": found,
    }
    (HERE / "sandtime_operations.json").write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(found)} operations")
