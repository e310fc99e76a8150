"""Blobs: content addressing, dedup, streaming digests, and verification on every read."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from blake3 import blake3

from packagers import PackagersManager
from packagers.api import load, log
from packagers.store import CorruptArtifactError, Store, StoreDataItem, StoreError, VerifyReport

BlobFiles = Callable[[Store], list[Path]]


def _size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and "blobs" in p.parts)


def test_same_content_twice_is_one_blob_and_two_versions(
    store: Store, blob_files: BlobFiles, allow_pickle: None
) -> None:
    payload = {"numbers": list(range(1000))}
    first = log(payload, "data : object", store=store)
    size_after_first = _size(Path(store.url))
    second = log(payload, "data : object", store=store)
    assert first.version != second.version
    assert first.manifest["digest"] == second.manifest["digest"]
    assert len(blob_files(store)) == 1
    assert _size(Path(store.url)) == size_after_first  # the second log wrote no new bytes
    assert [ref.version for ref in store.list_artifacts(key="data")] == [
        second.version,
        first.version,
    ]
    assert load(first.uri, store=store) == payload


def test_blob_path_and_digest_describe_the_bytes(store: Store, make_package) -> None:
    content = b"hello store" * 1000
    refs = store.log_packages([make_package("greeting", content)])
    manifest = refs["greeting"].manifest
    hexdigest = blake3(content).hexdigest()
    assert manifest["digest"] == f"blake3:{hexdigest}"
    assert manifest["size"] == len(content)
    assert manifest["blob"] == f"blobs/blake3/{hexdigest[:2]}/{hexdigest}"
    assert not os.path.isabs(manifest["blob"])
    blob = Path(store.url) / manifest["blob"]
    assert blob.read_bytes() == content
    assert not os.access(blob, os.W_OK) or os.geteuid() == 0  # read-only for anyone but root
    assert oct(blob.stat().st_mode & 0o777) == oct(0o444)


def test_user_files_are_copied_and_packer_temp_files_linked(store: Store, make_package) -> None:
    package = make_package("mine", b"user data")
    store.log_packages([package])
    source = Path(package.artifact.src_path)
    assert source.stat().st_nlink == 1  # copied: the user may rewrite their file later
    with PackagersManager() as manager:
        temp = manager.pack(b"temp data", "temp : object", digest=False)
        refs = store.log_packages([temp])
        blob = Path(store.url) / refs["temp"].manifest["blob"]
        assert blob.samefile(temp.artifact.src_path)  # linked: read once, nothing written
    assert blob.stat().st_nlink == 1 and blob.read_bytes()  # the packer's copy is gone, ours stays


def test_a_recorded_digest_is_checked_against_what_streamed(store: Store, make_package) -> None:
    package = make_package("data", b"actual bytes", digest="blake3:" + "0" * 64)
    with pytest.raises(StoreError, match=r"'data': the file changed while it was being logged"):
        store.log_packages([package])
    assert store.list_artifacts() == []
    assert store.verify() == VerifyReport(orphaned_blobs=[], missing_blobs=[], corrupt_blobs=[])
    assert list((Path(store.url) / "tmp").rglob("*")) == []


def test_matching_recorded_digest_is_accepted(store: Store, make_package) -> None:
    content = b"bytes"
    digest = f"blake3:{blake3(content).hexdigest()}"
    refs = store.log_packages([make_package("data", content, digest=digest)])
    assert refs["data"].manifest["digest"] == digest


def test_corrupt_blob_raises_naming_the_uri_and_both_digests(
    store: Store, make_package, allow_pickle: None
) -> None:
    ref = log({"a": 1}, "data : object", store=store)
    blob = Path(store.url) / ref.manifest["blob"]
    blob.chmod(0o644)
    blob.write_bytes(b"tampered")
    tampered = f"blake3:{blake3(b'tampered').hexdigest()}"
    with pytest.raises(CorruptArtifactError) as caught:
        load("store://data", store=store)
    message = str(caught.value)
    assert ref.uri in message and ref.manifest["digest"] in message and tampered in message
    assert store.verify().corrupt_blobs == [ref.manifest["blob"]]
    assert not store.verify().ok


def test_logging_the_same_data_again_repairs_a_truncated_blob(
    store: Store, make_package, allow_pickle: None
) -> None:
    """Linked (a packer's temp file) and copied (a user's file) alike: every version reads again."""
    first = log({"a": list(range(100))}, "data : object", store=store)
    copied = store.log_packages([make_package("mine", b"user data" * 100)])["mine"]
    for ref in (first, copied):
        blob = Path(store.url) / ref.manifest["blob"]
        blob.chmod(0o644)
        blob.write_bytes(blob.read_bytes()[:10])  # a partial copy left by something else
    again = log({"a": list(range(100))}, "data : object", store=store)
    store.log_packages([make_package("mine", b"user data" * 100)])
    assert again.manifest["blob"] == first.manifest["blob"]
    assert load(first.uri, store=store) == load(again.uri, store=store) == {"a": list(range(100))}
    assert load(copied.uri, bytes, store=store) == b"user data" * 100
    assert store.verify().ok


def test_every_access_path_verifies(store: Store, make_package) -> None:
    refs = store.log_packages([make_package("data", b"original")])
    blob = Path(store.url) / refs["data"].manifest["blob"]
    blob.chmod(0o644)
    blob.write_bytes(b"changed!")
    for read in (
        lambda item: item.local(),
        lambda item: item.open().close(),
        lambda item: item.get(),
    ):
        with pytest.raises(CorruptArtifactError, match="store://default/data@"):
            read(store.resolve("store://data"))


def test_verification_is_lazy_and_once(store: Store, make_package, monkeypatch) -> None:
    from packagers.store import stored_item

    refs = store.log_packages([make_package("data", b"content")])
    calls = []
    original = stored_item.file_digest
    monkeypatch.setattr(stored_item, "file_digest", lambda path: calls.append(1) or original(path))
    item = store.resolve(refs["data"].uri)
    assert isinstance(item, StoreDataItem) and calls == []
    assert item.get() == b"content"
    assert item.local() == str(Path(store.url) / refs["data"].manifest["blob"])
    assert calls == [1]
    assert item.suffix == ".bin" and item.key == "data"


def test_stored_data_cannot_be_opened_for_writing(store: Store, make_package) -> None:
    store.log_packages([make_package("data", b"content")])
    with pytest.raises(StoreError, match="read-only"):
        store.resolve("store://data").open("wb")


def test_missing_blob_is_an_error_naming_the_uri(store: Store, make_package) -> None:
    refs = store.log_packages([make_package("data", b"content")])
    (Path(store.url) / refs["data"].manifest["blob"]).unlink()
    with pytest.raises(StoreError, match=r"store://default/data@.*missing from the store"):
        store.resolve("store://data").local()
    assert store.verify().missing_blobs == [refs["data"].manifest["blob"]]


def test_progress_reports_bytes_of_each_blob(store: Store, make_package) -> None:
    calls: list[tuple[str, int, int]] = []
    content = os.urandom(20 << 20)
    store.log_packages(
        [make_package("big", content), make_package("small", b"x")],
        progress=lambda key, done, total: calls.append((key, done, total)),
    )
    big = [call for call in calls if call[0] == "big"]
    assert len(big) == 3 and big[-1] == ("big", len(content), len(content))
    assert [done for _, done, _ in big] == sorted(done for _, done, _ in big)
    assert ("small", 1, 1) in calls
