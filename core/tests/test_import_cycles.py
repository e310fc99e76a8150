"""The core's modules import one way: none imports a module that imports it back, not even
under ``TYPE_CHECKING`` or inside a function, so each can be read knowing only those below it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ImportCycles = Callable[[str], list[list[str]]]
ImportGraph = Callable[[str], dict[str, set[str]]]


def test_the_core_has_no_import_cycle(import_cycles: ImportCycles) -> None:
    assert import_cycles("packagers") == []


def test_the_store_never_imports_the_manager(import_graph_of: ImportGraph) -> None:
    """Packing and linking happen before the store is handed finished packages: no store module
    reaches the manager (nor the commands or the UI), even through another module (the lazy
    ``packagers`` package, whose names load on first use, is not followed)."""
    graph = import_graph_of("packagers")
    above = ("packagers.manager", "packagers.cli", "packagers.ui", "packagers.projects")
    for module in (name for name in graph if name.startswith("packagers.store")):
        seen, todo = set(), [module]
        while todo:
            for target in graph[todo.pop()] - seen - {"packagers"}:
                seen.add(target)
                todo.append(target)
        reached = sorted(name for name in seen if name.startswith(above))
        assert not reached, f"{module} imports {reached}"


def test_a_cycle_through_type_checking_and_relative_imports_is_found(
    import_cycles: ImportCycles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cyclic"
    (package / "inner").mkdir(parents=True)
    sources = {
        "__init__.py": "from cyclic.a import A\n",
        "a.py": "from cyclic.b import B\n\nclass A: ...\n",
        "b.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .a import A\n",
        "c.py": "from cyclic import a\n",  # one way only
        "inner/__init__.py": "",
        "inner/d.py": "def f():\n    from .. import c\n",
        "inner/e.py": "import cyclic.inner.d\n",
    }
    for name, source in sources.items():
        (package / name).write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("cyclic") == [["cyclic.a", "cyclic.b", "cyclic.a"]]
    (package / "c.py").write_text("import cyclic.inner.e\n")  # c -> e -> d -> c
    assert sorted(import_cycles("cyclic")) == [
        ["cyclic.a", "cyclic.b", "cyclic.a"],
        ["cyclic.c", "cyclic.inner.e", "cyclic.inner.d", "cyclic.c"],
    ]
