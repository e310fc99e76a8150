"""Directory archives: written with modes, mtimes, empty directories and in-tree symlinks, and
extracted only inside their target.

Extraction does its own checks for zip and tar alike (``tarfile`` filters are missing before
Python 3.10.12/3.11.4 and zip has none). Every member is validated before anything is written:

- names must be relative and free of ``..`` (``\\`` is a separator too, a drive letter is
  absolute);
- symlinks must be relative and point inside the target, and no member may pass through one;
- hard links must name a regular file that comes earlier in the archive (it is copied);
- device files, FIFOs and other special members are refused (a zip member whose mode carries
  no file type, as ``zipfile.writestr`` and Windows tools write them, is a regular file);
- what is written is counted while it streams out (header sizes can lie): past the
  ``archive.max_size`` setting, or past ``archive.max_ratio`` times the archive's own size once
  more than :data:`RATIO_FLOOR` bytes are out, extraction stops.

Symlinks are created last and then resolved for real, so a chain of links that ends outside the
target is caught too; a refused archive leaves nothing behind. Modes keep their permission bits
only (no setuid/setgid/sticky), with owner read/write (and search, for directories) always set
so the extracted tree can be read and cleared.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, NoReturn

from packagers import PackingError, UnpackingError
from packagers.formats import Format, FormatRegistry

if TYPE_CHECKING:
    import tarfile
    import zipfile

__all__ = [
    "ARCHIVE_FORMATS",
    "DEFAULT_ARCHIVE_FORMAT",
    "RATIO_FLOOR",
    "ArchiveFormat",
    "extract_archive",
    "make_archive",
]

_CHUNK = 1 << 20
_MAX_LINK_TARGET = 4096
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_UNIX = 3  # ZipInfo.create_system of archives whose external_attr carries a POSIX mode
_SEPARATORS = re.compile(r"[\\/]")
_DRIVE = re.compile(r"^[A-Za-z]:")
#: Below this many extracted bytes the ratio is not checked: a small archive cannot fill a disk,
#: and a few files of zeros or repeated text compress far beyond any sensible ratio.
RATIO_FLOOR = 64 << 20


@dataclass(frozen=True, kw_only=True)
class ArchiveFormat(Format):
    """An archive format a directory can be packed in."""

    #: The ``tarfile`` compression ("", "gz", "bz2", "xz"), or None for zip.
    tar_compression: str | None


ARCHIVE_FORMATS: FormatRegistry[ArchiveFormat] = FormatRegistry(
    "archive",
    (
        ArchiveFormat(name="zip", suffixes=(".zip",), tar_compression=None),
        ArchiveFormat(name="tar", suffixes=(".tar",), tar_compression=""),
        ArchiveFormat(name="tar.gz", suffixes=(".tar.gz",), tar_compression="gz"),
        ArchiveFormat(name="tar.bz2", suffixes=(".tar.bz2",), tar_compression="bz2"),
        ArchiveFormat(name="tar.xz", suffixes=(".tar.xz",), tar_compression="xz"),
    ),
)
DEFAULT_ARCHIVE_FORMAT = "zip"


# -- packing --------------------------------------------------------------------------------------


def make_archive(directory: str, target: str, fmt: ArchiveFormat) -> int:
    """Archive the tree under ``directory`` into ``target``; returns the number of entries.

    Entries are sorted. A symlink is kept as a link when it is relative and stays inside the
    directory; any other link, and any special file, is a ``PackingError`` naming it.
    """
    entries = list(_walk(os.path.realpath(directory), ""))
    if fmt.tar_compression is None:
        _write_zip(entries, target)
    else:
        _write_tar(entries, target, fmt.tar_compression)
    return len(entries)


def _walk(root: str, relative: str) -> Iterator[tuple[str, str, os.stat_result]]:
    """(path, archive name, lstat) of every entry, parents before children."""
    with os.scandir(os.path.join(root, relative)) as scanned:
        found = sorted(scanned, key=lambda entry: entry.name)
    for entry in found:
        name = f"{relative}/{entry.name}" if relative else entry.name
        if "\\" in entry.name or _DRIVE.match(name):
            raise PackingError(
                f"cannot archive {name!r} in {root!r}: extracting reads a backslash as a path "
                "separator and a leading drive ('C:') as an absolute path, so it would not come "
                "back under this name; rename it"
            )
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode):
            _check_packed_link(root, entry.path, name)
        elif not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            raise PackingError(
                f"cannot archive {name!r} in {root!r}: it is a special file (device, FIFO or "
                "socket); remove it or pack the directory without it"
            )
        yield entry.path, name, info
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(root, name)


def _check_packed_link(root: str, path: str, name: str) -> None:
    target = os.readlink(path)
    resolved = os.path.realpath(path)
    inside = resolved == root or resolved.startswith(root + os.sep)
    if _link_problem(name, target) is not None or not inside:
        raise PackingError(
            f"cannot archive the symlink {name!r} -> {target!r} in {root!r}: archives keep only "
            "relative links that stay inside the directory; copy its target in or remove it"
        )


def _write_zip(entries: list[tuple[str, str, os.stat_result]], target: str) -> None:
    import zipfile

    with zipfile.ZipFile(
        target, "w", compression=zipfile.ZIP_DEFLATED, strict_timestamps=False
    ) as archive:
        for path, name, info in entries:
            if not _is_utf8(name):
                raise PackingError(
                    f"cannot archive {name!r} as zip: zip names are UTF-8 and this one holds "
                    "bytes of another encoding; rename it, or pass archive_format='tar'"
                )
            if stat.S_ISLNK(info.st_mode):
                member = zipfile.ZipInfo(name, _zip_time(info.st_mtime))
                member.create_system = _UNIX
                member.external_attr = (info.st_mode & 0xFFFF) << 16
                archive.writestr(member, os.readlink(path))
            else:
                archive.write(path, name)


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes of a POSIX name, as surrogate escapes
        return False
    return True


def _zip_time(mtime: float) -> tuple[int, int, int, int, int, int]:
    date_time = time.localtime(mtime)[:6]
    return max(date_time, _ZIP_EPOCH)


def _write_tar(
    entries: list[tuple[str, str, os.stat_result]], target: str, compression: str
) -> None:
    import tarfile

    mode = f"w:{compression}"
    with tarfile.open(target, mode, format=tarfile.PAX_FORMAT) as archive:  # type: ignore[call-overload]
        for path, name, _ in entries:
            archive.add(path, name, recursive=False, filter=_anonymous)


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Owner ids and names say nothing to whoever extracts the archive: leave them out."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


# -- extracting ----------------------------------------------------------------------------------


@dataclass
class _Member:
    name: str  # as written in the archive, for messages
    path: str  # normalised: relative, "/"-separated, no "." or ".." parts ("" is the target)
    kind: str  # "file", "dir", "symlink" or "hardlink"
    mode: int | None = None
    mtime: float | None = None
    link: str | None = None  # a symlink's target, or the normalised path a hard link copies
    open: Callable[[], IO[bytes] | None] | None = None


class _Budget:
    """The bytes extraction may still write, counted as they are written."""

    def __init__(self, archive: str) -> None:
        from packagers import config

        self.archive = archive
        self.max_size = config.archive.max_size
        self.max_ratio = config.archive.max_ratio
        self.ratio_limit = max(self.max_ratio * os.path.getsize(archive), RATIO_FLOOR)
        self.written = 0

    def spend(self, name: str, size: int) -> None:
        self.written += size
        if self.written > self.max_size:
            _refuse(
                name,
                f"past the extraction limit: the archive holds more than {self.max_size} bytes "
                "(setting archive.max_size, MLRUN_PACKAGERS__ARCHIVE__MAX_SIZE, raises it)",
            )
        if self.written > self.ratio_limit:
            _refuse(
                name,
                f"past the extraction limit: {self.written} bytes out of a "
                f"{os.path.getsize(self.archive)}-byte archive is more than {self.max_ratio} "
                "times its size, as in a decompression bomb (setting archive.max_ratio, "
                "MLRUN_PACKAGERS__ARCHIVE__MAX_RATIO, raises it)",
            )


def extract_archive(archive: str, target: str, fmt: ArchiveFormat | None = None) -> None:
    """Extract ``archive`` into the new directory ``target``, refusing anything that escapes it.

    ``fmt`` None detects zip or tar by content. A refused member is an ``UnpackingError`` that
    names it; nothing is left in ``target`` (which is removed) after an error.
    """
    import tarfile
    import zipfile

    is_zip = zipfile.is_zipfile(archive) if fmt is None else fmt.tar_compression is None
    budget = _Budget(archive)
    try:
        if is_zip:
            with zipfile.ZipFile(archive) as opened:
                _extract(list(_zip_members(opened)), target, budget)
        else:
            with tarfile.open(archive, "r:*") as opened:
                _extract(list(_tar_members(opened)), target, budget)
    except (zipfile.BadZipFile, tarfile.TarError) as error:
        raise UnpackingError(f"{archive!r} is not a readable archive: {error}") from None


def _zip_members(archive: zipfile.ZipFile) -> Iterator[_Member]:
    for info in archive.infolist():
        mode = info.external_attr >> 16 if info.create_system == _UNIX else 0
        mtime = time.mktime((*info.date_time, 0, 0, -1))
        member = _Member(info.filename, _member_path(info.filename), "file", mode or None, mtime)
        if info.is_dir() or stat.S_ISDIR(mode):
            member.kind = "dir"
        elif stat.S_ISLNK(mode):
            with archive.open(info) as stream:
                link = stream.read(_MAX_LINK_TARGET + 1)
            if len(link) > _MAX_LINK_TARGET:
                _refuse(info.filename, "a symlink whose target is too long")
            member.kind = "symlink"
            member.link = link.decode("utf-8", errors="surrogateescape")
        elif stat.S_IFMT(mode) and not stat.S_ISREG(mode):
            _refuse(info.filename, "a device file, FIFO or other special file")
        else:
            member.open = functools.partial(archive.open, info)
        yield member


def _tar_members(archive: tarfile.TarFile) -> Iterator[_Member]:
    for info in archive.getmembers():
        member = _Member(info.name, _member_path(info.name), "file", info.mode, info.mtime)
        if info.isreg():
            member.open = functools.partial(archive.extractfile, info)
        elif info.isdir():
            member.kind = "dir"
        elif info.issym():
            member.kind, member.link = "symlink", info.linkname
        elif info.islnk():
            member.kind, member.link = "hardlink", info.linkname
        else:
            _refuse(info.name, "a device file, FIFO or other special file")
        yield member


def _member_path(name: str) -> str:
    if "\x00" in name:
        _refuse(name, "a name with a NUL byte")
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        _refuse(name, "an absolute path")
    parts = [part for part in _SEPARATORS.split(name) if part not in ("", ".")]
    if ".." in parts:
        _refuse(name, "a path that escapes the target directory (..)")
    return "/".join(parts)


def _link_problem(path: str, target: str) -> str | None:
    """Why a symlink at ``path`` (relative) pointing at ``target`` may not exist, or None."""
    if not target or "\x00" in target:
        return "a symlink with an empty or invalid target"
    if target.startswith(("/", "\\")) or _DRIVE.match(target):
        return f"a symlink to the absolute path {target!r}"
    parts = posixpath.dirname(path).split("/") if "/" in path else []
    for part in _SEPARATORS.split(target):
        if part == "..":
            if not parts:
                return f"a symlink pointing outside the target ({target!r})"
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return None


def _validate(members: list[_Member]) -> None:
    links = {member.path for member in members if member.kind == "symlink"}
    files: set[str] = set()
    names: set[str] = set()
    for member in members:
        parents = member.path.split("/")[:-1]
        for depth in range(1, len(parents) + 1):
            parent = "/".join(parents[:depth])
            if parent in links:
                _refuse(member.name, f"a path through the symlink {parent!r}")
        if not member.path and member.kind != "dir":
            _refuse(member.name, "a name for the target directory itself")
        if member.kind == "symlink":
            problem = _link_problem(member.path, member.link or "")
            if problem is not None:
                _refuse(member.name, problem)
            if member.path in names:
                _refuse(member.name, "a symlink with the name of another member")
        elif member.kind == "hardlink":
            try:
                source: str | None = _member_path(member.link or "")
            except UnpackingError:  # reported below, under the link's own name
                source = None
            if source is None or source not in files:
                _refuse(
                    member.name,
                    f"a hard link to {member.link!r}, which is not a file earlier in the archive",
                )
            member.link = source
            files.add(member.path)
        elif member.kind == "file":
            files.add(member.path)
        if member.path in links and member.kind != "symlink":
            _refuse(member.name, "a member with the name of a symlink")
        names.add(member.path)


def _extract(members: list[_Member], target: str, budget: _Budget) -> None:
    _validate(members)
    os.mkdir(target)
    root = os.path.realpath(target)
    directories: list[_Member] = []
    try:
        for member in members:
            if member.kind != "symlink":
                _write(member, root, budget)
            if member.kind == "dir":
                directories.append(member)
        links = [member for member in members if member.kind == "symlink"]
        for member in links:
            _write(member, root, budget)
        for member in links:  # a chain of in-tree links may still end outside
            resolved = os.path.realpath(_destination(root, member.path))
            if not (resolved == root or resolved.startswith(root + os.sep)):
                _refuse(member.name, f"a symlink resolving outside the target ({member.link!r})")
        for member in sorted(directories, key=lambda m: m.path.count("/"), reverse=True):
            _finish(member, _destination(root, member.path), 0o700)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise


def _destination(root: str, path: str) -> str:
    return os.path.join(root, *path.split("/")) if path else root


def _write(member: _Member, root: str, budget: _Budget) -> None:
    destination = _destination(root, member.path)
    try:
        if member.kind == "dir":
            os.makedirs(destination, exist_ok=True)
            return
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        if member.kind == "symlink":
            os.symlink(member.link or "", destination)
            return
        if member.kind == "hardlink":
            source_path = _destination(root, member.link or "")
            budget.spend(member.name, os.path.getsize(source_path))
            shutil.copyfile(source_path, destination)
        else:
            source = member.open() if member.open is not None else None
            assert source is not None  # every regular member has a reader
            with source, open(destination, "wb") as copy:
                while chunk := source.read(_CHUNK):
                    budget.spend(member.name, len(chunk))
                    copy.write(chunk)
        _finish(member, destination, 0o600)
    except (OSError, RuntimeError) as error:  # RuntimeError: an encrypted zip member
        raise UnpackingError(
            f"cannot extract the archive member {member.name!r}: {type(error).__name__}: {error}"
        ) from None


def _finish(member: _Member, destination: str, owner: int) -> None:
    """Permission bits only, with the owner's ``owner`` bits always on; then the mtime."""
    if member.mode is not None:
        os.chmod(destination, (member.mode & 0o777) | owner)
    if member.mtime is not None:
        os.utime(destination, (member.mtime, member.mtime))


def _refuse(name: str, what: str) -> NoReturn:
    raise UnpackingError(f"refusing to extract the archive member {name!r}: it is {what}")
