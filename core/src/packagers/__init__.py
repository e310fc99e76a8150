"""Run plain type-hinted functions anywhere: typed inputs in, versioned artifacts out.

The public API lives here; the modules behind it are one concept each. Only the exception
hierarchy loads with the package: every other name is imported on first access (``_LAZY``), so
``import packagers`` (done by every plugin's entry point and by the command) stays cheap.
"""

from __future__ import annotations

from packagers._errors import (
    CollectionError,
    ConfigError,
    FormatError,
    LogHintError,
    MissingLibraryError,
    PackagersError,
    PackagersWarning,
    PackingError,
    UnknownFormatError,
    UnpackingError,
)

#: ``typing`` costs more than the rest of this module; type checkers read this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from packagers._config import config
    from packagers.api import load, log
    from packagers.artifacts import (
        Artifact,
        ArtifactType,
        DatasetArtifact,
        ModelArtifact,
        PlotArtifact,
    )
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
    from packagers.plugins.hookspecs import hookimpl
    from packagers.runner import RunError, RunHandle, RunRecord, map, run, submit
    from packagers.runner.handler import handler
    from packagers.store import ArtifactRef, Store, get_store
    from packagers.store.errors import CorruptArtifactError, StoreError
del TYPE_CHECKING  # read above only: not an attribute of the package

__version__ = "0.1.0"

__all__ = [
    "Artifact",
    "ArtifactRef",
    "ArtifactType",
    "CollectionError",
    "ConfigError",
    "CorruptArtifactError",
    "DataItem",
    "DatasetArtifact",
    "DefaultPackager",
    "FormatError",
    "LogHint",
    "LogHintError",
    "MissingLibraryError",
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
    "RunHandle",
    "RunRecord",
    "Store",
    "StoreError",
    "UnknownFormatError",
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
    "map",
    "remove_custom_packager",
    "run",
    "submit",
]

#: Public names whose modules load on first access: name -> module holding it. This table is the
#: source; the ``TYPE_CHECKING`` imports and ``__all__`` repeat it for type checkers, and a test
#: (core/tests/test_package.py) fails when they drift apart.
#:
#: ``Package`` stays public: ``PackagersManager.pack`` returns it and ``Store.log_packages`` takes
#: it, so code that packs without running a function (tests, the conformance suite, other
#: runners) holds one; a plugin author never needs it.
_LAZY = {
    "config": "packagers._config",
    "Artifact": "packagers.artifacts",
    "ArtifactType": "packagers.artifacts",
    "DatasetArtifact": "packagers.artifacts",
    "ModelArtifact": "packagers.artifacts",
    "PlotArtifact": "packagers.artifacts",
    "DataItem": "packagers.data_item",
    "DefaultPackager": "packagers.default_packager",
    "LogHint": "packagers.log_hint",
    "PackagersManager": "packagers.manager",
    "Package": "packagers.package",
    "Packager": "packagers.packager",
    "PackagerRecord": "packagers.plugins",
    "add_custom_packager": "packagers.plugins",
    "list_packagers": "packagers.plugins",
    "remove_custom_packager": "packagers.plugins",
    "hookimpl": "packagers.plugins.hookspecs",
    "run": "packagers.runner",
    "submit": "packagers.runner",
    "map": "packagers.runner",
    "RunHandle": "packagers.runner",
    "handler": "packagers.runner.handler",  # also the name of its module: mypy reads it there
    "RunRecord": "packagers.runner",
    "RunError": "packagers.runner",
    "log": "packagers.api",
    "load": "packagers.api",
    "ArtifactRef": "packagers.store",
    "Store": "packagers.store",
    "get_store": "packagers.store",
    "StoreError": "packagers.store.errors",
    "CorruptArtifactError": "packagers.store.errors",
}


def __getattr__(name: str) -> object:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'packagers' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
