"""The entry point the core collects: registers the PIL packagers without importing PIL."""

from __future__ import annotations

from packagers import Packager, hookimpl
from packagers_pil._image import PilImagePackager

__all__ = ["packagers_register"]


@hookimpl
def packagers_register() -> list[type[Packager]]:
    return [PilImagePackager]
