"""What a packer hands to the manager: an artifact description, never an upload."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from packagers._str_enum import StrEnum

__all__ = [
    "Artifact",
    "ArtifactKind",
    "ArtifactType",
    "DatasetArtifact",
    "ModelArtifact",
    "PlotArtifact",
]


class ArtifactType(StrEnum):
    """Names shared by the built-in packagers; a plugin may use any other string.

    Members are those strings (``ArtifactType.MODEL == "model"``), so either may be written.
    """

    RESULT = "result"
    OBJECT = "object"
    FILE = "file"
    DATASET = "dataset"
    MODEL = "model"
    PLOT = "plot"
    PATH = "path"


class ArtifactKind(StrEnum):
    """What an artifact is, recorded as the manifest's ``kind``: one per class below."""

    ARTIFACT = "artifact"
    DATASET = "dataset"
    MODEL = "model"
    PLOT = "plot"


class Artifact:
    """A file (or directory archive) a packer produced, with the metadata to store beside it.

    ``src_path`` is a local path the manager uploads; packers register it with
    ``add_future_clearing_path`` when it is a temporary file of theirs.
    """

    kind: ClassVar[str] = ArtifactKind.ARTIFACT

    def __init__(
        self,
        key: str,
        src_path: str | os.PathLike[str] | None = None,
        *,
        format: str | None = None,
        labels: dict[str, str] | None = None,
        extra_data: dict[str, Any] | None = None,
        **spec: Any,
    ) -> None:
        self.key = key
        self.src_path = os.fspath(src_path) if src_path is not None else None
        self.format = format
        self.labels: dict[str, str] = dict(labels or {})
        self.extra_data: dict[str, Any] = dict(extra_data or {})
        self.spec: dict[str, Any] = spec

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready part of the artifact for its manifest (never the local path).

        With no ``format`` given (``Artifact(key=key, src_path=path)``), the file's suffix is it.
        """
        return {
            "kind": self.kind,
            "format": self.format or _suffix(self.src_path),
            "labels": dict(self.labels),
            "extra_data": dict(self.extra_data),
            "spec": dict(self.spec),
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key={self.key!r}, src_path={self.src_path!r})"


class DatasetArtifact(Artifact):
    """Tabular data; ``spec`` carries what is cheap to know (shape, schema, preview)."""

    kind = ArtifactKind.DATASET


class ModelArtifact(Artifact):
    """A trained model; ``metrics`` are results linked to it."""

    kind = ArtifactKind.MODEL

    def __init__(
        self,
        key: str,
        src_path: str | os.PathLike[str] | None = None,
        *,
        metrics: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(key, src_path, **kwargs)
        self.metrics: dict[str, Any] = dict(metrics or {})

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "metrics": dict(self.metrics)}


class PlotArtifact(Artifact):
    """An image or page meant to be looked at, not unpacked back into an object."""

    kind = ArtifactKind.PLOT


def _suffix(path: str | None) -> str | None:
    extension = os.path.splitext(os.path.basename(path))[1] if path else ""
    return extension[1:].lower() or None
