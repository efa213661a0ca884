"""The import graph of the domain package and the handlers: no circle, arrows point down only, no
function-local import of the package.

Every module of `layers/domain/sandglass` and every `functions/<group>/app.py` is parsed with `ast`
(nothing is imported); each `import` / `from ... import` that names the package, at module level
or inside a function, is an edge. The rules:

- no cycle;
- layers point down only (LAYERS below): a module imports its own layer's package, or a lower
  layer, never a higher one and never a sibling layer of the same rank (services never import
  adapters or http; storage never imports repositories or services; entities import only the
  leaf modules);
- no function-local import of `sandglass` (lazy imports of heavy third-party libraries are fine).

A module that imports some of the package on first use (for cold start: the MCP tool catalog)
names those modules in a module-level `LAZY_IMPORTS` tuple of strings and imports only those,
through `importlib`; each is an edge of that module here, under the same rules.

KNOWN_OFFENDERS lists the edges that break a rule today (all in rooms being reworked). It may
only shrink: an edge that no longer exists fails the test until it is removed from the list, and
no new edge may be added to it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "domain" / "sandglass"
FUNCTIONS = ROOT / "functions"

# rank: a module may import modules of a lower rank, or of its own group; never higher, never a
# different group of the same rank. Top-level modules not named here are leaves (rank 0).
LAYERS: dict[str, tuple[int, str]] = {
    "entities": (1, "entities"),
    "ports": (2, "ports"),
    "models": (2, "models"),
    "storage": (2, "storage"),
    "repositories": (3, "repositories"),
    "adapters": (4, "adapters"),
    "notifications": (4, "adapters"),  # the notifier port and adapters under their old names
    "services": (4, "services"),
    "http": (5, "http"),
    "mcp": (5, "mcp"),
    "dialects": (6, "dialects"),  # a wire dialect builds on the shared HTTP plumbing (resolver, tenant)
    "composition": (7, "composition"),
}
FUNCTION_LAYER = (8, "functions")

# (importer, imported, why): known offenders outside the rooms already reworked. ONLY SHRINKS.
KNOWN_OFFENDERS: set[tuple[str, str, str]] = set()


def _module_name(path: Path) -> str:
    if path.is_relative_to(FUNCTIONS):
        return "functions." + ".".join(path.relative_to(FUNCTIONS).with_suffix("").parts)
    parts = ("sandglass", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    paths = [*PACKAGE.rglob("*.py"), *FUNCTIONS.glob("*/app.py")]
    return {_module_name(path): path for path in paths if "__pycache__" not in path.parts}


def _resolve(name: str, modules: set[str]) -> str:
    """The longest module of ours that `name` names (an attribute import names its module)."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _imports(module: str, path: Path, modules: set[str]) -> list[tuple[str, bool]]:
    """(imported module, function-local?) for every import of the package in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                names = [f"{base}.{alias.name}" for alias in child.names]
            for name in names:
                if name == "sandglass" or name.startswith("sandglass."):
                    found.append((_resolve(name, modules), local))
            visit(child, inner)

    visit(tree, False)
    for node in tree.body:  # LAZY_IMPORTS = ("sandglass.x", ...): imported on first use, checked as module-level imports
        if isinstance(node, ast.Assign) and any(isinstance(target, ast.Name) and target.id == "LAZY_IMPORTS" for target in node.targets):
            found += [(_resolve(name, modules), False) for name in ast.literal_eval(node.value)]
    return found


def _layer(module: str) -> tuple[int, str]:
    if module.startswith("functions."):
        return FUNCTION_LAYER
    parts = module.split(".")
    if len(parts) == 1:
        return (0, "leaves")
    return LAYERS.get(parts[1], (0, "leaves"))  # the leaf modules (keys, ids, errors, settings...) may import one another


def _graph() -> tuple[dict[str, set[str]], set[tuple[str, str, str]]]:
    sources = _sources()
    modules = set(sources)
    edges: dict[str, set[str]] = defaultdict(set)
    offences: set[tuple[str, str, str]] = set()
    for module, path in sources.items():
        for imported, local in _imports(module, path, modules):
            if imported == module or module.startswith(imported + "."):
                continue  # a package's own __init__ on the way to its module
            if local:
                offences.add((module, imported, "function-local"))
            (rank, group), (their_rank, their_group) = _layer(module), _layer(imported)
            if group != their_group and their_rank >= rank:
                offences.add((module, imported, "upward" if their_rank > rank else "sideways"))
            if (module, imported, "function-local") not in KNOWN_OFFENDERS:
                edges[module].add(imported)
    return edges, offences


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_package():
    edges, _ = _graph()
    assert "sandglass.services.organizations" in edges and "functions.workspace.app" in edges
    assert "sandglass.repositories.organizations" in edges["sandglass.services.organizations"]


def test_no_import_cycle():
    """Function-local imports of the known offenders are left out: they are what glues today's
    circles (reports <-> reports_export); each is listed, and the list shrinks."""
    edges, _ = _graph()
    assert _cycles(edges) == []


def test_layers_point_down_and_nothing_is_imported_inside_a_function():
    _, offences = _graph()
    assert sorted(offences - KNOWN_OFFENDERS) == [], "a new upward, sideways or function-local import of the package"


def test_the_known_offenders_only_shrink():
    _, offences = _graph()
    assert sorted(KNOWN_OFFENDERS - offences) == [], "fixed: remove these from KNOWN_OFFENDERS"


def test_the_checker_sees_local_relative_and_attribute_imports(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text("from sandglass import keys\nfrom . import clock\nLAZY_IMPORTS = ('sandglass.services.users',)\n\n\n"
                      "def run():\n    from sandglass.services import users\n    return users\n")
    modules = {"sandglass.keys", "sandglass.clock", "sandglass.services.users", "sandglass.services"}
    assert sorted(_imports("sandglass.probe", source, modules)) == [
        ("sandglass.clock", False), ("sandglass.keys", False), ("sandglass.services.users", False), ("sandglass.services.users", True)]
    assert _layer("sandglass.services.users") > _layer("sandglass.repositories.users") > _layer("sandglass.entities.organizations")
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
