"""Run plain type-hinted functions anywhere: typed inputs in, versioned artifacts out.

The public API lives here; the modules behind it are one concept each. The store, the runner and
pluggy load on first use (``_LAZY``) so that ``import packagers`` stays cheap.
"""

from __future__ import annotations

from packagers._config import config
from packagers._errors import (
    CollectionError,
    ConfigError,
    LogHintError,
    PackagersError,
    PackagersWarning,
    PackingError,
    UnpackingError,
)
from packagers.artifacts import Artifact, ArtifactType, DatasetArtifact, ModelArtifact, PlotArtifact
from packagers.data_item import DataItem
from packagers.default_packager import DefaultPackager
from packagers.log_hint import LogHint
from packagers.manager import PackagersManager
from packagers.package import Package
from packagers.packager import Packager
from packagers.plugins import (
    PackagerRecord,
    add_custom_packager,
    list_packagers,
    remove_custom_packager,
)

__version__ = "0.1.0"

__all__ = [
    "Artifact",
    "ArtifactType",
    "CollectionError",
    "ConfigError",
    "DataItem",
    "DatasetArtifact",
    "DefaultPackager",
    "LogHint",
    "LogHintError",
    "ModelArtifact",
    "Package",
    "Packager",
    "PackagerRecord",
    "PackagersError",
    "PackagersManager",
    "PackagersWarning",
    "PackingError",
    "PlotArtifact",
    "RunError",
    "RunRecord",
    "Store",
    "UnpackingError",
    "__version__",
    "add_custom_packager",
    "config",
    "get_store",
    "handler",
    "hookimpl",
    "list_packagers",
    "load",
    "log",
    "remove_custom_packager",
    "run",
]

#: Public names whose modules load on first access: name -> (module, attribute).
_LAZY = {
    "hookimpl": ("packagers.plugins.hookspecs", "hookimpl"),
    "run": ("packagers.runner", "run"),
    "handler": ("packagers.runner", "handler"),
    "RunRecord": ("packagers.runner", "RunRecord"),
    "RunError": ("packagers.runner", "RunError"),
    "log": ("packagers.api", "log"),
    "load": ("packagers.api", "load"),
    "Store": ("packagers.store", "Store"),
    "get_store": ("packagers.store", "get_store"),
}


def __getattr__(name: str) -> object:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'packagers' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value
