"""Run test fixtures: a store in ``tmp_path``, the sample functions, and a rank-free environment."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from packagers.runner.rank import RANK_VARIABLES

_HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _no_launcher_rank(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide the rank themselves, whatever launched pytest."""
    for name in RANK_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return str(tmp_path / "store")


@pytest.fixture
def samples(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The ``run_samples`` module, importable by name here and in worker processes."""
    monkeypatch.syspath_prepend(str(_HERE))
    import run_samples

    yield run_samples
    sys.modules.pop("run_samples", None)
