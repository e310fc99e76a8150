"""Extracting a directory archive only inside its target, whatever the archive holds.

Extraction does its own checks for zip and tar alike (``tarfile`` filters are missing before
Python 3.10.12/3.11.4 and zip has none). Every member is validated before anything is written:

- names must be relative and free of ``..`` (``\\`` is a separator too, a drive letter is
  absolute);
- symlinks must be relative and point inside the target, and no member may pass through one;
- hard links must name a regular file that comes earlier in the archive (it is copied);
- device files, FIFOs and other special members are refused (a zip member whose mode carries
  no file type, as ``zipfile.writestr`` and Windows tools write them, is a regular file);
- zip members compressed with bzip2 or lzma are refused: ``zipfile`` inflates their chunks whole,
  before any count could stop them;
- what is written is counted while it streams out (header sizes can lie) against the core's
  ``ExpansionBudget`` (the ``archive.max_size`` and ``archive.max_ratio`` settings, or the size
  the archive's packer recorded instead of the ratio): past it, extraction stops.

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

from packagers import UnpackingError

if TYPE_CHECKING:
    import tarfile
    import zipfile

    from packagers.plugin_api import ExpansionBudget
    from packagers_stdlib._archive import ArchiveFormat

__all__ = ["DRIVE", "UNIX", "extract_archive", "link_problem"]

_CHUNK = 1 << 20
_MAX_LINK_TARGET = 4096
#: ZipInfo.create_system of archives whose external_attr carries a POSIX mode.
UNIX = 3
_SEPARATORS = re.compile(r"[\\/]")
#: A leading drive letter, which makes a name absolute on Windows.
DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass
class _Member:
    name: str  # as written in the archive, for messages
    path: str  # normalised: relative, "/"-separated, no "." or ".." parts ("" is the target)
    kind: str  # "file", "dir", "symlink" or "hardlink"
    mode: int | None = None
    mtime: float | None = None
    link: str | None = None  # a symlink's target, or the normalised path a hard link copies
    open: Callable[[], IO[bytes] | None] | None = None


def extract_archive(
    archive: str,
    target: str,
    fmt: ArchiveFormat | None = None,
    *,
    expanded_size: int | None = None,
) -> None:
    """Extract ``archive`` into the new directory ``target``, refusing anything that escapes it.

    ``fmt`` None detects zip or tar by content. ``expanded_size`` is what the archive's packer
    recorded it expands to (None for an archive we did not pack): the most extraction writes.
    A refused member is an ``UnpackingError`` that names it; nothing is left in ``target``
    (which is removed) after an error.
    """
    import tarfile
    import zipfile

    from packagers import plugin_api

    is_zip = zipfile.is_zipfile(archive) if fmt is None else fmt.tar_compression is None
    budget = plugin_api.ExpansionBudget(
        os.path.getsize(archive), f"to extract the archive {archive!r}", declared=expanded_size
    )
    try:
        if is_zip:
            with zipfile.ZipFile(archive) as opened:
                _extract(list(_zip_members(opened, budget)), target, budget)
        else:
            with tarfile.open(archive, "r:*") as opened:
                _extract(list(_tar_members(opened)), target, budget)
    except (zipfile.BadZipFile, tarfile.TarError) as error:
        raise UnpackingError(f"{archive!r} is not a readable archive: {error}") from None


def _zip_members(archive: zipfile.ZipFile, budget: ExpansionBudget) -> Iterator[_Member]:
    for info in archive.infolist():
        budget.check_zip_member(info)
        mode = info.external_attr >> 16 if info.create_system == UNIX else 0
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
    if name.startswith(("/", "\\")) or DRIVE.match(name):
        _refuse(name, "an absolute path")
    parts = [part for part in _SEPARATORS.split(name) if part not in ("", ".")]
    if ".." in parts:
        _refuse(name, "a path that escapes the target directory (..)")
    return "/".join(parts)


def link_problem(path: str, target: str) -> str | None:
    """Why a symlink at ``path`` (relative) pointing at ``target`` may not exist, or None."""
    if not target or "\x00" in target:
        return "a symlink with an empty or invalid target"
    if target.startswith(("/", "\\")) or DRIVE.match(target):
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
            problem = link_problem(member.path, member.link or "")
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


def _extract(members: list[_Member], target: str, budget: ExpansionBudget) -> None:
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


def _write(member: _Member, root: str, budget: ExpansionBudget) -> None:
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
