"""Helpers of the remote store tests: a store's filesystem and paths, a manifest's path, a clock."""

from __future__ import annotations

from typing import Any

import pytest

from packagers.store import Store


def _fs(store: Store) -> Any:
    return store._backend.fs  # type: ignore[attr-defined]


def _path(store: Store, rel: str) -> str:
    return f"{store._backend._root}/{rel}"  # type: ignore[attr-defined]


def _clock(patch: pytest.MonkeyPatch, module: str, ahead: float) -> None:
    """``time.time`` in ``packagers.store.<module>`` (gc's, or a writer's) runs ``ahead``."""
    import importlib
    import time
    from types import SimpleNamespace

    later = SimpleNamespace(time=lambda: time.time() + ahead)
    patch.setattr(importlib.import_module(f"packagers.store.{module}"), "time", later)


def _manifest(ref: Any) -> str:
    return f"artifacts/default/{ref.key}/versions/{ref.version}.json"
