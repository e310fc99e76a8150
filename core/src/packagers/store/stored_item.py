"""A data item read from the store: its content is checked against the manifest before any use."""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any

from packagers._digest import file_digest
from packagers.data_item import DataItem
from packagers.store.errors import CorruptArtifactError, StoreError

if TYPE_CHECKING:
    import fsspec

__all__ = ["StoreDataItem"]


class StoreDataItem(DataItem):
    """A ``DataItem`` whose bytes are hashed, once, on first access and compared to the digest.

    A local store's blob is used in place (``local()`` returns the blob's own, read-only path);
    a remote blob is downloaded once and the copy is checked. ``open()`` goes through ``local()``
    so that no reader, an unpickler least of all, ever sees unchecked bytes.
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
        self._verified = digest is None

    def local(self) -> str:
        try:
            path = super().local()
            if not self._verified:
                actual, _ = file_digest(path)
                if actual != self._digest:
                    self.clear()  # a downloaded copy; a local blob is never touched
                    raise CorruptArtifactError(
                        f"{self.uri}: the stored data is corrupt: the manifest records "
                        f"{self._digest} but {self.url} holds {actual}; refusing to use it "
                        "(Store.verify() lists every damaged blob)"
                    )
                self._verified = True
        except FileNotFoundError:
            raise StoreError(f"{self.uri}: its data {self.url} is missing from the store") from None
        return path

    def _download(self, fs: fsspec.AbstractFileSystem, path: str, target: str) -> None:
        fs.get_file(path, target)  # a blob or a manifest: one file, no listing to find out

    def open(self, mode: str = "rb") -> IO[Any]:
        if any(flag in mode for flag in "wax+"):
            raise StoreError(
                f"{self.uri}: stored artifacts are read-only (asked for mode {mode!r})"
            )
        self.local()
        return super().open(mode)
