"""A plain npy file whose header claims more than the file holds is refused before numpy
allocates the array; the data after the checked header is read as ``np.load`` reads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from packagers import PackagersManager, UnpackingError


@pytest.mark.parametrize("hint", [np.ndarray, np.memmap], ids=lambda hint: hint.__name__)
def test_a_header_claiming_more_than_the_file_holds_is_refused(
    manager: PackagersManager,
    tmp_path: Path,
    hint: type,
    lying_npy: Callable[[tuple[int, ...]], bytes],
) -> None:
    path = tmp_path / "forged.npy"
    path.write_bytes(lying_npy((10**12,)))
    with pytest.raises(
        UnpackingError, match=r"refusing to load 'forged'.*claims a float64 array of shape"
    ):
        manager.unpack(path, hint)


def test_a_header_claiming_what_the_file_holds_loads(
    manager: PackagersManager, tmp_path: Path, lying_npy: Callable[[tuple[int, ...]], bytes]
) -> None:
    path = tmp_path / "exact.npy"
    path.write_bytes(lying_npy((8,)))
    assert manager.unpack(path, np.ndarray).tolist() == [0.0] * 8


def test_a_file_cut_short_is_refused_with_what_it_holds(
    manager: PackagersManager, tmp_path: Path
) -> None:
    path = tmp_path / "cut.npy"
    np.save(path, np.arange(100.0))
    path.write_bytes(path.read_bytes()[:-40])  # within the size check: the header counts too
    with pytest.raises(UnpackingError, match=r"claims 100 values and it holds 95"):
        manager.unpack(path, np.ndarray)


def test_a_fortran_ordered_file_loads_in_its_order(
    manager: PackagersManager, tmp_path: Path
) -> None:
    array = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    path = tmp_path / "fortran.npy"
    np.save(path, array)
    loaded = manager.unpack(path, np.ndarray)
    assert loaded.flags.f_contiguous
    assert np.array_equal(loaded, array)
