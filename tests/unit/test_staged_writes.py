"""Writes of the workflow, lock, project, rate and geofence repositories go through a unit of work:
no method of theirs hands raw storage operations to a service (the one exception is the lock
condition the activities write guard passes to the activity repository's transaction)."""

from __future__ import annotations

import ast
from pathlib import Path

REPOSITORIES = Path(__file__).resolve().parents[2] / "layers" / "domain" / "sandglass" / "repositories"
STAGED = ("requests.py", "locks.py", "projects.py", "rates.py", "geofences.py")
ALLOWED = {("locks.py", "unchanged")}


def test_no_repository_method_returns_raw_operations():
    offenders = []
    for name in STAGED:
        tree = ast.parse((REPOSITORIES / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.returns is not None and (name, node.name) not in ALLOWED:
                returned = ast.unparse(node.returns)
                if "Op" in returned.replace("Optional", "") or "WriteCondition" in returned:
                    offenders.append(f"{name}:{node.lineno} {node.name} -> {returned}")
    assert offenders == []


def test_staging_methods_take_the_unit_of_work_first():
    for name in STAGED:
        tree = ast.parse((REPOSITORIES / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith(("stage_", "_stage_")):
                first = next(argument for argument in node.args.args if argument.arg != "self")
                assert (first.arg, ast.unparse(first.annotation)) == ("tx", "UnitOfWork"), f"{name}:{node.lineno} {node.name}"
