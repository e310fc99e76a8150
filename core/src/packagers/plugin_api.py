"""What a plugin may use beyond ``packagers``' top level: the core's helpers for writing packagers.

First-party and third-party plugins import these from here, never from the core's private modules
(``packagers._pickle`` and friends), so the core can move its insides without breaking a plugin.
The file format registry has its own public module, :mod:`packagers.formats`. As in ``packagers``,
each name's module loads on first access (``_LAZY``): the pickle helpers cost more to import than
a plugin's entry point should.
"""

from __future__ import annotations

from typing import TYPE_CHECKING  # loaded already by any plugin module that imports this one

if TYPE_CHECKING:
    from packagers._digest import DigestingWriter
    from packagers._expansion import ExpansionBudget
    from packagers._pickle import PICKLE_STAND_IN, guarded_unpickling
    from packagers._pickle import dump as dump_pickle
    from packagers._pickle import load as load_pickle
    from packagers._warnings import warn

__all__ = [
    "PICKLE_STAND_IN",
    "DigestingWriter",
    "ExpansionBudget",
    "dump_pickle",
    "guarded_unpickling",
    "load_pickle",
    "warn",
]

#: Public name -> (module holding it, its name there); the source of the lines above (a test
#: in core/tests/test_package.py keeps them in step).
_LAZY = {
    "DigestingWriter": ("packagers._digest", "DigestingWriter"),
    "ExpansionBudget": ("packagers._expansion", "ExpansionBudget"),
    "PICKLE_STAND_IN": ("packagers._pickle", "PICKLE_STAND_IN"),
    "guarded_unpickling": ("packagers._pickle", "guarded_unpickling"),
    "dump_pickle": ("packagers._pickle", "dump"),
    "load_pickle": ("packagers._pickle", "load"),
    "warn": ("packagers._warnings", "warn"),
}


def __getattr__(name: str) -> object:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'packagers.plugin_api' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
