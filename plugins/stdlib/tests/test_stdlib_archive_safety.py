"""Malicious archives are refused, member named, with nothing written outside the target."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from packagers import DataItem, PackagersManager, UnpackingError, config
from packagers_stdlib import ARCHIVE_FORMATS, PathPackager
from packagers_stdlib._extraction import extract_archive

ZipMember = tuple[str, bytes, int]  # name, data, POSIX mode (file type included)


def _zip(path: Path, members: list[ZipMember]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = mode << 16
            archive.writestr(info, data)
    return path


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for member in members:
            info, data = member if isinstance(member, tuple) else (member, b"")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data else None)
    return path


def _info(
    name: str, kind: bytes = tarfile.REGTYPE, link: str = "", mode: int = 0o644
) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, mode
    return info


def _file(name: str, data: bytes = b"evil", mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    return _info(name, mode=mode), data


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """The archive sits in ``tmp_path``; the target is ``sandbox/target``, and the tests check
    that nothing appears anywhere in ``tmp_path`` but the archive."""
    (tmp_path / "sandbox").mkdir()
    return tmp_path / "sandbox"


def _refused(archive: Path, sandbox: Path, member: str, reason: str) -> None:
    root = sandbox.parent
    before = sorted(str(p) for p in root.rglob("*"))
    with pytest.raises(UnpackingError) as raised:
        extract_archive(str(archive), str(sandbox / "target"))
    message = str(raised.value)
    assert repr(member) in message, message
    assert reason in message, message
    assert sorted(str(p) for p in root.rglob("*")) == before  # the target is gone too
    assert not (Path("/tmp") / "evil").exists()


REG = stat.S_IFREG | 0o644


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil", "escapes the target"),
        ("a/../../evil", "escapes the target"),
        ("..\\evil", "escapes the target"),
        ("/tmp/evil", "absolute path"),
        ("C:/evil", "absolute path"),
        ("\\evil", "absolute path"),
    ],
)
def test_zip_names_that_escape(tmp_path: Path, sandbox: Path, name: str, reason: str) -> None:
    archive = _zip(tmp_path / "bad.zip", [("ok.txt", b"fine", REG), (name, b"evil", REG)])
    _refused(archive, sandbox, name, reason)


@pytest.mark.parametrize(
    ("target", "reason"),
    [("/etc", "absolute path '/etc'"), ("../outside", "pointing outside"), ("a/../..", "outside")],
)
def test_zip_symlinks_out(tmp_path: Path, sandbox: Path, target: str, reason: str) -> None:
    archive = _zip(tmp_path / "bad.zip", [("link", target.encode(), stat.S_IFLNK | 0o777)])
    _refused(archive, sandbox, "link", reason)


@pytest.mark.parametrize("kind", [stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK])
def test_zip_special_files(tmp_path: Path, sandbox: Path, kind: int) -> None:
    archive = _zip(tmp_path / "bad.zip", [("dev", b"", kind | 0o600)])
    _refused(archive, sandbox, "dev", "special file")


@pytest.mark.parametrize(
    ("members", "member", "reason"),
    [
        ([_file("../evil")], "../evil", "escapes the target"),
        ([_file("/tmp/evil")], "/tmp/evil", "absolute path"),
        ([_info("etc", tarfile.SYMTYPE, "/etc")], "etc", "absolute path '/etc'"),
        (
            [_info("etc", tarfile.SYMTYPE, "../../etc"), _file("etc/passwd")],
            "etc",
            "pointing outside",
        ),
        (
            [_info("sub", tarfile.SYMTYPE, "inside"), _file("sub/evil")],
            "sub/evil",
            "through the symlink 'sub'",
        ),
        ([_info("passwd", tarfile.LNKTYPE, "/etc/passwd")], "passwd", "hard link to '/etc/passwd'"),
        ([_info("hl", tarfile.LNKTYPE, "../outside")], "hl", "hard link to '../outside'"),
        (
            [_info("hl", tarfile.LNKTYPE, "later"), _file("later")],
            "hl",
            "not a file earlier in the archive",
        ),
        ([_info("dev", tarfile.CHRTYPE)], "dev", "special file"),
        ([_info("dev", tarfile.BLKTYPE)], "dev", "special file"),
        ([_info("fifo", tarfile.FIFOTYPE)], "fifo", "special file"),
        (
            [_file("x"), _info("x", tarfile.SYMTYPE, "y")],
            "x",
            "with the name of a symlink",
        ),
    ],
    ids=[
        "dotdot",
        "absolute",
        "symlink-absolute",
        "symlink-outside",
        "through-symlink",
        "hardlink-absolute",
        "hardlink-outside",
        "hardlink-forward",
        "char-device",
        "block-device",
        "fifo",
        "symlink-over-file",
    ],
)
def test_tar_members_that_escape(
    tmp_path: Path,
    sandbox: Path,
    members: list[tarfile.TarInfo | tuple[tarfile.TarInfo, bytes]],
    member: str,
    reason: str,
) -> None:
    archive = _tar(tmp_path / "bad.tar.gz", [_file("ok.txt", b"fine"), *members])
    _refused(archive, sandbox, member, reason)


def test_a_chain_of_inside_links_ending_outside_is_caught(tmp_path: Path, sandbox: Path) -> None:
    """Each link alone stays inside; resolved for real, 'up' is the target's parent."""
    members = [
        _info("here", tarfile.SYMTYPE, "."),
        _info("d", tarfile.DIRTYPE, mode=0o755),
        _info("d/up", tarfile.SYMTYPE, "../here/.."),
    ]
    archive = _tar(tmp_path / "chain.tar.gz", members)
    _refused(archive, sandbox, "d/up", "resolving outside the target")


