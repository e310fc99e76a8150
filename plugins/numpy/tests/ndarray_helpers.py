"""NDArrayPackager test helpers: pack one array under a fresh hint, unpack it as a stored item."""

from __future__ import annotations

from typing import Any

import numpy as np

import packagers
from packagers import DataItem, LogHint, PackagersManager


def pack(
    manager: PackagersManager, array: Any, artifact_type: str | None = None, **kwargs: Any
) -> packagers.Package:
    return manager.pack(array, LogHint("arr", artifact_type, packing_kwargs=kwargs))


def unpack(manager: PackagersManager, package: packagers.Package, hint: Any = np.ndarray) -> Any:
    assert package.artifact is not None and package.artifact.src_path is not None
    item = DataItem(package.artifact.src_path, key=package.key, manifest=package.manifest)
    return manager.unpack(item, hint)
