"""Shared fixtures of the stdlib plugin tests: managers and a type-exact comparison."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from packagers import PackagersManager, PackagersWarning, config, plugin_api
from packagers._builtin import PicklePackager
from packagers.plugins import clear_cache
from packagers_stdlib import PACKAGERS


def assert_exact(expected: Any, actual: Any, where: str = "value") -> None:
    """``==`` that also checks every type at every depth (1, 1.0 and True differ; -0.0 and nan
    are compared by sign and by ``isnan``)."""
    assert type(actual) is type(expected), f"{where}: {type(expected)} became {type(actual)}"
    if isinstance(expected, float):
        if math.isnan(expected):
            assert math.isnan(actual), f"{where}: {actual!r} is not nan"
        else:
            assert actual == expected, f"{where}: {expected!r} became {actual!r}"
            assert math.copysign(1, actual) == math.copysign(1, expected), f"{where}: sign"
    elif isinstance(expected, dict):
        assert list(actual) == list(expected), f"{where}: keys {list(expected)} -> {list(actual)}"
        for (key, value), actual_key in zip(expected.items(), actual, strict=True):
            assert_exact(key, actual_key, f"{where} key {key!r}")
            assert_exact(value, actual[actual_key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), f"{where}: length"
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            assert_exact(left, right, f"{where}[{index}]")
    elif isinstance(expected, (set, frozenset)):
        assert actual == expected, f"{where}: {expected!r} became {actual!r}"
        for item in expected:  # equal sets may still hold 1 where True was
            (match,) = [other for other in actual if other == item]
            assert_exact(item, match, f"{where} item {item!r}")
    else:
        assert actual == expected, f"{where}: {expected!r} became {actual!r}"


@pytest.fixture
def exact() -> Callable[[Any, Any], None]:
    return assert_exact


@pytest.fixture
def manager() -> Iterator[PackagersManager]:
    """Only this plugin's packagers and the pickle fallback: no other plugin interferes."""
    with PackagersManager([*PACKAGERS, PicklePackager]) as packagers_manager:
        yield packagers_manager


@pytest.fixture
def collected_manager() -> Iterator[PackagersManager]:
    """Every collected plugin, as a run uses them.

    Other plugins of the repository may be half-written while this one is tested; their
    collection warnings are not this plugin's business, a warning about stdlib still fails.
    """
    clear_cache()
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"optional packager plugin '(?!stdlib')", category=PackagersWarning
        )
        packagers_manager = PackagersManager()
    with packagers_manager:
        yield packagers_manager


@pytest.fixture
def trusted_pickles() -> Iterator[None]:
    with config.override(pickle__policy="allow"):
        yield


@pytest.fixture
def small_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ratio applies from 1 MiB on, so a bomb that proves the point stays small."""
    monkeypatch.setattr(plugin_api.ExpansionBudget, "RATIO_FLOOR", 1 << 20)
