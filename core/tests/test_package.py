"""The package's own namespace: cheap to import, every public name reachable on first access."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import packagers
from packagers import plugin_api


def test_import_loads_only_the_error_hierarchy() -> None:
    """Plugins' entry points and the command import packagers first; it must cost nothing."""
    code = (
        "import sys; before = set(sys.modules); import packagers; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    assert [name for name in loaded if name.startswith("packagers")] == [
        "packagers",
        "packagers._errors",
    ]
    assert "typing" not in loaded
    assert "json" not in loaded


def test_every_public_name_resolves() -> None:
    for name in packagers.__all__:
        assert getattr(packagers, name) is not None, name
    assert packagers.config is sys.modules["packagers._config"].config


def test_dir_lists_the_public_names() -> None:
    assert dir(packagers) == sorted(packagers.__all__)


def test_type_checking_flag_is_not_an_attribute() -> None:
    assert "TYPE_CHECKING" not in vars(packagers)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        packagers.no_such_name  # noqa: B018


def _lazy_sources(module: ModuleType) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """The ``TYPE_CHECKING`` imports of a lazy module (name -> (module, name there)), and its
    names bound eagerly by ``from ... import``."""
    tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
    checked: dict[str, tuple[str, str]] = {}
    eager: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for line in node.body:
                assert isinstance(line, ast.ImportFrom) and line.module is not None
                for alias in line.names:
                    checked[alias.asname or alias.name] = (line.module, alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module not in ("__future__", "typing"):
            eager.update(alias.asname or alias.name for alias in node.names)
    return checked, eager


@pytest.mark.parametrize("module", [packagers, plugin_api], ids=lambda module: module.__name__)
def test_the_lazy_table_is_the_one_source_of_the_public_names(module: ModuleType) -> None:
    """``__all__`` and the imports type checkers read must say what ``_LAZY`` says."""
    checked, eager = _lazy_sources(module)
    lazy = {
        name: target if isinstance(target, tuple) else (target, name)
        for name, target in module._LAZY.items()
    }
    assert checked == lazy
    version = {"__version__"} if hasattr(module, "__version__") else set()
    assert sorted(module.__all__) == sorted({*lazy, *eager, *version})


def test_plugin_api_names_resolve_and_stay_lazy() -> None:
    code = (
        "import sys; import packagers.plugin_api as api; "
        "print('packagers._pickle' in sys.modules); api.warn; api.dump_pickle; "
        "print('packagers._pickle' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    assert out == ["False", "True"]
    for name in plugin_api.__all__:
        assert getattr(plugin_api, name) is not None, name
    assert dir(plugin_api) == sorted(plugin_api.__all__)
