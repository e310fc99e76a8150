"""First-party plugins and the example plugin reach the core through its public API only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    [*ROOT.glob("plugins/*/src/**/*.py"), *ROOT.glob("examples/plugin/src/**/*.py")],
    key=str,
)
#: The core's modules a plugin may import (docs/writing-a-plugin.md lists them).
PUBLIC = {
    "packagers",
    "packagers.formats",
    "packagers.plugin_api",
    "packagers.previews",
    "packagers.testing",
    "packagers.type_hints",
}


def _core_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            modules = [node.module]
            if node.module == "packagers":  # ``from packagers import _pickle`` names a module
                modules += [f"packagers.{a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        found += [m for m in modules if m == "packagers" or m.startswith("packagers.")]
    return found


def test_there_are_plugin_sources_to_check() -> None:
    assert len(SOURCES) > 20


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_plugin_imports_only_public_core_modules(path: Path) -> None:
    private = [module for module in _core_imports(path) if module not in PUBLIC]
    assert private == [], f"{path.name} imports {private}; use packagers.plugin_api instead"
