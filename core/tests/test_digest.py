"""The project's one digest, and files hashed while they are written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from blake3 import blake3

from packagers import Artifact, DefaultPackager, PackagersManager
from packagers._digest import PATTERN, DigestingWriter, file_digest, text


def _expected(data: bytes) -> str:
    return f"blake3:{blake3(data).hexdigest()}"


def _write(path: Path, chunks: list[bytes], *, want: bool) -> list[tuple[str, str | None, int]]:
    closed: list[tuple[str, str | None, int]] = []
    with DigestingWriter(str(path), lambda *args: closed.append(args), digest=want) as stream:
        for chunk in chunks:
            stream.write(chunk)
    return closed


@pytest.mark.parametrize("sizes", [[0], [10, 0, 7], [40 << 20], [3, 17 << 20, 5, 5 << 20]])
def test_the_digest_made_while_writing_is_the_digest_of_the_file(
    tmp_path: Path, sizes: list[int]
) -> None:
    """Slices of large writes are hashed on another thread: order and content must hold."""
    chunks = [os.urandom(size) for size in sizes]
    path = tmp_path / "out.bin"
    closed = _write(path, chunks, want=True)
    data = b"".join(chunks)
    assert path.read_bytes() == data
    assert closed == [(str(path), _expected(data), len(data))]
    assert file_digest(str(path)) == (_expected(data), len(data))


def test_nothing_is_hashed_when_no_digest_is_wanted(tmp_path: Path) -> None:
    closed = _write(tmp_path / "out.bin", [b"abc"], want=False)
    assert closed == [(str(tmp_path / "out.bin"), None, 3)]


def test_digest_text_names_the_algorithm() -> None:
    hasher = blake3(b"x")
    assert PATTERN.fullmatch(text(hasher))


class _Bytes(bytes):
    pass


class _WritingPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = _Bytes
    DEFAULT_PACKING_ARTIFACT_TYPE = "file"

    def pack_file(self, obj: _Bytes, key: str) -> tuple[Artifact, dict[str, str]]:
        path = self.temp_path(key, ".bin")
        with self.open_output(path) as stream:
            stream.write(obj)
        return Artifact(key=key, src_path=path), {}


def test_the_manager_takes_the_packers_digest_instead_of_reading_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_read(path: str, progress: object = None) -> tuple[str, int]:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr("packagers.manager._pack.file_digest", no_read)
    with PackagersManager([_WritingPackager]) as manager:
        package = manager.pack(_Bytes(b"payload"), "data", digest=True)
        assert package.manifest["digest"] == _expected(b"payload")
        assert "digest" not in manager.pack(_Bytes(b"payload"), "other", digest=False).manifest


def test_a_file_changed_after_writing_is_hashed_again() -> None:
    packager = _WritingPackager()
    with packager.digesting_outputs(True):
        artifact, _ = packager.pack_file(_Bytes(b"first"), "data")
    assert artifact.src_path is not None
    assert packager.written_digest(artifact.src_path) == _expected(b"first")
    Path(artifact.src_path).write_bytes(b"changed later")
    assert packager.written_digest(artifact.src_path) is None
    packager.clear()


def test_blocks_are_reserved_from_the_size_numpy_reserves_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below 16 MiB ``np.save`` leaves a file to delayed allocation, which allocates nothing for
    a file deleted before it is flushed: reserving there made a write and delete twice as slow."""
    from packagers import _digest

    reserved: list[int] = []
    monkeypatch.setattr(_digest, "_reserve", lambda fd, offset, length: reserved.append(length))
    for size in (8 << 20, 16 << 20):
        with DigestingWriter(str(tmp_path / f"{size}.bin"), lambda *_: None, digest=False) as out:
            out.write(bytes(size))
    assert reserved == [16 << 20]
