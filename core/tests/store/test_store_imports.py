"""The store's modules import one way: a cycle means two modules hold one concept between them.

Every import counts, those under ``TYPE_CHECKING`` and inside functions too: a lazy import can
hide a cycle from Python, not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import packagers.store

PACKAGE = "packagers.store"


def _modules() -> dict[str, Path]:
    root = Path(packagers.store.__file__).parent
    found = {PACKAGE: root / "__init__.py"}
    for path in sorted(root.glob("*.py")):
        if path.name != "__init__.py":
            found[f"{PACKAGE}.{path.stem}"] = path
    return found


def _imported(name: str, path: Path, modules: set[str]) -> set[str]:
    """The store modules that the module ``name`` imports, wherever its import statements are."""
    package = PACKAGE if name == PACKAGE or path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            # ``from packagers.store import blobs`` names a module; ``import Store`` the package.
            targets.update(f"{base}.{alias.name}" for alias in node.names)
            targets.add(base)
    return {target for target in targets if target in modules and target != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imported(name, path, set(modules)) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (its modules in order, the first repeated), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        path.append(name)
        for target in sorted(graph[name]):
            found = visit(target)
            if found is not None:
                return found
        path.pop()
        done.add(name)
        return None

    for name in sorted(graph):
        found = visit(name)
        if found is not None:
            return found
    return None


def test_the_cycle_finder_finds_a_type_checking_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = _graph()
    assert f"{PACKAGE}.blobs" in graph[f"{PACKAGE}.maintenance"]  # at the top
    assert f"{PACKAGE}.sessions" in graph[f"{PACKAGE}.blobs"]  # under TYPE_CHECKING
    assert f"{PACKAGE}.index" in graph[f"{PACKAGE}.store"]  # inside a function
    assert f"{PACKAGE}.store" in graph[PACKAGE]  # the curated __init__


def test_store_modules_import_one_way() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, f"import cycle: {' -> '.join(cycle or [])}"
