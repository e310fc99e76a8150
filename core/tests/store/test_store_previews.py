"""Previews in the store: beside the manifest, after it, optional, and read back as plain JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from packagers import config
from packagers.api import log
from packagers.previews import text_preview
from packagers.store import Store

from .conftest import MakePackage

PREVIEW = {"kind": "text", "text": "abc", "truncated": False, "size": 3, "schema": 1}


def test_a_preview_is_stored_beside_the_manifest(store: Store, make_package: MakePackage) -> None:
    package = make_package("notes", b"abc", tag="prod")
    package.preview = dict(PREVIEW)
    ref = store.log_packages([package])["notes"]
    path = Path(store.url, "artifacts", "default", "notes", "previews", f"{ref.version}.json")
    assert json.loads(path.read_text()) == PREVIEW
    assert "preview" not in ref.manifest
    for named in (ref, ref.uri, "store://notes", "store://notes:prod"):
        assert store.read_preview(named) == PREVIEW


def test_an_artifact_without_a_preview_has_none(store: Store, make_package: MakePackage) -> None:
    ref = store.log_packages([make_package("raw", b"xyz")])["raw"]
    assert store.read_preview(ref) is None
    assert not Path(store.url, "artifacts", "default", "raw", "previews").exists()
    log(7, "count : result", store=store)
    assert store.read_preview("store://count") is None


def test_the_preview_is_written_after_the_manifests(
    store: Store, make_package: MakePackage, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    backend = store._backend
    write = backend.write
    monkeypatch.setattr(backend, "write", lambda rel, data: (written.append(rel), write(rel, data)))
    first, second = make_package("a", b"1"), make_package("b", b"2")
    first.preview = second.preview = dict(PREVIEW)
    store.log_packages([first, second])
    kinds = [rel.split("/")[3] for rel in written if rel.startswith("artifacts/")]
    assert kinds == ["versions", "versions", "previews", "previews"]


def test_a_preview_that_cannot_be_written_leaves_the_artifact_whole(
    store: Store, make_package: MakePackage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(manifest: dict, preview: dict) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store._index, "write_preview", refuse)
    package = make_package("notes", b"abc")
    package.preview = dict(PREVIEW)
    ref = store.log_packages([package])["notes"]
    assert store.manifest(ref.uri)["digest"] == ref.manifest["digest"]
    assert store.read_preview(ref) is None


def test_previews_are_no_versions_and_survive_maintenance(
    store: Store, make_package: MakePackage
) -> None:
    package = make_package("notes", b"abc")
    package.preview = dict(PREVIEW)
    ref = store.log_packages([package])["notes"]
    assert [r.version for r in store.list_artifacts(key="notes")] == [ref.version]
    assert store.verify().ok
    assert store.gc() == []
    assert store.read_preview(ref) == PREVIEW


def test_previews_on_a_remote_store(memory_store: Store, make_package: MakePackage) -> None:
    package = make_package("notes", b"abc")
    package.preview = dict(PREVIEW)
    ref = memory_store.log_packages([package])["notes"]
    assert memory_store.read_preview(ref.uri) == PREVIEW


def test_logging_stores_the_packager_preview_and_the_same_artifact(store: Store) -> None:
    text = "a line of text\n" * 1000
    with config.override(preview__enabled=False):
        without = log(text, "log : file", store=store)
    made = log(text, "log : file", store=store)
    assert store.read_preview(without) is None
    assert store.read_preview(made) == text_preview(text) | {"schema": 1}
    assert made.manifest["digest"] == without.manifest["digest"]
    assert made.manifest["size"] == without.manifest["size"]
