"""The same layout and guarantees on fsspec filesystems: ``memory://`` and S3 (a moto server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from blake3 import blake3

from packagers.api import load, log
from packagers.store import CorruptArtifactError, Store, StoreError
from packagers.store.session_ids import BLOB_GRACE

from .conftest import clock_ahead


def _fs(store: Store) -> Any:
    return store._backend.fs  # type: ignore[attr-defined]


def _path(store: Store, rel: str) -> str:
    return f"{store._backend._root}/{rel}"  # type: ignore[attr-defined]


def _age(store: Store, blob: str) -> None:
    """Make a blob of a memory store old, as a crash long ago leaves it."""
    from datetime import datetime, timezone

    stored = store._backend.fs.store[_path(store, blob)]  # type: ignore[attr-defined]
    stored.created = datetime(2000, 1, 1, tzinfo=timezone.utc)


def test_round_trip_dedup_and_layout(remote_store: Store, allow_pickle: None) -> None:
    value = {"rows": list(range(100))}
    first = log(value, "data : object", store=remote_store)
    second = log(value, "data : object", store=remote_store)
    assert first.manifest["blob"] == second.manifest["blob"]
    blobs = remote_store._backend.files("blobs")  # type: ignore[attr-defined]
    assert list(blobs) == [first.manifest["blob"]]
    assert load("store://data", store=remote_store) == value
    assert [r.version for r in remote_store.list_artifacts(key="data")] == [
        second.version,
        first.version,
    ]
    item = remote_store.resolve(first.uri)
    assert item.url == f"{remote_store.url}/{first.manifest['blob']}"
    assert item.is_remote
    assert remote_store._backend.files("tmp") == {}  # type: ignore[attr-defined]


def test_results_bundles_and_tags(remote_store: Store, allow_pickle: None) -> None:
    assert log(0.5, "score : result", store=remote_store) == 0.5
    assert load("store://score", store=remote_store) == 0.5
    log({"a": 1, "b": [2, 3]}, "*parts", store=remote_store)
    assert load("store://parts", store=remote_store) == {"a": 1, "b": [2, 3]}
    ref = remote_store.tag("store://parts_a", "prod")
    assert remote_store.manifest("store://parts_a:prod")["version"] == ref.version
    with pytest.raises(StoreError, match="did you mean 'parts_a'"):
        remote_store.resolve("store://part_a")


def test_corrupt_remote_blob_is_refused(remote_store: Store, allow_pickle: None) -> None:
    ref = log([1, 2, 3], "data : object", store=remote_store)
    _fs(remote_store).pipe_file(_path(remote_store, ref.manifest["blob"]), b"tampered")
    item = remote_store.resolve(ref.uri)
    with pytest.raises(CorruptArtifactError, match=ref.uri) as caught:
        item.get()
    assert f"blake3:{blake3(b'tampered').hexdigest()}" in str(caught.value)
    assert item._copy.temp_dir is None  # the bad download is gone
    assert remote_store.verify().corrupt_blobs == [ref.manifest["blob"]]


def test_runs(remote_store: Store) -> None:
    remote_store.save_run({"id": "r1", "project": "p", "state": "running", "started": "1"})
    remote_store.save_run({"id": "r1", "project": "p", "state": "completed", "started": "1"})
    remote_store.save_run({"id": "r2", "project": "p", "state": "running", "started": "2"})
    assert [r["id"] for r in remote_store.list_runs("p")] == ["r2", "r1"]
    assert remote_store.get_run("r1")["state"] == "completed"
    with pytest.raises(StoreError, match="final state"):
        remote_store.save_run({"id": "r1", "project": "p", "state": "running"})


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


def test_progress_on_upload(remote_store: Store, make_package) -> None:
    calls = []
    content = b"x" * (9 << 20)
    remote_store.log_packages(
        [make_package("big", content)], progress=lambda *call: calls.append(call)
    )
    assert calls[-1] == ("big", len(content), len(content)) and len(calls) == 2
    assert remote_store.resolve("store://big").get() == content


def test_data_the_store_holds_is_not_uploaded_again(
    remote_store: Store, make_package, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hash locally, ask the store, skip: a packer's file goes straight to its blob, once."""
    backend = remote_store._backend  # type: ignore[attr-defined]
    sent: list[str] = []
    for name in ("put", "open_write"):
        method = getattr(backend, name)
        monkeypatch.setattr(
            backend, name, lambda *args, _m=method, _n=name: sent.append(_n) or _m(*args)
        )
    content = b"y" * (6 << 20)
    first = make_package("data", content)
    first.temporary = True
    ref = remote_store.log_packages([first])["data"]
    assert sent == ["put"]  # no temporary object, no move
    again = make_package("data", content)
    again.temporary = True
    assert remote_store.log_packages([again])["data"].manifest["blob"] == ref.manifest["blob"]
    user_file = make_package("copy", content)  # not the packer's: would be streamed and checked
    remote_store.log_packages([user_file])
    assert sent == ["put"]
    assert backend.files("tmp") == {}
    assert remote_store.resolve("store://data").get() == content


