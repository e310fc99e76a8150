"""Deleting versions, keys, tags and runs: in order, never silently breaking a reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from packagers.api import log
from packagers.runner import run
from packagers.store import AmbiguousRunError, ArtifactInUseError, Store, StoreError
from packagers.store.index import RunQuery


def test_deleting_a_version_removes_its_tags_manifest_and_preview(store: Store) -> None:
    first = log(b"one", "model : object", store=store)
    second = log(b"two", "model : object", store=store)
    store.tag(first.uri, "prod")
    deletion = store.delete_artifact(first.uri)
    assert deletion.uris == [first.uri] and deletion.tags == {first.uri: ["prod"]}
    with pytest.raises(StoreError, match="no tag 'prod'"):
        store.manifest("store://model:prod")
    assert store.manifest("store://model")["version"] == second.version
    key_dir = Path(store.url) / "artifacts" / "default" / "model"
    assert not (key_dir / "versions" / f"{first.version}.json").exists()
    assert not (key_dir / "previews" / f"{first.version}.json").exists()


def test_gc_reclaims_the_blob_only_once_no_manifest_needs_it(store: Store) -> None:
    kept = log(b"same", "a : object", store=store)
    gone = log(b"same", "b : object", store=store)
    store.delete_artifact(gone.uri)
    assert store.gc() == []  # `a` holds the same bytes
    store.delete_artifact(kept.uri)
    assert [path.startswith("blobs/") for path in store.gc()] == [True]


def test_deleting_a_whole_key(store: Store) -> None:
    for content in (b"1", b"2"):
        log(content, "data : object", store=store)
    deletion = store.delete_artifact("store://data", all_versions=True)
    assert len(deletion.uris) == 2
    assert deletion.uris == sorted(deletion.uris)  # oldest first: `latest` moves last
    assert store.list_artifacts() == []
    with pytest.raises(StoreError, match="whole key"):
        store.delete_artifact("store://data:latest", all_versions=True)


def test_a_bundle_member_is_not_deleted_without_force(store: Store) -> None:
    bundle = log([1, 2], "*nums", store=store)
    member = bundle.manifest["bundle"]["members"][0]["uri"]
    with pytest.raises(ArtifactInUseError, match=f"{member} is named by {bundle.uri}"):
        store.delete_artifact(member)
    assert store.manifest(member)["uri"] == member  # nothing was deleted
    forced = store.delete_artifact(member, force=True)
    assert forced.referenced_by == {member: [bundle.uri]}


def test_dry_run_deletes_nothing(store: Store) -> None:
    ref = log(b"x", "x : object", store=store)
    assert store.delete_artifact(ref.uri, dry_run=True).uris == [ref.uri]
    assert store.manifest(ref.uri)["uri"] == ref.uri


def test_untag(store: Store) -> None:
    ref = log(b"x", "x : object", store=store)
    store.tag(ref.uri, "best")
    assert store.untag("store://x", "best").uri == ref.uri
    with pytest.raises(StoreError, match="has no tag 'best'"):
        store.untag("store://x", "best")
    assert store.manifest(ref.uri)["uri"] == ref.uri


def test_the_index_drops_what_was_deleted(store: Store) -> None:
    ref = log(b"x", "x : object", store=store)
    record = run(_double, params={"n": 1}, returns=["y"], store=store)
    assert store.index.versions("default", "x")[1] == 1
    assert store.index.runs(RunQuery()).total == 1
    store.delete_artifact(ref.uri)
    store.delete_run(record.id)
    assert store.index.versions("default", "x")[1] == 0
    assert store.index.runs(RunQuery()).total == 0
    with pytest.raises(StoreError, match="no run"):
        store.get_run(record.id)


def test_a_run_is_found_by_a_unique_prefix(store: Store) -> None:
    first = run(_double, params={"n": 1}, returns=["y"], store=store)
    second = run(_double, params={"n": 2}, returns=["y"], store=store)
    assert store.find_run(second.id[:-3])["id"] == second.id
    assert store.find_run(first.id)["id"] == first.id
    common = next(i for i in range(len(first.id)) if first.id[i] != second.id[i])
    with pytest.raises(AmbiguousRunError, match="2 runs start with"):
        store.find_run(first.id[:common])


def _double(n: int) -> int:
    return 2 * n
