"""The hooks a plugin implements. One hook for now: hand over packager classes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from packagers.packager import Packager

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "packagers"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Decorate a plugin module's ``packagers_register`` function with this.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def packagers_register() -> list[type[Packager]]:  # type: ignore[empty-body]
    """Return the packager classes this plugin provides.

    The module holding this hook is imported at collection time, so it (and the modules defining
    the classes) must not import the plugin's heavy library: declare ``PACKABLE_OBJECT_TYPE`` as a
    dotted name (``"pandas.DataFrame"``) and import the library inside the pack/unpack methods.
    """
