"""Core test fixtures: fake plugin distributions installed on ``sys.path`` for one test."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from packagers.plugins import clear_cache

MakeDistribution = Callable[..., Path]


@pytest.fixture
def make_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakeDistribution]:
    """Install a plugin distribution for this test only: modules plus a ``.dist-info``.

    ``importlib.metadata`` finds it on ``sys.path`` exactly as it finds a pip-installed one, so
    collection goes through the real entry-point machinery.
    """
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    created: list[str] = []

    def make(
        name: str,
        modules: dict[str, str],
        entry_points: dict[str, str],
        version: str = "1.0",
    ) -> Path:
        for module, source in modules.items():
            created.append(module)
            path = root / (module.replace(".", "/") + ".py")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        info = root / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        lines = "\n".join(f"{key} = {value}" for key, value in entry_points.items())
        (info / "entry_points.txt").write_text(f"[packagers]\n{lines}\n")
        clear_cache()
        return root

    yield make
    for module in created:
        sys.modules.pop(module, None)
    clear_cache()
