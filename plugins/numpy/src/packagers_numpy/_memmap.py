"""Memory-mapped inputs: an npy file opened in place, in constant time and memory.

Two ways to ask for one: hint the parameter ``np.memmap`` (:class:`MemmapPackager` takes it), or
keep ``np.ndarray`` and add the marker, ``Annotated[np.ndarray, MemoryMap()]`` (the ndarray
packager reads it from ``data_item.hint_metadata``, the extras of the hint it answers). Either
way the array's pages are read from the file when touched, so a 1 GB input costs nothing until it
is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from packagers import DefaultPackager, UnpackingError
from packagers_numpy._formats import write_array_file
from packagers_numpy._npy import load_npy
from packagers_numpy._preview import array_preview

if TYPE_CHECKING:
    import numpy as np

    from packagers import Artifact, DataItem

__all__ = ["MemmapPackager", "MemoryMap", "memory_map", "open_memmap", "unmappable"]

#: Modes that never write to the file: an input may be the store's own, shared blob.
_MODES = ("r", "c")


@dataclass(frozen=True)
class MemoryMap:
    """``Annotated`` marker: map an npy input into memory instead of reading it.

    ``mode="r"`` (default) gives a read-only array; ``mode="c"`` a copy-on-write one, writable
    in memory while the file stays untouched.
    """

    mode: Literal["r", "c"] = "r"

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            raise ValueError(
                f"MemoryMap(mode={self.mode!r}): the mode must be 'r' (read-only) or 'c' "
                "(copy-on-write); inputs are never mapped for writing"
            )


def memory_map(data_item: DataItem) -> MemoryMap | None:
    """The ``MemoryMap`` marker of the hint being unpacked, if it has one."""
    return next((extra for extra in data_item.hint_metadata if isinstance(extra, MemoryMap)), None)


def open_memmap(
    data_item: DataItem, name: str, mode: Literal["r", "c"] = "r"
) -> np.memmap[Any, Any]:
    """Map the npy file of ``data_item`` (``name`` is its format: only npy can be mapped)."""
    if name != "npy":
        raise unmappable(data_item, name)
    return load_npy(data_item, mmap_mode=mode)  # type: ignore[return-value]


def unmappable(data_item: DataItem, name: str) -> UnpackingError:
    """The error for a memory map asked of a ``name`` file."""
    return UnpackingError(
        f"{data_item.key!r} is a {name} file; only npy files can be memory-mapped. Ask for "
        "np.ndarray without MemoryMap to read it into memory"
    )


class MemmapPackager(DefaultPackager):
    """Packs ``np.memmap`` objects as npy files and maps inputs hinted ``np.memmap``.

    An input hinted ``np.memmap`` is opened read-only (``Annotated[np.memmap, MemoryMap("c")]``
    for copy-on-write), whoever packed it, as long as it is an npy file.
    """

    PACKABLE_OBJECT_TYPE = "numpy.memmap"
    DEFAULT_PACKING_ARTIFACT_TYPE = "file"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"

    def pack_result(self, obj: np.memmap[Any, Any], key: str) -> dict[str, Any]:
        return {key: obj.tolist()}

    def pack_file(self, obj: np.memmap[Any, Any], key: str) -> tuple[Artifact, dict[str, Any]]:
        return write_array_file(self, obj, key, "npy")

    def preview(self, obj: np.memmap[Any, Any], artifact_type: str) -> dict[str, Any]:
        return array_preview(obj)

    def unpack_file(self, data_item: DataItem, format: str | None = None) -> np.memmap[Any, Any]:
        marker = memory_map(data_item)
        return open_memmap(
            data_item, format or _format_of(data_item), marker.mode if marker else "r"
        )


def _format_of(data_item: DataItem) -> str:
    """The format in the manifest (an input another packager wrote), else the file's suffix."""
    recorded = (data_item.manifest or {}).get("format")
    return recorded or data_item.suffix.lower().rpartition(".")[2] or "suffix-less"
