"""A handle on one input: a local path or any fsspec URL, fetched at most once."""

from __future__ import annotations

import copy
import os
import posixpath
import weakref
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import fsspec

    from packagers.manifest import BundleMember, Manifest

__all__ = ["DataItem", "is_url"]


def is_url(path: str) -> bool:
    """Whether ``path`` is a URL (``s3://...``) rather than a local path: one rule for all."""
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.isidentifier() and len(scheme) > 1


class _LocalCopy:
    """Where an item's content is on this machine, shared by the item and its hint views.

    One object, so a view that downloads the content leaves it for the others, and ``clear()``
    on any of them deletes the one temporary copy. A download nobody clears is deleted with the
    last item that shares it, or when the interpreter exits: a forgotten ``clear()`` leaves
    nothing behind in the temporary directory.
    """

    __slots__ = ("__weakref__", "_cleanup", "path", "temp_dir", "verified")

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.temp_dir: str | None = None
        #: The content at ``path`` was checked against its digest (by an item that has one).
        self.verified = False
        self._cleanup: weakref.finalize[..., Any] | None = None

    def make_temp_dir(self) -> str:
        import shutil
        import tempfile

        self.temp_dir = tempfile.mkdtemp(prefix="packagers-item-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.temp_dir, True)
        return self.temp_dir

    def clear(self) -> None:
        import shutil

        if self._cleanup is not None:
            self._cleanup.detach()  # cleared now: nothing left for collection or exit to do
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
        self._cleanup = self.temp_dir = self.path = None
        self.verified = False


class DataItem:
    """An input as the manager sees it: where it is and, when we packed it, its manifest.

    A local path is used in place (never copied, never deleted). A remote URL is fetched once,
    into a temporary file that keeps the full suffix (``.tar.gz``) because unpackers dispatch on
    it; ``clear()`` deletes that copy.

    ``hint_metadata`` holds the ``Annotated`` extras of the type hint the item is unpacked for
    (``Columns("a")``), so a packager reads only what is asked for. It is fixed when the item is
    made: the manager hands each unpack attempt its own view, :meth:`for_hint`.
    """

    def __init__(
        self,
        url: str | os.PathLike[str],
        *,
        key: str | None = None,
        manifest: Manifest | None = None,
        suffix: str | None = None,
        storage_options: dict[str, Any] | None = None,
        resolver: Callable[[BundleMember], DataItem] | None = None,
        hint_metadata: Iterable[Any] = (),
    ) -> None:
        url = os.fspath(url)
        if url.startswith("file://"):
            url = url[len("file://") :]
        self.url = url
        self.manifest = manifest
        self.storage_options = dict(storage_options or {})
        #: Turns a bundle member entry of the manifest into its own DataItem (set by the store).
        self.resolver = resolver
        self._hint_metadata = tuple(hint_metadata)
        name = posixpath.basename(url.rstrip("/"))
        stem, dot, extensions = name.lstrip(".").partition(".")
        self.key = key if key is not None else name.split(".", 1)[0]
        self.suffix = suffix if suffix is not None else (dot + extensions if stem else "")
        self._copy = _LocalCopy(None if self.is_remote else url)

    @property
    def hint_metadata(self) -> tuple[Any, ...]:
        """The ``Annotated`` extras of the hint this item is unpacked for; () for none."""
        return self._hint_metadata

    @hint_metadata.setter
    def hint_metadata(self, value: Any) -> None:
        raise AttributeError(
            "a DataItem's hint_metadata is fixed when it is made, so no unpack attempt sees "
            "another's: make the item with DataItem(..., hint_metadata=extras), or take a view "
            "with item.for_hint(extras)"
        )

    def for_hint(self, extras: Iterable[Any]) -> DataItem:
        """This item as unpacking it for a hint with these ``Annotated`` extras sees it.

        The view shares the item's local copy (a download made through either is kept for both
        and cleared by either's ``clear()``); the item itself is left as it was, so what one
        attempt was asked for never reaches the next.
        """
        extras = tuple(extras)
        if not extras and not self._hint_metadata:  # extras are never compared: any object goes
            return self
        view = copy.copy(self)  # keeps a subclass and its state; ``_copy`` stays shared
        view._hint_metadata = extras
        return view

    @property
    def is_remote(self) -> bool:
        return is_url(self.url)

    def _filesystem(self) -> tuple[fsspec.AbstractFileSystem, str]:
        from fsspec.core import url_to_fs

        fs, path = url_to_fs(self.url, **self.storage_options)
        return fs, path

    def local(self) -> str:
        """A local path of the item's content, downloading a remote item on first call."""
        local_copy = self._copy
        if local_copy.path is None:
            fs, path = self._filesystem()
            temp_dir = local_copy.make_temp_dir()
            target = os.path.join(temp_dir, f"{self.key or 'item'}{self.suffix}")
            try:
                self._download(fs, path, target)
            except BaseException:
                local_copy.clear()  # a partial or refused copy is never left behind
                raise
            local_copy.path = target
        return local_copy.path

    def _download(self, fs: fsspec.AbstractFileSystem, path: str, target: str) -> None:
        """Copy the remote file or directory ``path`` to the local ``target``."""
        fs.get(path, target, recursive=fs.isdir(path))

    def open(self, mode: str = "rb") -> IO[Any]:
        """Open the content for streaming; remote items are read in place, not downloaded."""
        if self._copy.path is not None:
            return open(self._copy.path, mode)
        fs, path = self._filesystem()
        stream: IO[Any] = fs.open(path, mode)
        return stream

    def get(self) -> bytes:
        with self.open("rb") as stream:
            data: bytes = stream.read()
        return data

    def exists(self) -> bool:
        if self._copy.path is not None:
            return os.path.exists(self._copy.path)
        fs, path = self._filesystem()
        return bool(fs.exists(path))

    def clear(self) -> None:
        """Delete the downloaded copy (a user's local file is never touched)."""
        if self._copy.temp_dir is not None:
            self._copy.clear()

    def __repr__(self) -> str:
        return f"DataItem({self.url!r}, key={self.key!r})"
