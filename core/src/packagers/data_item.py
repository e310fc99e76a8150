"""A handle on one input: a local path or any fsspec URL, fetched at most once."""

from __future__ import annotations

import os
import posixpath
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    import fsspec

__all__ = ["DataItem"]


def _is_url(path: str) -> bool:
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.isidentifier() and len(scheme) > 1


class DataItem:
    """An input as the manager sees it: where it is and, when we packed it, its manifest.

    A local path is used in place (never copied, never deleted). A remote URL is fetched once,
    into a temporary file that keeps the full suffix (``.tar.gz``) because unpackers dispatch on
    it; ``clear()`` deletes that copy.
    """

    def __init__(
        self,
        url: str | os.PathLike[str],
        *,
        key: str | None = None,
        manifest: dict[str, Any] | None = None,
        suffix: str | None = None,
        storage_options: dict[str, Any] | None = None,
        resolver: Callable[[dict[str, Any]], DataItem] | None = None,
    ) -> None:
        url = os.fspath(url)
        if url.startswith("file://"):
            url = url[len("file://") :]
        self.url = url
        self.manifest = manifest
        self.storage_options = dict(storage_options or {})
        #: Turns a bundle member entry of the manifest into its own DataItem (set by the store).
        self.resolver = resolver
        #: The ``Annotated`` extras of the hint being unpacked (``Columns("a")``), set by the
        #: manager before each unpack call so a packager can read only what is asked for.
        self.hint_metadata: tuple[Any, ...] = ()
        name = posixpath.basename(url.rstrip("/"))
        stem, dot, extensions = name.lstrip(".").partition(".")
        self.key = key if key is not None else name.split(".", 1)[0]
        self.suffix = suffix if suffix is not None else (dot + extensions if stem else "")
        self._local: str | None = None if self.is_remote else url
        self._temp_dir: str | None = None

    @property
    def is_remote(self) -> bool:
        return _is_url(self.url)

    def _filesystem(self) -> tuple[fsspec.AbstractFileSystem, str]:
        from fsspec.core import url_to_fs

        fs, path = url_to_fs(self.url, **self.storage_options)
        return fs, path

    def local(self) -> str:
        """A local path of the item's content, downloading a remote item on first call."""
        if self._local is None:
            import tempfile

            fs, path = self._filesystem()
            self._temp_dir = tempfile.mkdtemp(prefix="packagers-item-")
            target = os.path.join(self._temp_dir, f"{self.key or 'item'}{self.suffix}")
            self._download(fs, path, target)
            self._local = target
        return self._local

    def _download(self, fs: fsspec.AbstractFileSystem, path: str, target: str) -> None:
        """Copy the remote file or directory ``path`` to the local ``target``."""
        fs.get(path, target, recursive=fs.isdir(path))

    def open(self, mode: str = "rb") -> IO[Any]:
        """Open the content for streaming; remote items are read in place, not downloaded."""
        if self._local is not None:
            return open(self._local, mode)
        fs, path = self._filesystem()
        stream: IO[Any] = fs.open(path, mode)
        return stream

    def get(self) -> bytes:
        with self.open("rb") as stream:
            data: bytes = stream.read()
        return data

    def exists(self) -> bool:
        if self._local is not None:
            return os.path.exists(self._local)
        fs, path = self._filesystem()
        return bool(fs.exists(path))

    def clear(self) -> None:
        """Delete the downloaded copy (a user's local file is never touched)."""
        if self._temp_dir is not None:
            import shutil

            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None
            self._local = None

    def __repr__(self) -> str:
        return f"DataItem({self.url!r}, key={self.key!r})"
