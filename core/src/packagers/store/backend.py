"""``Backend``: the few file operations the store is written against, on any filesystem.

The store's logic is written once against :class:`Backend`, whose paths are ``/``-separated and
relative to the store root. Two implement it: a local directory (``local_backend.py``) and any
fsspec filesystem (``fsspec_backend.py``); ``Store`` picks one by the URL.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from typing import IO, Any

__all__ = ["Backend", "normalize_url"]


class Backend(ABC):
    """The few file operations the store needs; every ``rel`` is relative to the store root."""

    #: The store root as given (a local backend makes it absolute).
    url: str
    is_local: bool
    storage_options: dict[str, Any]
    #: Whether each request is a network round trip that may overlap others sent from other
    #: threads: a log then uploads its previews beside its manifests (``writer.py``). Not for a
    #: local store, whose small writes cost less than handing them to a thread.
    parallel_requests: bool = False

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

    def create(self, rel: str, data: bytes) -> bool:
        """Write a small file as :meth:`write` does, unless ``rel`` exists: then False.

        Asked first here, so two writers racing may both write; a local store's link refuses
        an existing name in the same step instead.
        """
        if self.exists(rel):
            return False
        self.write(rel, data)
        return True

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

    def modified(self, rel: str, size: int) -> float | None:
        """When ``rel`` was last modified (by the storage's clock) if it exists with ``size``
        bytes, a content-addressed file that need not be sent; else None.

        0.0 when the storage tells no time: as old as can be, so a writer claims the file.
        """
        return None

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


def normalize_url(url: str) -> str:
    """One spelling per store: an absolute path for a local one, no trailing ``/`` for a URL."""
    from packagers.data_item import is_url

    url = url.removeprefix("file://")
    if is_url(url):
        return url.rstrip("/")
    return os.path.abspath(os.path.expanduser(url))
