"""Helpers of the remote store tests: a store's filesystem and paths, a manifest's path."""

from __future__ import annotations

from typing import Any

from packagers.store import Store


def _fs(store: Store) -> Any:
    return store._backend.fs  # type: ignore[attr-defined]


def _path(store: Store, rel: str) -> str:
    return f"{store._backend._root}/{rel}"  # type: ignore[attr-defined]


def _manifest(ref: Any) -> str:
    return f"artifacts/default/{ref.key}/versions/{ref.version}.json"
