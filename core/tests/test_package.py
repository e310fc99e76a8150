"""The package's own namespace: cheap to import, every public name reachable on first access."""

from __future__ import annotations

import subprocess
import sys

import pytest

import packagers


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