def test_a_benign_tar_with_links_modes_and_a_root_entry(tmp_path: Path, sandbox: Path) -> None:
    members = [
        _info(".", tarfile.DIRTYPE, mode=0o755),
        _info("./bin", tarfile.DIRTYPE, mode=0o750),
        _file("./bin/tool", b"#!/bin/sh\n", mode=0o4755),  # setuid is dropped
        _file("secret", b"s", mode=0o000),  # the owner can always read what was extracted
        _info("copy", tarfile.LNKTYPE, "./bin/tool"),
        _info("latest", tarfile.SYMTYPE, "bin/tool"),
        _info("empty", tarfile.DIRTYPE, mode=0o700),
    ]
    archive = _tar(tmp_path / "good.tar.gz", members)
    target = sandbox / "target"
    extract_archive(str(archive), str(target))
    assert (target / "bin" / "tool").read_bytes() == b"#!/bin/sh\n"
    assert stat.S_IMODE((target / "bin" / "tool").stat().st_mode) == 0o755
    assert stat.S_IMODE((target / "bin").stat().st_mode) == 0o750
    assert stat.S_IMODE((target / "secret").stat().st_mode) == 0o600
    assert (target / "copy").read_bytes() == b"#!/bin/sh\n" and not (target / "copy").is_symlink()
    assert os.readlink(target / "latest") == "bin/tool"
    assert (target / "empty").is_dir()


def test_not_an_archive(tmp_path: Path, sandbox: Path) -> None:
    path = tmp_path / "junk.zip"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(UnpackingError, match="not a readable archive"):
        extract_archive(str(path), str(sandbox / "target"), ARCHIVE_FORMATS["zip"])


