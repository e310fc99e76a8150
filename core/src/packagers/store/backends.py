"""Where the store's files live: a local directory, or any fsspec filesystem.

The store's logic is written once against :class:`Backend`, whose paths are ``/``-separated and
relative to the store root. The local backend uses ``os`` directly: it needs no fsspec import
(a quarter of a second), renames atomically and can hard-link a packer's temporary file instead
of copying it. Object stores have no rename, but a single PUT is atomic, which is all a JSON
file needs; blobs go through a temporary object and a server-side move.
"""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from packagers.store.sessions import TEMP_DIR, new_session_id

if TYPE_CHECKING:
    import fsspec

__all__ = ["Backend", "FsspecBackend", "LocalBackend", "normalize_url", "open_backend"]


class Backend(ABC):
    """The few file operations the store needs; every ``rel`` is relative to the store root."""

    #: The store root as given (a local backend makes it absolute).
    url: str
    is_local: bool
    storage_options: dict[str, Any]

    @abstractmethod
    def location(self, rel: str) -> str:
        """The path or URL a ``DataItem`` opens for ``rel``."""

    @abstractmethod
    def read(self, rel: str) -> bytes:
        """The whole file; ``FileNotFoundError`` when it is missing."""

    def read_many(self, rels: list[str]) -> dict[str, bytes]:
        """Several small files at once (missing ones are left out)."""
        found = {}
        for rel in rels:
            try:
                found[rel] = self.read(rel)
            except FileNotFoundError:
                continue
        return found

    @abstractmethod
    def write(self, rel: str, data: bytes) -> None:
        """Write a small file atomically: a reader sees the old content or the new, never a part."""

    @abstractmethod
    def exists(self, rel: str) -> bool: ...

    @abstractmethod
    def root_kind(self) -> str:
        """What the store root is: ``"directory"``, ``"file"`` or ``"missing"``."""

    @abstractmethod
    def listdir(self, rel: str) -> list[str]:
        """The names directly under ``rel`` (files and directories); empty when it is missing."""

    @abstractmethod
    def files(self, rel: str) -> dict[str, float | None]:
        """Every file below ``rel`` (relative to the root) with its modification time, if known."""

    @abstractmethod
    def remove(self, rel: str) -> None:
        """Delete a file; a missing file is not an error (another gc may have been first)."""

    @abstractmethod
    def open_read(self, rel: str) -> IO[bytes]: ...

    @abstractmethod
    def open_write(self, rel: str) -> IO[bytes]:
        """A new file for streaming into (its directories are created)."""

    @abstractmethod
    def commit(self, temp: str, rel: str) -> None:
        """Move the complete ``temp`` to ``rel``, or drop it for an intact ``rel`` it claims.

        Used for content-addressed files only, so two writers racing for the same ``rel`` hold
        the same bytes and either one may win. Either way ``rel`` ends with a fresh modification
        time, which keeps a concurrent gc off it (``discard``). An existing ``rel`` of another
        size is damaged (truncated): it is replaced, so logging the same data again repairs
        every version.
        """

    def link(self, src: str, rel: str) -> bool:
        """Hard-link the local file ``src`` to ``rel`` unless it exists; False when impossible."""
        return False

    def holds(self, rel: str, size: int) -> bool:
        """Whether ``rel`` exists with ``size`` bytes: a content-addressed file need not be sent."""
        return False

    def put(self, src: str, rel: str) -> bool:
        """Upload the local file ``src`` straight to ``rel``; False when that would not be atomic.

        Only where one upload becomes visible whole or not at all, so ``rel`` needs no temporary
        name and no move.
        """
        return False

    @abstractmethod
    def discard(self, rel: str, mtime: float | None, aside: str) -> bool:
        """Delete the orphaned blob ``rel``, listed with ``mtime``, unless a writer claimed it.

        A writer that reuses a blob bumps its modification time (``commit``, ``link``); a
        changed time means a manifest naming it may be on its way, so the blob stays. ``aside``
        is a temporary name gc may use. True when the blob was deleted.
        """


