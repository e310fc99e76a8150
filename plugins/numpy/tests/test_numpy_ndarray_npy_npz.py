"""NDArrayPackager's npy and npz files: exact round trips, memory order, views, compression."""

from __future__ import annotations

import zipfile
from typing import Any

import numpy as np
import pytest

from packagers import PackagersManager

from .ndarray_helpers import pack, unpack


@pytest.mark.parametrize("format", ["npy", "npz"])
def test_npy_and_npz_round_trip_every_plain_array_exactly(
    manager: PackagersManager, edge_arrays: dict[str, Any], same_array: Any, format: str
) -> None:
    for array in edge_arrays.values():
        if array.dtype.hasobject:
            continue
        before = array.copy(order="K")
        same_array(array, unpack(manager, pack(manager, array, "file", format=format)))
        same_array(before, array)


def test_fortran_order_is_kept(manager: PackagersManager) -> None:
    array = np.asfortranarray(np.arange(12.0).reshape(3, 4) * 1.5)
    for format in ("npy", "npz"):
        restored = unpack(manager, pack(manager, array, "file", format=format))
        assert restored.flags.f_contiguous and not restored.flags.c_contiguous


def test_a_non_contiguous_view_is_written_without_changing_it_or_its_base(
    manager: PackagersManager, same_array: Any
) -> None:
    base = np.arange(10_000.0).reshape(100, 100)
    view = base[::3, 1::2]
    base_before, view_before = base.copy(), view.copy()
    for format in ("npy", "npz", "csv"):
        same_array(view_before, unpack(manager, pack(manager, view, "file", format=format)))
    same_array(base_before, base)
    assert np.shares_memory(view, base) and not view.flags.c_contiguous


@pytest.mark.parametrize("compress", [False, True])
def test_npz_compression_is_a_packing_kwarg(manager: PackagersManager, compress: bool) -> None:
    array = np.zeros(10_000)
    package = pack(manager, array, "file", format="npz", compress=compress)
    assert package.artifact is not None and package.artifact.src_path is not None
    with zipfile.ZipFile(package.artifact.src_path) as archive:
        (info,) = archive.infolist()
    assert info.filename == "arr.npy"
    expected = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    assert info.compress_type == expected
    assert (package.manifest["size"] < 1000) is compress
    np.testing.assert_array_equal(unpack(manager, package), array)


def test_compress_alone_means_npz(manager: PackagersManager) -> None:
    package = pack(manager, np.zeros(200), "file", compress=True)
    assert package.manifest["format"] == "npz"
