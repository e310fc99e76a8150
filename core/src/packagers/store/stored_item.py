"""A data item read from the store: its content is checked against the manifest before any use."""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any

from packagers._digest import file_digest
from packagers.data_item import DataItem
from packagers.store.errors import CorruptArtifactError, StoreError
from packagers.store.fsspec_backend import fetch

if TYPE_CHECKING:
    import fsspec

__all__ = ["StoreDataItem"]


class StoreDataItem(DataItem):
    """A ``DataItem`` whose bytes are hashed, once, on first access and compared to the digest.

    A local store's blob is used in place (``local()`` returns the blob's own, read-only path)
    and hashed there; a remote blob is hashed while it downloads, and a copy that does not match
    is deleted before anyone sees it. ``open()`` goes through ``local()`` so that no reader, an
    unpickler least of all, ever sees unchecked bytes. Views for a hint (``for_hint``) share
    the check with the download.
    """

    def __init__(
        self,
        url: str | os.PathLike[str],
        *,
        uri: str,
        digest: str | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(url, **kwargs)
        #: The URI of the exact version this item holds (``store://project/key@version``).
        self.uri = uri
        self._digest = digest

    def local(self) -> str:
        try:
            path = super().local()
            if self._digest is not None and not self._copy.verified:
                self._check(file_digest(path)[0])  # a local blob, hashed in place
        except FileNotFoundError:
            raise StoreError(f"{self.uri}: its data {self.url} is missing from the store") from None
        return path

    def _download(self, fs: fsspec.AbstractFileSystem, path: str, target: str) -> None:
        if self._digest is None:  # a manifest: one file, no listing to find out
            fs.get_file(path, target)
            return
        size = self.manifest.get("size") if self.manifest is not None else None
        self._check(fetch(fs, path, target, size))  # refused, the copy is deleted (``local``)

    def _check(self, actual: str) -> None:
        if actual != self._digest:
            raise CorruptArtifactError(
                f"{self.uri}: the stored data is corrupt: the manifest records "
                f"{self._digest} but {self.url} holds {actual}; refusing to use it "
                "(Store.verify() lists every damaged blob)"
            )
        self._copy.verified = True

    def open(self, mode: str = "rb") -> IO[Any]:
        if any(flag in mode for flag in "wax+"):
            raise StoreError(
                f"{self.uri}: stored artifacts are read-only (asked for mode {mode!r})"
            )
        self.local()
        return super().open(mode)
