"""Run plain type-hinted functions anywhere: typed inputs in, versioned artifacts out.

The public API lives here; the modules behind it are one concept each. Heavy pieces (the store,
the runner) load on first use so that ``import packagers`` stays cheap.
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
    "UnpackingError",
    "__version__",
    "add_custom_packager",
    "config",
    "hookimpl",
    "list_packagers",
    "remove_custom_packager",
]


def __getattr__(name: str) -> object:
    if name == "hookimpl":  # pluggy loads only when a plugin module asks for the marker
        from packagers.plugins.hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f"module 'packagers' has no attribute {name!r}")
