"""Tags and listings: ``latest``, hint tags, moving tags, newest-first lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from packagers.api import log
from packagers.store import Store, StoreError


def test_latest_is_the_newest_version_and_needs_no_pointer(store: Store) -> None:
    log(b"one", "blob : object", store=store)
    second = log(b"two", "blob : object", store=store)
    tags = Path(store.url) / "artifacts" / "default" / "blob" / "tags"
    assert not tags.exists()  # no file is rewritten per log: nothing for writers to race on
    assert store.manifest("store://blob")["version"] == second.version
    assert store.manifest("store://blob:latest")["version"] == second.version


def test_hint_tag_points_at_the_logged_version(store: Store) -> None:
    ref = log(b"one", "model : object", store=store)
    tagged = log(b"two", {"key": "model", "artifact_type": "object", "tag": "v1"}, store=store)
    log(b"three", "model : object", store=store)
    assert store.manifest("store://model:v1")["version"] == tagged.version
    assert store.manifest("store://model")["version"] not in (ref.version, tagged.version)


def test_tag_moves_and_returns_the_ref(store: Store) -> None:
    first = log(b"one", "model : object", store=store)
    second = log(b"two", "model : object", store=store)
    assert store.tag(first.uri, "prod").version == first.version
    assert store.manifest("store://model:prod")["version"] == first.version
    store.tag("store://model", "prod")
    assert store.manifest("store://model:prod")["version"] == second.version


@pytest.mark.parametrize(
    ("tag", "message"), [("latest", "always names the newest"), ("a/b", "invalid tag")]
)
def test_bad_tags_are_refused(store: Store, tag: str, message: str) -> None:
    ref = log(b"one", "model : object", store=store)
    with pytest.raises(StoreError, match=message):
        store.tag(ref.uri, tag)


def test_bad_hint_tag_writes_nothing(store: Store) -> None:
    with pytest.raises(StoreError, match=r"the log hint of 'model': invalid tag 'no good'"):
        log(b"x", {"key": "model", "artifact_type": "object", "tag": "no good"}, store=store)
    assert store.list_artifacts() == []
    assert not (Path(store.url) / "blobs").exists()


def test_list_artifacts_latest_per_key_newest_first(store: Store) -> None:
    log(b"a1", "a : object", store=store)
    b = log(b"b1", "b : object", store=store)
    a2 = log(b"a2", "a : object", store=store)
    assert [(r.key, r.version) for r in store.list_artifacts()] == [
        ("a", a2.version),
        ("b", b.version),
    ]
    assert store.list_artifacts(key="a")[0].manifest["uri"] == a2.uri
    assert store.list_artifacts(key="missing") == []
    assert store.list_artifacts("empty-project") == []


def test_ref_is_hashable_and_prints_as_its_uri(store: Store) -> None:
    ref = log(b"a1", "a : object", store=store)
    assert str(ref) == ref.uri
    assert {ref: 1}[store.list_artifacts()[0]] == 1


def test_a_damaged_manifest_is_an_error_naming_it_and_gc_deletes_nothing(store: Store) -> None:
    """A manifest changed from outside fails every read with the file's name, not a bare
    JSONDecodeError; gc, which cannot tell what that manifest referenced, stops before deleting."""
    ref = log(b"x" * 100, "data : file", store=store)
    rel = f"artifacts/default/data/versions/{ref.version}.json"
    (Path(store.url) / rel).write_text('{"trunc')
    blobs = sorted(p for p in (Path(store.url) / "blobs").rglob("*") if p.is_file())
    for read in (
        lambda: store.manifest("store://data"),
        lambda: store.list_artifacts(),
        lambda: store.list_artifacts(key="data"),
    ):
        with pytest.raises(StoreError, match=f"is damaged: {rel} is not valid JSON"):
            read()
    with pytest.raises(StoreError, match=f"gc deleted nothing.*\n  {rel} is not valid JSON"):
        store.gc()
    report = store.verify()  # lists it and goes on
    assert not report.ok and report.damaged_files[rel].startswith("is not valid JSON")
    assert sorted(p for p in (Path(store.url) / "blobs").rglob("*") if p.is_file()) == blobs
