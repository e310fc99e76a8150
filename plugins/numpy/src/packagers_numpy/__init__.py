"""numpy for packagers: arrays, scalars, and lists and dicts of arrays, as results or files.

Importing this package does not import numpy: the packagers name their types as dotted strings
(``"numpy.ndarray"``) and load numpy only when an array is packed or unpacked.
"""

from __future__ import annotations

from packagers_numpy._collections import NDArrayDictPackager, NDArrayListPackager
from packagers_numpy._memmap import MemmapPackager, MemoryMap
from packagers_numpy._ndarray import NDArrayPackager
from packagers_numpy._scalars import NumPyScalarPackager

__all__ = [
    "MemmapPackager",
    "MemoryMap",
    "NDArrayDictPackager",
    "NDArrayListPackager",
    "NDArrayPackager",
    "NumPyScalarPackager",
]
