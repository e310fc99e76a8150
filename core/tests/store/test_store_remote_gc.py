"""Store.verify and Store.gc on remote stores: orphans, grace periods, claims, racing writers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from packagers.api import load, log
from packagers.store import Store, StoreError
from packagers.store.session_ids import BLOB_GRACE

from .conftest import clock_ahead
from .remote_helpers import _fs, _manifest, _path


def _age(store: Store, blob: str) -> None:
    """Make a blob of a memory store old, as a crash long ago leaves it."""
    from datetime import datetime, timezone

    stored = store._backend.fs.store[_path(store, blob)]  # type: ignore[attr-defined]
    stored.created = datetime(2000, 1, 1, tzinfo=timezone.utc)


def test_verify_and_gc_of_an_interrupted_log(
    remote_store: Store, allow_pickle: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = log(b"kept", "kept : object", store=remote_store)
    orphan = log(b"orphan", "gone : object", store=remote_store)
    fs = _fs(remote_store)
    fs.rm_file(_path(remote_store, f"artifacts/default/gone/versions/{orphan.version}.json"))
    dead = "tmp/20200101T000000Z-1-abcd-elsewhere/1.part"  # another host's writer, long gone
    fs.pipe_file(_path(remote_store, dead), b"partial")
    report = remote_store.verify()
    assert report.ok and report.orphaned_blobs == [orphan.manifest["blob"]]
    assert remote_store.gc() == [dead]  # the orphans are young: their writer may still be busy
    clock_ahead(monkeypatch, "maintenance", BLOB_GRACE + 1)
    preview = f"artifacts/default/gone/previews/{orphan.version}.json"
    assert remote_store.gc() == [preview, orphan.manifest["blob"]]
    assert remote_store.verify().orphaned_blobs == []
    assert load(ref.uri, store=remote_store) == b"kept"


def test_a_young_remote_orphan_survives_gc_until_its_grace_period_passes(
    memory_store: Store, make_package, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer counts on gc keeping a blob younger than the grace period, instead of claiming."""
    import time

    store, backend = memory_store, memory_store._backend  # type: ignore[attr-defined]
    ref = store.log_packages([make_package("gone", b"gone")])["gone"]
    backend.remove(_manifest(ref))
    blob = ref.manifest["blob"]
    age = time.time() - backend.files("blobs")[blob]
    with monkeypatch.context() as patch:
        clock_ahead(patch, "maintenance", BLOB_GRACE - age - 1)
        assert store.gc() == []
    clock_ahead(monkeypatch, "maintenance", BLOB_GRACE - age + 1)
    assert store.gc() == [blob]


def test_an_old_remote_orphan_nobody_reuses_is_collected(memory_store: Store, make_package) -> None:
    ref = memory_store.log_packages([make_package("gone", b"gone")])["gone"]
    memory_store._backend.remove(_manifest(ref))  # type: ignore[attr-defined]
    _age(memory_store, ref.manifest["blob"])
    assert memory_store.gc() == [ref.manifest["blob"]]


