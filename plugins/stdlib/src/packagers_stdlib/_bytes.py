"""bytes and bytearray: the raw bytes in a ``.bin`` file, never a JSON list of numbers.

A result must be JSON, so binary data is never a result by default (asking for one is the
manager's "not JSON-serialisable" error). Any plain file unpacks as its bytes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from packagers import Artifact, DefaultPackager
from packagers_stdlib._preview import bytes_preview

if TYPE_CHECKING:
    from packagers import DataItem

__all__ = ["BinaryPackager", "BytearrayPackager", "BytesPackager"]


class BinaryPackager(DefaultPackager):
    """Writes the object's bytes as they are; subclasses say how to read them back."""

    DEFAULT_PACKING_ARTIFACT_TYPE = "file"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"

    def pack_file(self, obj: bytes | bytearray, key: str) -> tuple[Artifact, dict[str, Any]]:
        path = self.temp_path(key, ".bin")
        with open(path, "wb") as stream:
            stream.write(obj)
        return Artifact(key, path, format="bin"), {}

    def preview(self, obj: bytes | bytearray, artifact_type: str) -> dict[str, Any] | None:
        return bytes_preview(obj)

    def unpack_file(self, data_item: DataItem) -> Any:
        return self._read(data_item.local())

    def _read(self, path: str) -> bytes | bytearray:
        raise NotImplementedError


class BytesPackager(BinaryPackager):
    """``bytes``."""

    PACKABLE_OBJECT_TYPE = bytes

    def _read(self, path: str) -> bytes:
        with open(path, "rb") as stream:
            return stream.read()


class BytearrayPackager(BinaryPackager):
    """``bytearray``: read straight into a new bytearray (no intermediate bytes copy)."""

    PACKABLE_OBJECT_TYPE = bytearray

    def _read(self, path: str) -> bytearray:
        with open(path, "rb") as stream:
            buffer = bytearray(os.fstat(stream.fileno()).st_size)
            read = stream.readinto(buffer)
        del buffer[read:]
        return buffer
