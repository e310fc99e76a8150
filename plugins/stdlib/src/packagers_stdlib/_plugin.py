"""The entry point the core collects: the stdlib packagers, in the order they are listed."""

from __future__ import annotations

from packagers import Packager, hookimpl
from packagers_stdlib import PACKAGERS

__all__ = ["packagers_register"]


@hookimpl
def packagers_register() -> list[type[Packager]]:
    return list(PACKAGERS)
