"""Memory-mapped inputs: the np.memmap hint, the MemoryMap marker, and constant cost."""

from __future__ import annotations

import gc
import resource
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import numpy as np
import pytest

from packagers import DataItem, LogHint, PackagersManager, UnpackingError
from packagers.testing import PackagerConformance
from packagers_numpy import MemmapPackager, MemoryMap, NDArrayPackager


def memmap_of(array: np.ndarray[Any, Any]) -> np.memmap[Any, Any]:
    """``array`` as a writable memory map of an anonymous temporary file."""
    backing = tempfile.TemporaryFile()  # noqa: SIM115 - the map keeps it; closed when collected
    mapped = np.memmap(backing, dtype=array.dtype, mode="w+", shape=array.shape)
    mapped[...] = array
    return mapped


def packed_item(package: Any) -> DataItem:
    return DataItem(package.artifact.src_path, key=package.key, manifest=package.manifest)


class TestMemmapConformance(PackagerConformance):
    packager_class = MemmapPackager

    @pytest.fixture(autouse=True)
    def _edges(self, edge_arrays: dict[str, Any], same_array: Any) -> None:
        self.edges = edge_arrays
        self.same_array = same_array

    def samples(self) -> list[np.memmap[Any, Any]]:
        return [
            memmap_of(array)
            for array in self.edges.values()
            if array.size and not array.dtype.hasobject  # numpy maps no empty or object arrays
        ]

    def assert_same(self, original: Any, restored: Any) -> None:
        self.same_array(original, restored)


# -- asking for a memory map --------------------------------------------------------------------

HINTS = {
    "np.memmap": np.memmap,
    "Annotated": Annotated[np.ndarray, MemoryMap()],
    "Optional[Annotated]": Optional[Annotated[np.ndarray, MemoryMap()]],
    "Annotated memmap": Annotated[np.memmap, MemoryMap()],
}


@pytest.mark.parametrize("hint", HINTS.values(), ids=HINTS.keys())
def test_npy_artifacts_open_as_read_only_memory_maps(
    manager: PackagersManager, same_array: Any, hint: Any
) -> None:
    array = np.asfortranarray(np.arange(600.0).reshape(20, 30))
    restored = manager.unpack(packed_item(manager.pack(array, "arr")), hint)
    same_array(array, restored, np.memmap)
    assert restored.flags.f_contiguous
    assert not restored.flags.writeable


@pytest.mark.parametrize("hint", HINTS.values(), ids=HINTS.keys())
def test_plain_npy_files_open_as_memory_maps(
    manager: PackagersManager, tmp_path: Path, hint: Any
) -> None:
    path = tmp_path / "plain.npy"
    np.save(path, np.arange(5))
    restored = manager.unpack(path, hint)
    assert type(restored) is np.memmap and restored.tolist() == [0, 1, 2, 3, 4]


def test_copy_on_write_maps_are_writable_and_leave_the_file_alone(
    manager: PackagersManager, tmp_path: Path
) -> None:
    path = tmp_path / "plain.npy"
    np.save(path, np.zeros(4))
    for hint in (Annotated[np.ndarray, MemoryMap("c")], Annotated[np.memmap, MemoryMap("c")]):
        restored = manager.unpack(path, hint)
        restored[0] = 7.0
        assert restored[0] == 7.0
    assert np.load(path).tolist() == [0.0] * 4


def test_only_read_only_and_copy_on_write_modes_exist() -> None:
    with pytest.raises(ValueError, match="'r' \\(read-only\\) or 'c' \\(copy-on-write\\)"):
        MemoryMap("r+")  # type: ignore[arg-type]


def test_without_the_marker_an_ndarray_hint_reads_into_memory(manager: PackagersManager) -> None:
    restored = manager.unpack(packed_item(manager.pack(np.zeros(200), "arr")), np.ndarray)
    assert type(restored) is np.ndarray and restored.flags.writeable


@pytest.mark.parametrize("hint", HINTS.values(), ids=HINTS.keys())
@pytest.mark.parametrize("format", ["npz", "csv", "pkl", "parquet"])
def test_only_npy_files_can_be_mapped(manager: PackagersManager, format: str, hint: Any) -> None:
    if format == "parquet":
        log_hint = LogHint("arr", "dataset")
    else:
        log_hint = LogHint("arr", "file", packing_kwargs={"format": format})
    package = manager.pack(np.zeros((100, 2)), log_hint)
    with pytest.raises(UnpackingError, match=f"is a {format} file; only npy files can be"):
        manager.unpack(packed_item(package), hint)


def test_memmaps_are_packed_as_npy_and_come_back_mapped(
    manager: PackagersManager, same_array: Any
) -> None:
    mapped = memmap_of(np.arange(300, dtype=np.int32))
    packager, artifact_type = manager.choose_packager(mapped)
    assert (type(packager), artifact_type) == (MemmapPackager, "file")
    package = manager.pack(mapped, "arr")
    assert package.manifest["format"] == "npy" and package.manifest["object_type"] == "numpy.memmap"
    for hint in (None, np.ndarray, np.memmap):
        same_array(mapped, manager.unpack(packed_item(package), hint))
    assert manager.pack(memmap_of(np.arange(3)), "r : result").value == [0, 1, 2]


def test_the_ndarray_packager_does_not_take_subclasses() -> None:
    assert not NDArrayPackager.handles_type(np.memmap)
    assert not NDArrayPackager.handles_type(np.ma.MaskedArray)


# -- constant time and memory -------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * resource.getpagesize() / 2**20


@pytest.mark.slow
@pytest.mark.parametrize("hint", [np.memmap, Annotated[np.ndarray, MemoryMap()]], ids=str)
def test_a_200_mb_array_opens_in_constant_time_and_memory(
    manager: PackagersManager, hint: Any
) -> None:
    array = np.ones(25_000_000)  # 200 MB
    item = packed_item(manager.pack(array, "big"))
    del array
    gc.collect()
    before = _rss_mb()
    start = time.perf_counter()
    restored = manager.unpack(item, hint)
    elapsed = time.perf_counter() - start
    grown = _rss_mb() - before
    assert type(restored) is np.memmap and restored.shape == (25_000_000,)
    assert elapsed < 0.5, elapsed
    assert grown < 20, grown
    assert restored[-1] == 1.0  # touching one page reads one page
