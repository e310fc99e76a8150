"""The entry point: importing this module must stay cheap (no heavy libraries)."""

from __future__ import annotations

from packagers import Packager, hookimpl
from packagers_exact._packagers import DecimalPackager, FractionPackager


@hookimpl
def packagers_register() -> list[type[Packager]]:
    return [FractionPackager, DecimalPackager]
