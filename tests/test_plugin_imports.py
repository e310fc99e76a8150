"""First-party plugins and the example plugin reach the core through its public API only."""

from __future__ import annotations

import ast
import importlib
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


def _imported_names(path: Path) -> list[tuple[str, str]]:
    """``(module, name)`` for each ``from <public core module> import name``."""
    return [
        (node.module, alias.name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module in PUBLIC
        for alias in node.names
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_plugin_imports_only_the_public_names_of_those_modules(path: Path) -> None:
    """A public module's ``__all__`` is its API: anything else in it may change."""
    private = [
        f"{module}.{name}"
        for module, name in _imported_names(path)
        if name not in importlib.import_module(module).__all__ and f"{module}.{name}" not in PUBLIC
    ]
    assert private == [], f"{path.name} imports {private}, which their modules do not export"
