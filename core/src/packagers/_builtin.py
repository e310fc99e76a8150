"""The core's own plugin: the pickle fallback, registered like any third-party plugin."""

from __future__ import annotations

from packagers.default_packager import DefaultPackager
from packagers.packager import Packager
from packagers.plugins.hookspecs import hookimpl

__all__ = ["PicklePackager", "packagers_register"]


class PicklePackager(DefaultPackager):
    """Packs any object no other packager claims, as a pickle (``object``)."""

    PACKABLE_OBJECT_TYPE = ...
    PACK_SUBCLASSES = True
    PRIORITY = 10


@hookimpl
def packagers_register() -> list[type[Packager]]:
    return [PicklePackager]
