"""What packing one object produced: a result value or an artifact, and its manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packagers.artifacts import ArtifactType
from packagers.manifest import MANIFEST_SCHEMA, Manifest

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from packagers.artifacts import Artifact
    from packagers.log_hint import LogHint

__all__ = ["MANIFEST_SCHEMA", "Package", "iter_packages"]


@dataclass
class Package:
    """One logged output. ``manifest`` is the JSON record a store keeps beside the data
    (:class:`packagers.manifest.Manifest`).

    A result has ``value`` and no artifact; an artifact has a local ``artifact.src_path`` to upload;
    a bundle (the parent of an itemized output) has ``members``, the keys of its items in order.
    ``temporary`` says the file is the packer's own, deleted after the run (a store may take it
    over instead of copying it); otherwise it is the user's and must stay untouched.
    ``preview`` is the packager's preview of an artifact (see :mod:`packagers.previews`), which
    the store writes beside the manifest; None when there is none.
    """

    key: str
    hint: LogHint
    manifest: Manifest
    artifact: Artifact | None = None
    value: Any = None
    members: list[Package] = field(default_factory=list)
    temporary: bool = False
    preview: dict[str, Any] | None = None

    @property
    def artifact_type(self) -> str:
        return self.manifest["artifact_type"]

    @property
    def is_result(self) -> bool:
        return self.artifact_type == ArtifactType.RESULT

    @property
    def is_bundle(self) -> bool:
        return self.artifact_type == "bundle"

    def walk(self) -> Iterator[Package]:
        """This package and its members, members first (the order to store them in)."""
        for member in self.members:
            yield from member.walk()
        yield self


def iter_packages(packages: Iterable[Package]) -> Iterator[Package]:
    """Every package, members before the bundle that holds them (the order to store them in)."""
    for package in packages:
        yield from package.walk()
