"""``str``: a result when short, a UTF-8 text file when long or asked, a ``path`` when it names one.

A string is logged as a path only when asked (``"out : path"``) and only when it names an
existing file or directory: a string that happens to name one (``"data"``, ``"."``) must not
upload a directory by surprise.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from packagers import Artifact, PackingError, UnpackingError
from packagers.previews import text_preview
from packagers_stdlib._path import PathArtifacts
from packagers_stdlib._results import RESULT_MAX_CHARS

if TYPE_CHECKING:
    from packagers import DataItem

__all__ = ["StrPackager"]


class StrPackager(PathArtifacts):
    """``str``: ``result`` up to ``RESULT_MAX_CHARS`` characters, else ``file`` (``.txt``)."""

    PACKABLE_OBJECT_TYPE = str
    DEFAULT_PACKING_ARTIFACT_TYPE = "result"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"
    PATH_TYPE = str

    def get_default_packing_artifact_type(self, obj: str) -> str:
        return "result" if len(obj) + 2 <= RESULT_MAX_CHARS else "file"

    def is_packable(self, obj: Any, artifact_type: str | None = None) -> bool:
        if not super().is_packable(obj, artifact_type):
            return False
        return artifact_type != "path" or os.path.exists(obj)

    def pack_file(
        self, obj: str, key: str, encoding: str = "utf-8"
    ) -> tuple[Artifact, dict[str, Any]]:
        try:
            data = obj.encode(encoding)
        except LookupError:
            raise PackingError(f"unknown encoding {encoding!r} for {key!r}") from None
        except UnicodeEncodeError as error:
            raise PackingError(
                f"cannot write {key!r} as {encoding} text: {error.reason} at index {error.start} "
                f"({obj[error.start : error.end]!r}); pick another encoding or log it as a result"
            ) from None
        path = self.temp_path(key, ".txt")
        with open(path, "wb") as stream:  # bytes as they are: no newline translation
            stream.write(data)
        return Artifact(key, path, format="txt", encoding=encoding, length=len(obj)), {
            "encoding": encoding
        }

    def preview(self, obj: str, artifact_type: str) -> dict[str, Any] | None:
        return super().preview(obj, artifact_type) if artifact_type == "path" else text_preview(obj)

    def unpack_file(self, data_item: DataItem, encoding: str = "utf-8") -> str:
        with open(data_item.local(), "rb") as stream:
            data = stream.read()
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            raise UnpackingError(
                f"{data_item.key!r} is not {encoding} text: {error.reason} at byte {error.start}; "
                "ask for it as bytes"
            ) from None
