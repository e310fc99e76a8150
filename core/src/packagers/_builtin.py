"""The core's own plugin: the pickle fallback, registered like any third-party plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packagers.artifacts import Artifact, ModelArtifact
from packagers.default_packager import DefaultPackager
from packagers.packager import Packager
from packagers.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from packagers.data_item import DataItem

__all__ = ["PicklePackager", "packagers_register"]


class PicklePackager(DefaultPackager):
    """Packs any object no other packager claims, as a pickle: ``object``, or ``model``.

    ``model`` is the same pickle recorded as a model artifact, so ``"model : model"`` works for
    a user's own class as it does for the families that know their models.
    """

    PACKABLE_OBJECT_TYPE = ...
    PACK_SUBCLASSES = True
    PRIORITY = 10

    def pack_model(self, obj: Any, key: str) -> tuple[Artifact, dict[str, Any]]:
        artifact, instructions = self.pack_object(obj, key)
        return ModelArtifact(key, artifact.src_path, format=artifact.format), instructions

    def unpack_model(self, data_item: DataItem, **instructions: Any) -> Any:
        return self.unpack_object(data_item, **instructions)


@hookimpl
def packagers_register() -> list[type[Packager]]:
    return [PicklePackager]
