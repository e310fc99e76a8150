"""A remote stored item: its bytes are checked once, on their way in, and never used unchecked."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest

from packagers.store import CorruptArtifactError, Store, StoreDataItem, fsspec_backend


def _fs(store: Store) -> Any:
    return store._backend.fs  # type: ignore[attr-defined]


def _path(store: Store, rel: str) -> str:
    return f"{store._backend._root}/{rel}"  # type: ignore[attr-defined]


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory downloads go to, empty to begin with."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often a digest is compared with its manifest's, and how often a copy is read back."""
    counts = {"checked": 0, "read back": 0}
    check, digest = StoreDataItem._check, fsspec_backend.file_digest

    def counted_check(item: StoreDataItem, actual: str) -> None:
        counts["checked"] += 1
        check(item, actual)

    def counted_digest(path: str) -> tuple[str, int]:
        counts["read back"] += 1
        return digest(path)

    monkeypatch.setattr(StoreDataItem, "_check", counted_check)
    monkeypatch.setattr(fsspec_backend, "file_digest", counted_digest)
    return counts


def test_a_remote_blob_is_checked_once_for_the_item_and_its_views(
    remote_store: Store, make_package, checks: dict[str, int]
) -> None:
    content = b"c" * (3 << 20)
    ref = remote_store.log_packages([make_package("data", content)])["data"]
    item = remote_store.resolve(ref.uri)
    view = item.for_hint(["columns"])
    local = view.local()
    assert item.local() == local and item.get() == content and view.get() == content
    s3 = remote_store.url.startswith("s3://")
    assert checks == {"checked": 1, "read back": 0 if s3 else 1}  # S3: hashed as it arrives


def test_a_copy_fetched_again_after_clear_is_checked_again(
    remote_store: Store, make_package, temp_dir: Path
) -> None:
    ref = remote_store.log_packages([make_package("data", b"original")])["data"]
    item = remote_store.resolve(ref.uri)
    assert item.get() == b"original"
    item.clear()
    _fs(remote_store).pipe_file(_path(remote_store, ref.manifest["blob"]), b"tampered")
    with pytest.raises(CorruptArtifactError, match=ref.uri):
        item.local()
    assert os.listdir(temp_dir) == []  # the refused copy is gone, and so is its folder


def test_a_large_s3_blob_is_left_to_s3fs_download_in_parts(
    s3_options: dict[str, Any],
    make_package,
    checks: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    temp_dir: Path,
) -> None:
    store = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    content = bytes(range(256)) * (3 << 12)
    packages = [make_package("data", content), make_package("bad", content[:-1])]
    refs = store.log_packages(packages)
    _fs(store).pipe_file(_path(store, refs["bad"].manifest["blob"]), content[1:])
    monkeypatch.setattr(_fs(store), "default_block_size", 1 << 20)  # downloads in 1 MB parts
    assert store.resolve(refs["data"].uri).get() == content
    assert checks == {"checked": 1, "read back": 1}
    with pytest.raises(CorruptArtifactError, match=refs["bad"].uri):
        store.resolve(refs["bad"].uri).local()
    assert os.listdir(temp_dir) == []


class _DropsOnce:
    """A GET's body that hands over one chunk, then times out, as a dropped connection does."""

    def __init__(self, body: Any) -> None:
        self._body = body
        self.sent = 0

    async def read(self, size: int) -> bytes:
        if self.sent:
            raise TimeoutError("the connection timed out")
        chunk: bytes = await self._body.read(size)
        self.sent = len(chunk)
        return chunk

    def close(self) -> None:
        self._body.close()


def test_an_s3_download_cut_midway_resumes_where_it_stopped(
    s3_options: dict[str, Any], make_package, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    content = os.urandom(3 << 20)
    ref = store.log_packages([make_package("data", content)])["data"]
    fs = _fs(store)
    call = fs._call_s3
    gets: list[str | None] = []
    cut: list[_DropsOnce] = []

    async def flaky(method: str, *args: Any, **kwargs: Any) -> Any:
        response = await call(method, *args, **kwargs)
        if method == "get_object" and kwargs["Key"].endswith(ref.manifest["blob"]):
            gets.append(kwargs.get("Range"))
            if not cut:
                cut.append(_DropsOnce(response["Body"]))
                response["Body"] = cut[0]
        return response

    monkeypatch.setattr(fs, "_call_s3", flaky)
    assert store.resolve(ref.uri).get() == content
    assert 0 < cut[0].sent < len(content)
    assert gets == [None, f"bytes={cut[0].sent}-"]
