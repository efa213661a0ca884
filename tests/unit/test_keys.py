"""Every organization-owned key starts with the organization's prefix; key strings live in keys.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sandglass import keys

ROOT = Path(__file__).resolve().parents[2]


def test_org_keys_carry_the_org_prefix():
    org = "o1"
    owned = [keys.organization(org), keys.user(org, "u"), keys.project(org, "p"), keys.project_member(org, "p", "m"),
             keys.activity(org, "a"), keys.running_timer(org, "u"), keys.idempotency(org, "u", "h"),
             keys.user_preferences(org, "u"), keys.rate_set_lock(org, keys.cost_rates_prefix("u")),
             keys.rate_item_key(org, keys.revenue_rates_prefix("p", "m"), "r"),
             keys.due_entry(org, keys.JOB_AUTO_LOCK), keys.reminder_marker(org, "2026-W46", "u"),
             keys.request(org, "r"), keys.pending_request(org, "TIMESHEET_UNLOCK", "d"), keys.sign_in_grant(org, "t")]
    for key in owned:
        assert keys.belongs_to_org(key["PK"], org)
    for partition in [keys.user_partition(org, "u"), keys.project_partition(org, "p"), keys.month_partition(org, "2026-07"),
                      keys.project_list_partition(org), keys.request_list_partition(org)]:
        assert partition.startswith(keys.org_prefix(org))
    assert not keys.belongs_to_org("ORG#o10", org)
    assert keys.org_id_of_partition(keys.user_partition(org, "u")) == org == keys.org_id_of_partition(keys.org_pk(org))


def _string_literals(tree: ast.AST):
    """Every string constant of a module except docstrings (f-string parts included)."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_key_strings_are_built_only_in_keys_py():
    """No other module of the domain package spells a key prefix (``ORG#``, ``USER#``...) or an
    index attribute name (``GSI1PK``) in its code."""
    package = ROOT / "layers" / "domain" / "sandglass"
    pattern = re.compile(r"^[A-Z]{2,}#|\bGSI\d(PK|SK)\b")
    offenders = []
    for path in package.rglob("*.py"):
        if path.name == "keys.py":
            continue
        for line, text in _string_literals(ast.parse(path.read_text())):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert offenders == []


def test_services_never_touch_storage():
    """Services speak to repositories only: no storage import, no expression, no index name."""
    services = ROOT / "layers" / "domain" / "sandglass" / "services"
    offenders = []
    for path in services.rglob("*.py"):
        text = path.read_text()
        for needle in ("sandglass.storage", "ConditionExpression", "attribute_exists", "keys.GSI", "keys.gsi_", "begins_with"):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []
