"""A store on a directory of this machine, used through ``os`` directly.

It needs no fsspec import (a quarter of a second), renames atomically and can hard-link a
packer's temporary file instead of copying it. Claiming a blob (bumping its modification time)
and gc's discarding it are written as mirror images, so that a writer and a concurrent gc never
both believe they won (``_claim`` and ``LocalBackend.discard``).

Every file gets its name only once complete, which survives the writer crashing. Surviving a
power loss too (``store.durability=power``) takes an fsync of the file before its name appears
and of its directory after; ``_place`` does both, for every file that is not temporary.

A small file (manifest, run record, tag) is written, on Linux, as an unnamed file in its own
directory (``O_TMPFILE``) and then linked to its name: no temporary name under ``tmp/`` to create
and move, nothing left behind by a crash, and a name that exists already is refused by the link
itself, which is how a final run record is created without asking first (``create``). The new
inode is the cost that remains, and it is the one a busy disk makes slow: creating a file on
ext4 without a journal steps over every recently deleted inode of its block group.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from typing import IO, Any

from packagers._config import config
from packagers.store.backend import Backend, normalize_url
from packagers.store.session_ids import TEMP_DIR, new_session_id

__all__ = ["LocalBackend"]


class LocalBackend(Backend):
    """A directory on this machine, used through ``os`` (no fsspec import)."""

    is_local = True

    def __init__(self, root: str) -> None:
        self.url = normalize_url(root)
        self.storage_options: dict[str, Any] = {}
        #: Whether small files are written unnamed first (``O_TMPFILE``, see ``_put``).
        self._unnamed = _TMPFILE != 0 and os.path.isdir(_OPEN_FILES)

    def _path(self, rel: str) -> str:
        return os.path.join(self.url, *rel.split("/"))

    def location(self, rel: str) -> str:
        return self._path(rel)

    def read(self, rel: str) -> bytes:
        try:
            with open(self._path(rel), "rb") as stream:
                return stream.read()
        except NotADirectoryError as error:
            raise FileNotFoundError(rel) from error

    def write(self, rel: str, data: bytes) -> None:
        self._put(rel, data, replace=True)

    def create(self, rel: str, data: bytes) -> bool:
        return self._put(rel, data, replace=False)

    def _put(self, rel: str, data: bytes, *, replace: bool) -> bool:
        """Write the small file ``rel`` whole, unbuffered; False when it exists and not
        ``replace``. An unnamed file where the system has them, else a temporary one."""
        target, durable = self._path(rel), _durable(rel)
        descriptor = self._unnamed_file(target) if self._unnamed else None
        if descriptor is not None:
            try:
                named = self._link(descriptor, data, target, replace=replace, durable=durable)
            finally:
                os.close(descriptor)
            if named is not None:
                if named and durable:
                    _sync(os.path.dirname(target))
                return named
        temp = self._path(f"{TEMP_DIR}/{new_session_id()}.part")
        return _put_named(temp, target, data, replace=replace, durable=durable)

    def _link(
        self, descriptor: int, data: bytes, target: str, *, replace: bool, durable: bool
    ) -> bool | None:
        """Fill the unnamed file ``descriptor`` and link it to ``target``: whether it was
        named, or None where a link to it cannot be made (then never tried again)."""
        _write_all(descriptor, data)
        if durable:
            os.fsync(descriptor)
        source = f"{_OPEN_FILES}/{descriptor}"
        try:
            # The descriptor as src_dir_fd only makes os.link call linkat, which follows the
            # /proc link to the file (an absolute path ignores the directory it names).
            os.link(source, target, src_dir_fd=descriptor)
        except FileExistsError:
            if not replace:
                return False
            temp = self._path(f"{TEMP_DIR}/{new_session_id()}.part")
            _in_directory(temp, os.link, source, temp, src_dir_fd=descriptor)
            _replace(temp, target)
        except OSError as error:
            if error.errno not in _NO_LINKS_TO_OPEN_FILES:
                raise
            self._unnamed = False
            return None
        return True

    def _unnamed_file(self, target: str) -> int | None:
        """A new unnamed file in the directory of ``target`` (made if missing), open for
        writing; None where the filesystem has none (then never asked again)."""
        try:
            descriptor: int = _in_directory(
                target, os.open, os.path.dirname(target), _UNNAMED, 0o644
            )
            return descriptor
        except OSError as error:
            if error.errno not in _NO_UNNAMED_FILES:
                raise
            self._unnamed = False
            return None

    def exists(self, rel: str) -> bool:
        return os.path.exists(self._path(rel))

    def root_kind(self) -> str:
        if os.path.isdir(self.url):
            return "directory"
        return "file" if os.path.exists(self.url) else "missing"

    def listdir(self, rel: str) -> list[str]:
        try:
            return os.listdir(self._path(rel))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def files(self, rel: str) -> dict[str, float | None]:
        found: dict[str, float | None] = {}
        base = self._path(rel)
        if os.path.isfile(base):
            return {rel: os.stat(base).st_mtime}
        for directory, _, names in os.walk(base):
            prefix = os.path.relpath(directory, self.url).replace(os.sep, "/")
            for name in names:
                try:
                    found[f"{prefix}/{name}"] = os.stat(os.path.join(directory, name)).st_mtime
                except FileNotFoundError:  # removed while we walked
                    continue
        return found

    def remove(self, rel: str) -> None:
        _remove(self._path(rel))

    def open_read(self, rel: str) -> IO[bytes]:
        return open(self._path(rel), "rb")

    def open_write(self, rel: str) -> IO[bytes]:
        path = self._path(rel)
        return _in_directory(path, open, path, "wb")  # type: ignore[no-any-return]

    def commit(self, temp: str, rel: str) -> None:
        target, durable = self._path(rel), _durable(rel)
        if _claim(target, os.path.getsize(self._path(temp)), durable):
            self.remove(temp)
            return
        _protect(self._path(temp))  # before the move: the blob is never writable under its name
        _place(os.replace, self._path(temp), target, durable)

    def link(self, src: str, rel: str) -> bool:
        target, durable = self._path(rel), _durable(rel)
        if durable and _claim(target, os.path.getsize(src), durable):
            return True  # stored already: the packer's file need not wait for the disk
        try:
            _place(os.link, src, target, durable)
        except FileExistsError:
            found = True  # the same bytes are stored already: claim them below
        except OSError:  # another device, or a filesystem without hard links
            return False
        else:
            found = False  # synced by _place already
            _protect(src)  # the same file: a gc may move the new name aside at any moment
        # The packer wrote the file before the session began, and an existing blob may be old:
        # either way only a claim keeps a concurrent gc off it (see sessions.py and _claim).
        # A blob that vanished meanwhile, or is damaged, is copied in instead (Backend.commit).
        return _claim(target, os.path.getsize(src), durable and found)

    def discard(self, rel: str, mtime: float | None, aside: str) -> bool:
        # Moved aside first, its time read second: the mirror of _claim's order. A writer's
        # claim that came before the move shows in the time, and the blob goes back; one that
        # comes after finds no blob and stores its own copy.
        moved = self._path(aside)
        try:
            _in_directory(moved, os.rename, self._path(rel), moved)
        except FileNotFoundError:
            return False  # another gc was first
        if os.stat(moved).st_mtime == mtime:
            os.remove(moved)
            return True
        self.commit(aside, rel)  # put back, unless a writer stored the same bytes meanwhile
        return False


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
#: An unnamed file in a directory (Linux only), and where this process's open files have a path.
_TMPFILE = getattr(os, "O_TMPFILE", 0)
_UNNAMED = os.O_WRONLY | _TMPFILE
_OPEN_FILES = "/proc/self/fd"
#: What ``open`` says where a filesystem (or an old kernel) makes no unnamed files, and what
#: ``linkat`` says where a sandbox's /proc cannot link one.
_NO_UNNAMED_FILES = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL}
_NO_LINKS_TO_OPEN_FILES = {errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EINVAL, errno.ENOSYS}


_TEMPORARY = f"{TEMP_DIR}/"


def _power() -> bool:
    """Whether writes must survive a power loss (``store.durability``), read per write so that
    a change applies to stores made before it too."""
    return config.store.durability == "power"  # type: ignore[no-any-return]


def _durable(rel: str) -> bool:
    """Whether the file ``rel`` must survive a power loss: never one under ``tmp/`` (markers,
    claims, uploads), whose writer a power loss ends anyway."""
    return not rel.startswith(_TEMPORARY) and _power()


def _place(action: Callable[[str, str], None], src: str, target: str, durable: bool) -> None:
    """Give the complete file ``src`` the name ``target`` by ``action`` (a rename or a hard link).

    ``durable``: its bytes reach the disk before the name can (else a power loss may leave the
    name with no data: ext4's delayed allocation), and the name, with any directory made for it,
    before this returns.
    """
    if durable:
        _sync(src)
    _in_directory(target, action, src, target)
    if durable:
        _sync(os.path.dirname(target))


def _in_directory(path: str, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``action(*args)``, creating the directory of ``path`` only if it turns out to be missing.

    Directories of a store exist after the first write; not asking each time saves the syscalls.
    Under ``power`` each is synced into its parent, ``tmp/`` too (it may be the first one made,
    along with the store's root): that costs once per directory, never per write.
    """
    try:
        return action(*args, **kwargs)
    except FileNotFoundError:
        _make_directory(os.path.dirname(path), _power())
        return action(*args, **kwargs)


def _make_directory(directory: str, durable: bool) -> None:
    """``os.makedirs``; a ``durable`` one syncs each directory's name into its parent."""
    if not durable:
        os.makedirs(directory, exist_ok=True)
        return
    parent = os.path.dirname(directory)
    if not os.path.isdir(parent):
        _make_directory(parent, durable)
    with contextlib.suppress(FileExistsError):  # made meanwhile by another writer
        os.mkdir(directory)
    _sync(parent)


def _sync(path: str) -> None:
    """Flush a file's bytes, or a directory's names, to the disk.

    A directory cannot be opened on Windows, where NTFS journals names itself; a file is opened
    for writing there, as ``FlushFileBuffers`` needs.
    """
    if os.name == "posix":
        flags = os.O_RDONLY
    elif os.path.isdir(path):
        return
    else:
        flags = os.O_RDWR | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _put_named(temp: str, target: str, data: bytes, *, replace: bool, durable: bool) -> bool:
    """``LocalBackend._put`` through the temporary file ``temp``, for filesystems without
    unnamed files; a hard link refuses an existing name where ``replace`` is not wanted."""
    try:
        descriptor = _in_directory(temp, os.open, temp, _NEW_FILE, 0o644)
        try:
            _write_all(descriptor, data)
        finally:
            os.close(descriptor)
        if replace:
            _place(os.replace, temp, target, durable)
            return True
        try:
            _place(os.link, temp, target, durable)
        except FileExistsError:
            return False
        except OSError:  # no hard links here: ask first, as on an object store
            if os.path.exists(target):
                return False
            _place(os.replace, temp, target, durable)
        finally:
            _remove(temp)
        return True
    except BaseException:
        _remove(temp)
        raise


def _write_all(descriptor: int, data: bytes) -> None:
    """``os.write`` until every byte is written: a short write (a disk filling up) must not
    leave a file that gets its name while incomplete."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _replace(temp: str, target: str) -> None:
    """``os.replace``, the temporary ``temp`` removed if it fails."""
    try:
        os.replace(temp, target)
    except BaseException:
        _remove(temp)
        raise


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _claim(path: str, size: int, durable: bool) -> bool:
    """Claim the blob at ``path`` for a writer: True when it is there, intact, and claimed.

    The modification time is bumped first and the blob checked second; gc moves a blob aside
    first and reads its time second (``LocalBackend.discard``). So either the claim comes first
    and gc sees the new time and puts the blob back, or gc's move comes first and the claim
    finds no blob, and the writer stores its own copy. A blob of the wrong size is damaged
    (truncated from outside) and is replaced the same way. ``durable``: the blob may be another
    writer's, stored without fsync, so it is synced before a manifest names it.
    """
    try:
        os.utime(path)
        if os.path.getsize(path) != size:
            return False
        if durable:
            _sync(path)
            _sync(os.path.dirname(path))
        return True
    except OSError:  # missing; or someone else's blob we may not touch: store our own copy
        return False


def _protect(path: str) -> None:
    """Make a blob read-only: ``local()`` hands out its very path, and nobody may write into it."""
    if os.name == "posix":
        os.chmod(path, 0o444)
