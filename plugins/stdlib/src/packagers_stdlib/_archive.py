"""Directory archives: the formats, and packing a tree with modes, mtimes, empty directories and
in-tree symlinks. Only what extraction (``_extraction``) accepts is written: a name or a link it
would refuse is a ``PackingError`` here, before the archive exists. Packing also measures the bytes
the archive expands to, which ``path`` artifacts record so that extracting is not held to the
``archive.max_ratio`` meant for archives of unknown origin.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packagers import PackingError
from packagers.formats import Format, FormatRegistry
from packagers_stdlib._extraction import DRIVE, UNIX, link_problem

if TYPE_CHECKING:
    import tarfile

__all__ = ["ARCHIVE_FORMATS", "DEFAULT_ARCHIVE_FORMAT", "ArchiveFormat", "make_archive"]

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


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


def make_archive(directory: str, target: str, fmt: ArchiveFormat) -> tuple[int, int]:
    """Archive the tree under ``directory`` into ``target``; the number of entries and the bytes
    the archive expands to (at least what extracting it writes).

    Entries are sorted. A symlink is kept as a link when it is relative and stays inside the
    directory; any other link, and any special file, is a ``PackingError`` naming it.
    """
    entries = list(_walk(os.path.realpath(directory), ""))
    if fmt.tar_compression is None:
        expanded_size = _write_zip(entries, target)
    else:
        expanded_size = _write_tar(entries, target, fmt.tar_compression)
    return len(entries), expanded_size


def _walk(root: str, relative: str) -> Iterator[tuple[str, str, os.stat_result]]:
    """(path, archive name, lstat) of every entry, parents before children."""
    with os.scandir(os.path.join(root, relative)) as scanned:
        found = sorted(scanned, key=lambda entry: entry.name)
    for entry in found:
        name = f"{relative}/{entry.name}" if relative else entry.name
        if "\\" in entry.name or DRIVE.match(name):
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
    if link_problem(name, target) is not None or not inside:
        raise PackingError(
            f"cannot archive the symlink {name!r} -> {target!r} in {root!r}: archives keep only "
            "relative links that stay inside the directory; copy its target in or remove it"
        )


def _write_zip(entries: list[tuple[str, str, os.stat_result]], target: str) -> int:
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
                member.create_system = UNIX
                member.external_attr = (info.st_mode & 0xFFFF) << 16
                archive.writestr(member, os.readlink(path))
            else:
                archive.write(path, name)
        return sum(info.file_size for info in archive.infolist())


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
) -> int:
    """Write the tar; the bytes it expands to, a hard link counting the copy extraction makes."""
    import tarfile

    mode = f"w:{compression}"
    with tarfile.open(target, mode, format=tarfile.PAX_FORMAT) as archive:  # type: ignore[call-overload]
        for path, name, _ in entries:
            archive.add(path, name, recursive=False, filter=_anonymous)
        sizes: dict[str, int] = {}
        for member in archive.getmembers():
            sizes[member.name] = sizes.get(member.linkname, 0) if member.islnk() else member.size
        return sum(sizes.values())


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Owner ids and names say nothing to whoever extracts the archive: leave them out."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info
