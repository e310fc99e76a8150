"""Warnings point at the user's line, however deep inside packagers they are raised."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import packagers
from packagers import DataItem, PackagersManager, config
from packagers._builtin import PicklePackager
from packagers.manager import _pack


class Thing:
    def __init__(self, value: int) -> None:
        self.value = value


def _two() -> tuple[int, int]:
    return 1, 2


def _warned(action: Callable[[], Any]) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    assert caught, "no warning"
    return caught


def test_values_without_hints_warn_at_the_managers_caller() -> None:
    with PackagersManager() as manager:
        (warning,) = _warned(lambda: manager.pack_outputs((1, 2), []))
    assert "has no log hints" in str(warning.message)
    assert warning.filename == __file__


def test_values_without_hints_warn_at_the_line_calling_run(tmp_path: Any) -> None:
    (warning,) = _warned(lambda: packagers.run(_two, store=str(tmp_path / "store")))
    assert "has no log hints" in str(warning.message)
    assert warning.filename == __file__


@pytest.fixture
def without_numpy_plugin() -> Iterator[Any]:
    np = pytest.importorskip("numpy")
    _pack._warn_missing_family.cache_clear()
    with config.override(plugins__blocked=["numpy"], pickle__policy="allow"):
        yield np
    _pack._warn_missing_family.cache_clear()


def test_a_missing_plugin_warns_at_the_line_packing(without_numpy_plugin: Any) -> None:
    with PackagersManager() as manager:
        (warning,) = _warned(lambda: manager.pack(without_numpy_plugin.arange(3), "a"))
    assert "pickled because its plugin is not installed" in str(warning.message)
    assert warning.filename == __file__


def test_the_pickle_policy_warns_at_the_line_unpacking() -> None:
    with PackagersManager([PicklePackager]) as manager:
        package = manager.pack(Thing(3), "thing")
        item = DataItem(package.artifact.src_path, manifest=package.manifest)
        (warning,) = _warned(lambda: manager.unpack(item))
    assert "runs code from the file" in str(warning.message)
    assert warning.filename == __file__


def test_a_config_near_miss_warns_at_the_line_reading_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS_PICKLE__POLICY", "deny")
    config.reset()
    (warning,) = _warned(lambda: config.pickle.policy)
    assert "did you mean 'MLRUN_PACKAGERS__PICKLE__POLICY'" in str(warning.message)
    assert warning.filename == __file__