def test_a_forged_manifest_cannot_steer_the_packager_outside(tmp_path: Path) -> None:
    """The archive and the manifest both come from the store: neither is trusted."""
    archive = _zip(tmp_path / "evil.zip", [("../../evil", b"x", REG)])
    manager = PackagersManager([PathPackager])
    manifest = {
        "schema": 1,
        "key": "data",
        "artifact_type": "path",
        "object_type": "pathlib.PosixPath",
        "packager": PathPackager.qualified_name(),
        "instructions": {"is_directory": True, "archive_format": "zip", "name": "data"},
    }
    with manager, pytest.raises(UnpackingError, match=r"'\.\./\.\./evil'.*escapes"):
        manager.unpack(DataItem(archive, key="data", manifest=manifest), Path)
    assert not (tmp_path.parent / "evil").exists()


def test_zip_members_without_a_file_type_are_regular_files(tmp_path: Path, sandbox: Path) -> None:
    """``writestr`` with a name (and Windows tools) record permissions but no file type."""
    archive = tmp_path / "plain.zip"
    with zipfile.ZipFile(archive, "w") as opened:
        opened.writestr("notes.txt", b"hello")
        opened.writestr("sub/data.csv", b"a,b\n")
        bare = zipfile.ZipInfo("bare.bin")
        bare.create_system, bare.external_attr = 3, 0o640 << 16
        opened.writestr(bare, b"\x00\x01")
    assert all(
        stat.S_IFMT(info.external_attr >> 16) == 0 for info in zipfile.ZipFile(archive).infolist()
    )
    target = sandbox / "target"
    extract_archive(str(archive), str(target))
    assert (target / "notes.txt").read_bytes() == b"hello"
    assert (target / "sub" / "data.csv").read_bytes() == b"a,b\n"
    assert stat.S_IMODE((target / "bare.bin").stat().st_mode) == 0o640


def test_a_zip_bomb_is_refused_by_ratio(tmp_path: Path, sandbox: Path, small_floor: None) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as opened:
        opened.writestr("zeros", bytes(16 << 20))  # 16 MiB in about 16 KB
    assert archive.stat().st_size * 200 < 16 << 20
    _refused(archive, sandbox, "zeros", "archive.max_ratio")
    with config.override(archive__max_ratio=2000):
        extract_archive(str(archive), str(sandbox / "target"))
    assert (sandbox / "target" / "zeros").stat().st_size == 16 << 20


def test_the_size_limit_counts_what_is_written(tmp_path: Path, sandbox: Path) -> None:
    archive = _zip(tmp_path / "big.zip", [("a", b"x" * 600, REG), ("b", b"y" * 600, REG)])
    config.archive.max_size = 1000
    _refused(archive, sandbox, "b", "more than 1000 bytes, the most one archive may")


def test_hard_links_count_against_the_limit_though_their_headers_say_zero_bytes(
    tmp_path: Path, sandbox: Path, small_floor: None
) -> None:
    """Each copy of one 256 KiB file is a 0-byte header; 40 copies are 10 MiB out of ~1 KB."""
    links = [_info(f"copy{i}", tarfile.LNKTYPE, "data") for i in range(40)]
    archive = _tar(tmp_path / "links.tar.gz", [_file("data", bytes(256 << 10)), *links])
    assert archive.stat().st_size * 200 < 10 << 20
    root = sandbox.parent
    before = sorted(str(p) for p in root.rglob("*"))
    with pytest.raises(UnpackingError, match=r"'copy\d+'.*archive.max_ratio"):
        extract_archive(str(archive), str(sandbox / "target"))
    assert sorted(str(p) for p in root.rglob("*")) == before


def test_a_bzip2_zip_member_is_refused_before_it_is_inflated(tmp_path: Path, sandbox: Path) -> None:
    """zipfile inflates each bzip2 chunk whole: 4 KB read of a 500-byte member can be 512 MiB."""
    archive = tmp_path / "bz.zip"
    with zipfile.ZipFile(archive, "w") as opened:
        opened.writestr("plain", b"fine")
        opened.writestr("packed", b"x" * 100, compress_type=zipfile.ZIP_BZIP2)
    _refused(archive, sandbox, "packed", "compressed with bzip2")
