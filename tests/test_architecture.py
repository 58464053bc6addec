"""The import contract: which part of h5lint may import which, read from the source, and no import cycles.

parsers (bytes) -> ir (facts) -> keras (semantic layer) -> rules (policy, wording) -> engine -> reporters.
Rules know nothing about files or output; the semantic layer knows no rules; reporters know neither the
parsers nor the rules' logic; the byte-level libraries (hdf5, tensorbundle, pbwire, safeio) know nothing above them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "h5lint"
RULES = REPO / "rules"


def _module_name(path: Path) -> str:
    if path.is_relative_to(RULES):
        parts = ("h5lint", "rules", *path.relative_to(RULES).with_suffix("").parts)
    else:
        parts = ("h5lint", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST):
    """Every node but those under ``if TYPE_CHECKING:``, which never run."""
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))


def _imports(path: Path, module: str, modules: set[str]) -> set[str]:
    """Every h5lint module ``path`` imports, at the top or inside functions."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            named = {f"{base}.{alias.name}" for alias in node.names}
            found |= named
            if not named <= modules:  # "from .. import safeio" imports a module, not its package's names
                found.add(base)
    return {name for name in found if name == "h5lint" or name.startswith("h5lint.")}


def _graph() -> dict[str, set[str]]:
    files = [*PACKAGE.rglob("*.py"), *RULES.rglob("*.py")]
    modules = {_module_name(f): f for f in files}
    graph = {}
    for name, path in modules.items():
        # "from . import x" names a module or a name in a package: keep only what is a module of ours
        graph[name] = {m for m in _imports(path, name, set(modules)) if m in modules and m != name}
    return graph


GRAPH = _graph()


def _in(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


# (who, what it must not import)
CONTRACT = [
    ("h5lint.rules", ("h5lint.parsers", "h5lint.discover", "h5lint.engine", "h5lint.lint", "h5lint.runner", "h5lint.cli",
                      "h5lint.reporters", "h5lint.settings", "h5lint.hdf5", "h5lint.tensorbundle")),
    ("h5lint.keras", ("h5lint.rules", "h5lint.checks", "h5lint.parsers", "h5lint.discover", "h5lint.engine", "h5lint.lint",
                      "h5lint.runner", "h5lint.cli", "h5lint.reporters", "h5lint.settings", "h5lint.catalog")),
    ("h5lint.reporters", ("h5lint.parsers", "h5lint.keras", "h5lint.rules", "h5lint.checks", "h5lint.engine", "h5lint.lint",
                          "h5lint.discover", "h5lint.runner", "h5lint.cli")),
    ("h5lint.parsers", ("h5lint.rules", "h5lint.checks", "h5lint.reporters", "h5lint.engine", "h5lint.lint", "h5lint.runner",
                        "h5lint.cli", "h5lint.settings", "h5lint.catalog")),
    ("h5lint.ir", ("h5lint.parsers", "h5lint.keras", "h5lint.rules", "h5lint.checks", "h5lint.engine", "h5lint.lint")),
]
LIBRARIES = ("h5lint.hdf5", "h5lint.tensorbundle", "h5lint.pbwire", "h5lint.safeio", "h5lint.pickles", "h5lint.rawio")


@pytest.mark.parametrize("who,forbidden", CONTRACT, ids=[who for who, _ in CONTRACT])
def test_import_contract(who, forbidden):
    broken = sorted(
        (module, imported)
        for module, imports in GRAPH.items()
        if _in(module, who)
        for imported in imports
        if _in(imported, *forbidden)
    )
    assert broken == []


def test_byte_level_libraries_import_nothing_above_them():
    broken = sorted(
        (module, imported)
        for module, imports in GRAPH.items()
        if _in(module, *LIBRARIES)
        for imported in imports
        if not _in(imported, *LIBRARIES)
    )
    assert broken == []


def test_no_import_cycles():
    # Tarjan's strongly connected components over every import, lazy ones included.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(GRAPH.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    # A package's __init__ importing its own submodules is not a cycle worth failing on.
    real = [c for c in cycles if not all(m.startswith(min(c, key=len) + ".") or m == min(c, key=len) for m in c)]
    assert real == []


# How Keras serializes things: only the semantic layer (and parsers recognising a format) may know it.
ENCODING_MARKERS = ('"class_name"', '"registered_name"', '"module"', "__tuple__", "__lambda__", "keras_history",
                    "inbound_nodes", "__keras_tensor__")


def _attributes(path: Path) -> set[str]:
    return {node.attr for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Attribute)}


def test_no_module_outside_the_semantic_layer_decodes_keras_configs():
    # The raw config JSON (KerasConfig.model_config / .training_config) is read only by h5lint.keras, and by
    # h5lint.fix, which rewrites that JSON; rules and reporters never spell out how Keras encodes objects,
    # tensors or nodes.
    files = [*PACKAGE.rglob("*.py"), *RULES.rglob("*.py")]
    raw_readers = sorted(
        _module_name(f) for f in files if _attributes(f) & {"model_config", "training_config"}
    )
    assert [m for m in raw_readers if not _in(m, "h5lint.keras", "h5lint.fix")] == []
    encoders = sorted(
        (_module_name(f), marker)
        for f in files
        if _in(_module_name(f), "h5lint.rules", "h5lint.reporters", "h5lint.engine", "h5lint.lint", "h5lint.checks")
        for marker in ENCODING_MARKERS
        if marker in f.read_text(encoding="utf-8")
    )
    assert encoders == []


def test_every_package_is_installed():
    # A new sub-package must be listed in pyproject.toml, or pip install would leave it out.
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    packages = {_module_name(init) for init in PACKAGE.rglob("__init__.py")} | {"h5lint.rules"}
    assert sorted(packages - listed) == []
