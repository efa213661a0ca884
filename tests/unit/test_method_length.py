"""No function or method of the domain's rule and storage rooms (services, repositories, storage,
entities, dialects) or of the handlers (functions/) is longer than MAX_LINES: a long one mixes
steps (parse, authorize, read, decide, stage, commit) that read better as named functions.

Parsed with `ast` (nothing is imported). A function's length runs from its `def` line to its last
line, docstring and nested functions included (a nested function is also measured on its own).
ALLOWED lists the exceptions with the reason for each; it is empty, and should stay so.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "domain" / "sandglass"
ROOMS = [PACKAGE / room for room in ("services", "repositories", "storage", "entities", "dialects")] + [ROOT / "functions"]
MAX_LINES = 45

# "path relative to the repository:function name" -> why it may be longer. Only for a truly
# justified case (a table that reads best in one piece), never for a write path.
ALLOWED: dict[str, str] = {}


def lengths(path: Path) -> list[tuple[str, int, int]]:
    """(qualified name, first line, length) of every function and method in `path`."""
    found: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                found.append((name, child.lineno, child.end_lineno - child.lineno + 1))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), "")
    return found


def _sources() -> list[Path]:
    return sorted(path for room in ROOMS for path in room.rglob("*.py") if "__pycache__" not in path.parts)


def test_no_function_is_longer_than_the_limit():
    too_long = [f"{path.relative_to(ROOT)}:{line} {name} is {length} lines (at most {MAX_LINES})"
                for path in _sources() for name, line, length in lengths(path)
                if length > MAX_LINES and f"{path.relative_to(ROOT)}:{name}" not in ALLOWED]
    assert too_long == [], "split these into named steps:\n" + "\n".join(too_long)


def test_every_allowed_exception_still_exists_and_is_still_long():
    measured = {f"{path.relative_to(ROOT)}:{name}": length for path in _sources() for name, _, length in lengths(path)}
    stale = [entry for entry in ALLOWED if measured.get(entry, 0) <= MAX_LINES]
    assert stale == [], "no longer needed: remove these from ALLOWED"


def test_the_check_measures_functions_methods_and_nested_functions(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def short():\n    return 1\n\n\nclass Service:\n    def method(self):\n        def inner():\n"
                     "            return 2\n\n        return inner()\n\n    async def later(self):\n        return 3\n")
    assert lengths(probe) == [("short", 1, 2), ("Service.method", 6, 5), ("Service.method.inner", 7, 2), ("Service.later", 12, 2)]
    assert len(_sources()) > 100 and any(path.parts[-2:] == ("activities", "app.py") for path in _sources())
