"""Log, load, tags, runs and uploads on fsspec stores: ``memory://`` and S3 (a moto server)."""

from __future__ import annotations

import pytest
from blake3 import blake3

from packagers.api import load, log
from packagers.store import CorruptArtifactError, Store, StoreError

from .remote_helpers import _fs, _path


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
