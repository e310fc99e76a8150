"""Store fixtures: a fresh local store, a clean ``memory://`` store, either remote store (memory
or S3), and hand-made packages."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from packagers import Artifact, LogHint, Package, config
from packagers.store import Store

MakePackage = Callable[..., Package]


def clock_ahead(patch: pytest.MonkeyPatch, module: str, ahead: float) -> None:
    """``time.time`` in ``packagers.store.<module>`` (gc's, or a writer's) runs ``ahead``."""
    import importlib
    import time
    from types import SimpleNamespace

    later = SimpleNamespace(time=lambda: time.time() + ahead)
    patch.setattr(importlib.import_module(f"packagers.store.{module}"), "time", later)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(str(tmp_path / "store"))


@pytest.fixture
def memory_store() -> Iterator[Store]:
    from fsspec.implementations.memory import MemoryFileSystem

    def wipe() -> None:
        MemoryFileSystem.store.clear()
        MemoryFileSystem.pseudo_dirs.clear()
        MemoryFileSystem.pseudo_dirs.append("")

    wipe()
    yield Store("memory://teststore")
    wipe()


@pytest.fixture(params=["memory", "s3"])
def remote_store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return request.getfixturevalue("memory_store")  # type: ignore[no-any-return]
    options = request.getfixturevalue("s3_options")
    return Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=options)


@pytest.fixture
def allow_pickle() -> Iterator[None]:
    with config.override(pickle__policy="allow"):
        yield


@pytest.fixture
def make_package(tmp_path: Path) -> MakePackage:
    """A file package as a packer would hand it over, from a file the test owns (never linked)."""

    def make(key: str, content: bytes, *, tag: str = "", **manifest: Any) -> Package:
        path = tmp_path / "files" / f"{key}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        fields = {"key": key, "artifact_type": "file", "format": "bin", **manifest}
        return Package(
            key=key,
            hint=LogHint(key=key, tag=tag),
            manifest=fields,
            artifact=Artifact(key, path, format="bin"),
        )

    return make


@pytest.fixture
def blob_files() -> Callable[[Store], list[Path]]:
    """The blob files of a local store."""

    def files(store: Store) -> list[Path]:
        return sorted(p for p in (Path(store.url) / "blobs").rglob("*") if p.is_file())

    return files
