"""The entry point the core collects: registers the numpy packagers without importing numpy."""

from __future__ import annotations

from packagers import Packager, hookimpl
from packagers_numpy._collections import NDArrayDictPackager, NDArrayListPackager
from packagers_numpy._memmap import MemmapPackager
from packagers_numpy._ndarray import NDArrayPackager
from packagers_numpy._scalars import NumPyScalarPackager

__all__ = ["packagers_register"]


@hookimpl
def packagers_register() -> list[type[Packager]]:
    return [
        NDArrayPackager,
        MemmapPackager,
        NumPyScalarPackager,
        NDArrayListPackager,
        NDArrayDictPackager,
    ]
