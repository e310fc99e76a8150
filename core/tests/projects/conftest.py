"""Project test fixtures: project directories written from a dict, and a store in ``tmp_path``."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Write a project directory: ``make_project(MLproject="...", **{"train.py": "..."})``."""
    count = 0

    def make(name: str = "", **files: str) -> Path:
        nonlocal count
        count += 1
        root = tmp_path / (name or f"project{count}")
        root.mkdir()
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return root

    return make


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return str(tmp_path / "store")