class LocalBackend(Backend):
    """A directory on this machine, used through ``os`` (no fsspec import)."""

    is_local = True

    def __init__(self, root: str) -> None:
        self.url = normalize_url(root)
        self.storage_options: dict[str, Any] = {}

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
        temp = self._path(f"{TEMP_DIR}/{new_session_id()}.part")
        try:
            # Unbuffered: manifests and records are small, and a run writes two of them.
            descriptor = _in_directory(temp, os.open, temp, _NEW_FILE, 0o644)
            try:
                os.write(descriptor, data)
            finally:
                os.close(descriptor)
            target = self._path(rel)
            _in_directory(target, os.replace, temp, target)
        except BaseException:
            _remove(temp)
            raise

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
        target = self._path(rel)
        if _claim(target, os.path.getsize(self._path(temp))):
            self.remove(temp)
            return
        _protect(self._path(temp))  # before the move: the blob is never writable under its name
        _in_directory(target, os.replace, self._path(temp), target)

    def link(self, src: str, rel: str) -> bool:
        target = self._path(rel)
        try:
            _in_directory(target, os.link, src, target)
        except FileExistsError:
            pass  # the same bytes are stored already: claim them below
        except OSError:  # another device, or a filesystem without hard links
            return False
        else:
            _protect(src)  # the same file: a gc may move the new name aside at any moment
        # The packer wrote the file before the session began, and an existing blob may be old:
        # either way only a claim keeps a concurrent gc off it (see sessions.py and _claim).
        # A blob that vanished meanwhile, or is damaged, is copied in instead (Backend.commit).
        return _claim(target, os.path.getsize(src))

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


def _in_directory(path: str, action: Callable[..., Any], *args: Any) -> Any:
    """``action(*args)``, creating the directory of ``path`` only if it turns out to be missing.

    Directories of a store exist after the first write; not asking each time saves the syscalls.
    """
    try:
        return action(*args)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return action(*args)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _claim(path: str, size: int) -> bool:
    """Claim the blob at ``path`` for a writer: True when it is there, intact, and claimed.

    The modification time is bumped first and the blob checked second; gc moves a blob aside
    first and reads its time second (``LocalBackend.discard``). So either the claim comes first
    and gc sees the new time and puts the blob back, or gc's move comes first and the claim
    finds no blob, and the writer stores its own copy. A blob of the wrong size is damaged
    (truncated from outside) and is replaced the same way.
    """
    try:
        os.utime(path)
        return os.path.getsize(path) == size
    except OSError:  # missing; or someone else's blob we may not touch: store our own copy
        return False


def _protect(path: str) -> None:
    """Make a blob read-only: ``local()`` hands out its very path, and nobody may write into it."""
    if os.name == "posix":
        os.chmod(path, 0o444)