@contextmanager
def _s3_requests(store: Store) -> Iterator[list[tuple[str, str]]]:
    """The S3 operations the store's client sends meanwhile, as (operation, key below the root)."""
    fs = _fs(store)
    root = f"{store._backend._root.partition('/')[2]}/"  # type: ignore[attr-defined]
    sent: list[tuple[str, str]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        key = str(params.get("Key", params.get("Prefix", "")))
        sent.append((model.name, key.removeprefix(root)))

    fs.s3.meta.events.register("provide-client-params.s3", record)
    try:
        yield sent
    finally:
        fs.s3.meta.events.unregister("provide-client-params.s3", record)


def test_s3_log_and_load_send_each_blob_once_and_no_extra_round_trip(
    s3_options: dict[str, Any], make_package, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On S3 every request is a round trip. A new blob is looked for once and sent once, with
    no claim: gc's grace period keeps it; the same data again, while young, is looked for and
    not sent; an old blob found is claimed and looked at again; a load reads the manifest its
    URI names and the blob, once each."""
    store = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    store.list_runs("default")  # the client connects
    content = b"z" * (1 << 20)
    packages = [make_package("data", content), make_package("other", b"o" * 100)]
    for package in packages:
        package.temporary = True
    with _s3_requests(store) as sent:
        refs = store.log_packages(packages)
    blob, other = refs["data"].manifest["blob"], refs["other"].manifest["blob"]
    assert sent == [
        ("HeadObject", blob),
        ("PutObject", blob),
        ("HeadObject", other),
        ("PutObject", other),
        *[("PutObject", _manifest(ref)) for ref in refs.values()],
    ]

    def again() -> Any:
        package = make_package("data", content)
        package.temporary = True
        return store.log_packages([package])["data"]

    with _s3_requests(store) as sent:
        ref = again()
    assert sent == [("HeadObject", blob), ("PutObject", _manifest(ref))]  # nothing uploaded
    with monkeypatch.context() as patch:  # the writer's clock: the blob is old by now
        clock_ahead(patch, "sessions", BLOB_GRACE)
        with _s3_requests(store) as sent:
            old = again()
    claim = next(key for op, key in sent if key.startswith("tmp/claims/"))
    assert sent == [
        ("HeadObject", blob),
        ("PutObject", claim),
        ("HeadObject", blob),
        ("PutObject", _manifest(old)),
        ("DeleteObject", claim),
    ]
    assert store._backend.files("tmp") == {}  # type: ignore[attr-defined]
    with _s3_requests(store) as sent:
        assert store.resolve(ref.uri).get() == content
    assert sent == [("GetObject", _manifest(ref)), ("GetObject", blob)]


def _manifest(ref: Any) -> str:
    return f"artifacts/default/{ref.key}/versions/{ref.version}.json"


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


def test_an_empty_remote_file_reads_back_empty(remote_store: Store) -> None:
    """Small files are read with a range from byte 0 (one request), which S3 refuses when empty."""
    backend = remote_store._backend  # type: ignore[attr-defined]
    backend.write("runs/empty.json", b"")
    backend.write("runs/full.json", b"{}")
    assert backend.read("runs/empty.json") == b""
    assert backend.read_many(["runs/empty.json", "runs/full.json", "runs/none.json"]) == {
        "runs/empty.json": b"",
        "runs/full.json": b"{}",
    }


def test_a_store_that_cannot_open_is_a_store_error_naming_it() -> None:
    """fsspec's own errors name no store; the caller (and the CLI's one-line error) needs it."""
    with pytest.raises(StoreError, match="cannot open the store nosuchproto://bucket/x: Protocol"):
        Store("nosuchproto://bucket/x")


_STEP = """
def scale(values: list, factor: float = 2.0) -> tuple[int, list]:
    return len(values), [v * factor for v in values]
"""


@pytest.mark.slow
def test_the_same_run_in_process_and_in_a_worker_on_an_s3_store(
    s3_options: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented three ways end to end: a worker process reaches the bucket with the
    store's own storage options (nothing in its environment) and logs what a local run logs."""
    from packagers.runner import run

    (tmp_path / "s3_step.py").write_text(_STEP)
    monkeypatch.syspath_prepend(str(tmp_path))  # the worker gets the parent's sys.path
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "FSSPEC_S3"):
        monkeypatch.delenv(name, raising=False)
    store = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    raw = log([1.0, 2.5], "raw : file", store=store)
    records = {
        executor: run(
            "s3_step:scale",
            inputs={"values": raw.uri},
            params={"factor": 3.0},
            returns=["count", "scaled : file"],
            store=store,
            executor=executor,
        )
        for executor in ("local", "process")
    }
    for executor, record in records.items():
        assert record.state == "completed", (executor, record.error)
        assert record.results == {"count": 2}
        assert load(record.artifacts["scaled"].uri, list, store=store) == [3.0, 7.5]
        assert store.get_run(record.id)["state"] == "completed"
    local, worker = (records[e].artifacts["scaled"].manifest for e in ("local", "process"))
    assert local["digest"] == worker["digest"]  # the same bytes, stored once
    assert {r["id"] for r in store.list_runs()} == {r.id for r in records.values()}
    assert store.verify().ok


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