def test_a_gc_right_after_a_remote_log_finds_a_blob_keeps_it(
    memory_store: Store, make_package, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An old blob found is claimed and looked at again: a gc right after a look that finds an
    old orphan loses no blob the log names."""
    store, backend = memory_store, memory_store._backend  # type: ignore[attr-defined]

    def orphan(key: str, content: bytes) -> None:  # old and unnamed, as a crash leaves it
        ref = store.log_packages([make_package(key, content)])[key]
        backend.remove(_manifest(ref))
        _age(store, ref.manifest["blob"])

    look = backend.modified

    def look_then_gc(rel: str, size: int) -> float | None:
        found = look(rel, size)
        if found is not None:
            store.gc()
        return found

    orphan("first", b"first")
    with monkeypatch.context() as patch:
        patch.setattr(backend, "modified", look_then_gc)
        store.log_packages([make_package("first", b"first")])
    orphan("later", b"later")
    with monkeypatch.context() as patch:
        patch.setattr(backend, "modified", look_then_gc)
        store.log_packages([make_package("new", b"new"), make_package("later", b"later")])
    assert store.verify().ok
    for key in ("first", "new", "later"):
        assert store.resolve(f"store://{key}").get() == key.encode()


def test_a_gc_between_a_new_blobs_upload_and_its_manifest_keeps_the_blob(
    memory_store: Store, make_package, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No claim announces the writer: the blob is young, and gc keeps young orphans."""
    store, backend = memory_store, memory_store._backend  # type: ignore[attr-defined]
    put, collected = backend.put, []

    def put_then_gc(src: str, rel: str) -> bool:
        done = put(src, rel)
        collected.extend(store.gc())
        return done  # type: ignore[no-any-return]

    monkeypatch.setattr(backend, "put", put_then_gc)
    package = make_package("new", b"new")
    package.temporary = True
    store.log_packages([package])
    assert collected == [] and backend.files("tmp") == {}
    assert store.verify().ok and store.resolve("store://new").get() == b"new"


def test_an_old_remote_orphan_reused_stays_claimed_until_its_manifest(
    memory_store: Store, make_package, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found old, the blob is claimed: a gc before the manifest skips it."""
    store, backend = memory_store, memory_store._backend  # type: ignore[attr-defined]
    ref = store.log_packages([make_package("data", b"data")])["data"]
    backend.remove(_manifest(ref))
    _age(store, ref.manifest["blob"])
    _gc_before_each_manifest(store, monkeypatch, collected := [])
    store.log_packages([make_package("data", b"data")])
    assert collected == [] and store.verify().ok
    assert store.resolve("store://data").get() == b"data"


def test_a_writer_slower_than_the_grace_period_claims_its_blob_before_the_manifest(
    memory_store: Store, make_package, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blob uploaded a grace period before its manifest would be an old orphan to gc."""
    store, backend = memory_store, memory_store._backend  # type: ignore[attr-defined]
    put = backend.put

    def put_then_wait(src: str, rel: str) -> bool:
        done = put(src, rel)
        clock_ahead(monkeypatch, "sessions", BLOB_GRACE)  # the writer's clock, from now on
        return done  # type: ignore[no-any-return]

    monkeypatch.setattr(backend, "put", put_then_wait)
    clock_ahead(monkeypatch, "maintenance", BLOB_GRACE)
    _gc_before_each_manifest(store, monkeypatch, collected := [])
    package = make_package("slow", b"slow")
    package.temporary = True
    store.log_packages([package])
    assert collected == [] and store.verify().ok
    assert store.resolve("store://slow").get() == b"slow"


def _gc_before_each_manifest(
    store: Store, monkeypatch: pytest.MonkeyPatch, collected: list[str]
) -> None:
    """Run gc right before each manifest is written, checking that a claim keeps its blob."""
    from packagers.store.sessions import claim_dir

    index, backend = store._index, store._backend  # type: ignore[attr-defined]
    write_manifest = index.write_manifest

    def gc_then_write(manifest: dict[str, Any]) -> Any:
        assert backend.listdir(claim_dir(manifest["blob"]))
        collected.extend(store.gc())
        return write_manifest(manifest)

    monkeypatch.setattr(index, "write_manifest", gc_then_write)


def _second_process_view(store: Store, s3_options: dict[str, Any]) -> Store:
    """The same bucket through a filesystem instance of its own: another process's caches."""
    return Store(store.url, storage_options={**s3_options, "skip_instance_cache": True})


def test_gc_on_s3_keeps_what_another_process_logged_since_its_last_listing(
    s3_options: dict[str, Any], allow_pickle: None
) -> None:
    """s3fs answers a read of a file its cached directory listing lacks with FileNotFoundError;
    gc once read every manifest as missing-so-absent and deleted the new version's blob."""
    collector = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    writer = _second_process_view(collector, s3_options)
    assert _fs(writer) is not _fs(collector)
    log(["first"], "data : object", store=collector)
    for round_ in range(3):
        assert collector.gc() == []  # lists (and caches) every directory of the store
        ref = log(["round", round_], "data : object", store=writer)
        assert collector.gc() == []
        assert load(ref.uri, store=collector) == ["round", round_]
        assert [r.version for r in collector.list_artifacts()] == [ref.version]
    report = collector.verify()
    assert report.ok and report.orphaned_blobs == []


def test_gc_deletes_no_blob_while_a_listed_manifest_cannot_be_read(
    remote_store: Store, allow_pickle: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Could not read is not does not exist: gc stops before deleting anything."""
    ref = log(["kept"], "data : object", store=remote_store)
    orphan = log(["orphan"], "gone : object", store=remote_store)
    _fs(remote_store).rm_file(
        _path(remote_store, f"artifacts/default/gone/versions/{orphan.version}.json")
    )
    backend = remote_store._backend  # type: ignore[attr-defined]
    read_many = backend.read_many

    def lose_the_manifests(rels: list[str]) -> dict[str, bytes]:
        return {rel: data for rel, data in read_many(rels).items() if "/versions/" not in rel}

    monkeypatch.setattr(backend, "read_many", lose_the_manifests)
    manifest = f"artifacts/default/data/versions/{ref.version}.json"
    with pytest.raises(StoreError, match=f"gc deleted nothing.*\n  {manifest} was listed but"):
        remote_store.gc()
    assert remote_store.verify().damaged_files == {manifest: "was listed but could not be read"}
    monkeypatch.undo()
    clock_ahead(monkeypatch, "maintenance", BLOB_GRACE + 1)
    preview = f"artifacts/default/gone/previews/{orphan.version}.json"
    assert remote_store.gc() == [preview, orphan.manifest["blob"]]
    assert load(ref.uri, store=remote_store) == ["kept"]