class FsspecBackend(Backend):
    """Any fsspec filesystem (``s3://``, ``gs://``, ``memory://``...).

    Listings and reads bypass fsspec's directory cache: other processes write to the same store.
    """

    is_local = False

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        from fsspec.core import url_to_fs

        from packagers.store.errors import StoreError

        self.url = normalize_url(url)
        self.storage_options = dict(storage_options or {})
        self.fs: fsspec.AbstractFileSystem
        try:
            self.fs, root = url_to_fs(self.url, **self.storage_options)
        except (ImportError, ValueError, TypeError) as error:
            # An unknown protocol, its library not installed ("Install s3fs to access S3"),
            # or options it does not take: fsspec's message alone names no store.
            raise StoreError(f"cannot open the store {self.url}: {error}") from error
        self._root = root.rstrip("/")
        self._s3 = bool(_S3_PROTOCOLS.intersection(_protocols(self.fs)))
        #: How a whole small file is read in one request (see ``_cat``).
        self._whole: dict[str, Any] = {"start": 0} if self._s3 else {}

    def _path(self, rel: str) -> str:
        return f"{self._root}/{rel}"

    def _rel(self, path: str) -> str:
        return self.fs._strip_protocol(path)[len(self._root) + 1 :]  # type: ignore[no-any-return]

    def location(self, rel: str) -> str:
        self._forget(posixpath.dirname(self._path(rel)))  # the data item reads it through self.fs
        return f"{self.url}/{rel}"

    def _forget(self, path: str, *, below: bool = False) -> str:
        """``path``, once fsspec has forgotten its listings of it and its parents (and, with
        ``below``, of everything under it): other processes write to the same store.

        A stale listing is worse than slow: s3fs answers a read of a file its cached listing
        of the directory lacks with FileNotFoundError, so a new manifest would look absent.
        """
        self.fs.invalidate_cache(path)
        if below:
            inside = f"{path.rstrip('/')}/"
            for cached in [name for name in self.fs.dircache if name.startswith(inside)]:
                self.fs.dircache.pop(cached, None)
        return path

    def read(self, rel: str) -> bytes:
        path = self._path(rel)
        self._forget(posixpath.dirname(path))
        return self._cat(path)

    def _cat(self, path: str) -> bytes:
        """The whole file ``path``, in one request.

        Asked for a whole file, s3fs first asks for its size (a HEAD, one more round trip) to
        decide on a download in parallel parts, which small files never need; asked for the
        range from byte 0 it sends one GET. An empty object has no such range (the server
        refuses it), so it is read plainly.
        """
        try:
            return self.fs.cat_file(path, **self._whole)  # type: ignore[no-any-return]
        except OSError as error:
            if not self._whole or error.errno != errno.EINVAL:
                raise
        return self.fs.cat_file(path)  # type: ignore[no-any-return]

    def read_many(self, rels: list[str]) -> dict[str, bytes]:
        if not rels:
            return {}
        paths = [self._path(rel) for rel in rels]
        for directory in {posixpath.dirname(path) for path in paths}:
            self._forget(directory)
        found = self.fs.cat(paths, on_error="return", **self._whole)  # one request each
        read = {}
        for path, data in found.items():
            if isinstance(data, FileNotFoundError):
                continue
            if self._whole and isinstance(data, OSError) and data.errno == errno.EINVAL:
                data = self._cat(path)
            if isinstance(data, BaseException):  # denied, unreachable...: not the same as absent
                raise data
            read[self._rel(path)] = data
        return read

    def write(self, rel: str, data: bytes) -> None:
        self.fs.pipe_file(self._path(rel), data)

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self._forget(self._path(rel))))

    def root_kind(self) -> str:
        root = self._forget(self._root, below=True)
        if self.fs.isdir(root):
            return "directory"
        return "file" if self.fs.exists(root) else "missing"

    def listdir(self, rel: str) -> list[str]:
        path = self._forget(self._path(rel))
        try:
            entries = self.fs.ls(path, detail=False)
        except (FileNotFoundError, NotADirectoryError):
            return []
        names = (posixpath.basename(entry.rstrip("/")) for entry in entries)
        return [name for name in names if name and self._path(f"{rel}/{name}") != path]

    def files(self, rel: str) -> dict[str, float | None]:
        path = self._forget(self._path(rel), below=True)
        try:
            found = self.fs.find(path, detail=True)
        except FileNotFoundError:
            return {}
        return {self._rel(name): _mtime(info) for name, info in found.items()}

    def remove(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self._path(rel))

    def open_read(self, rel: str) -> IO[bytes]:
        path = self._path(rel)
        self._forget(posixpath.dirname(path))
        return self.fs.open(path, "rb")  # type: ignore[no-any-return]

    def open_write(self, rel: str) -> IO[bytes]:
        return self.fs.open(self._path(rel), "wb")  # type: ignore[no-any-return]

    def commit(self, temp: str, rel: str) -> None:
        # Always moved over, even onto the same bytes: the new modification time is the claim
        # that keeps a concurrent gc from deleting the blob this writer's manifest will name.
        self.fs.mv(self._path(temp), self._path(rel))

    def discard(self, rel: str, mtime: float | None, aside: str) -> bool:
        # No atomic move here: the time is read fresh just before the delete, which leaves a
        # writer's claim landing between the two (docs/store.md, "Guarantees").
        path = self._forget(self._path(rel))
        try:
            current = _mtime(self.fs.info(path))
        except FileNotFoundError:
            return False
        if current != mtime:
            return False
        self.remove(rel)
        return True

    def holds(self, rel: str, size: int) -> bool:
        path = self._path(rel)
        try:
            return self._size(path) == size
        except FileNotFoundError:
            return False

    def _size(self, path: str) -> int:
        """The size of the file ``path``, asked in one round trip on S3.

        s3fs follows a HEAD that finds no object with a listing, to tell a missing file from a
        directory: a second round trip for every new blob, which is never a directory.
        """
        if self._s3:
            bucket, key, _ = self.fs.split_path(path)
            head = self.fs.call_s3("head_object", self.fs.kwargs, Bucket=bucket, Key=key)
            return int(head["ContentLength"])
        self.fs.invalidate_cache(path)
        return int(self.fs.size(path))

    def put(self, src: str, rel: str) -> bool:
        if not _ATOMIC_PROTOCOLS.intersection(_protocols(self.fs)):
            return False
        self.fs.put_file(src, self._path(rel))
        return True


_S3_PROTOCOLS = frozenset({"s3", "s3a"})
#: Object stores, where an object (a multipart upload included) appears only once complete.
_ATOMIC_PROTOCOLS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "memory"})


def _protocols(fs: fsspec.AbstractFileSystem) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def _mtime(info: dict[str, Any]) -> float | None:
    """The modification time in an fsspec ``info`` dict, whose field names differ per backend."""
    from datetime import datetime

    for field in ("mtime", "LastModified", "last_modified", "updated", "created"):
        value = info.get(field)
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
    return None


def normalize_url(url: str) -> str:
    """One spelling per store: an absolute path for a local one, no trailing ``/`` for a URL."""
    from packagers.data_item import _is_url

    url = url.removeprefix("file://")
    if _is_url(url):
        return url.rstrip("/")
    return os.path.abspath(os.path.expanduser(url))


def open_backend(url: str, storage_options: dict[str, Any] | None = None) -> Backend:
    """The backend for a store URL: a plain path (or ``file://``) is local, anything else fsspec."""
    from packagers.data_item import _is_url

    url = normalize_url(url)
    if _is_url(url):
        return FsspecBackend(url, storage_options)
    return LocalBackend(url)
