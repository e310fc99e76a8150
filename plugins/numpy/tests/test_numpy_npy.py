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


_HEADERS = [
    np.zeros(3),
    np.zeros((3, 4), dtype=">i4"),
    np.zeros(()),
    np.zeros((0, 2)),
    np.asfortranarray(np.zeros((2, 3))),
    np.zeros(2, dtype="U7"),
    np.zeros(2, dtype="?"),
    np.zeros(2, dtype=np.complex128),
    np.zeros(2, dtype="M8[ns]"),  # a descr with brackets: numpy's own reader
    np.zeros(2, dtype=[("a", "<f8"), ("b", "u1")]),  # a list descr: numpy's own reader
]


@pytest.mark.parametrize("array", _HEADERS, ids=lambda a: f"{a.dtype.str}-{a.shape}")
def test_a_header_is_read_as_numpy_reads_it(array: np.ndarray, tmp_path: Path) -> None:
    """The pattern for headers ``np.save`` writes agrees with numpy's literal evaluation."""
    from numpy.lib import format as fmt

    from packagers_numpy._npy import _read_header

    path = tmp_path / "a.npy"
    np.save(path, array)
    with open(path, "rb") as ours, open(path, "rb") as numpys:
        version = fmt.read_magic(numpys)
        expected = fmt.read_array_header_1_0(numpys) if version == (1, 0) else None
        assert _read_header(ours) == expected and ours.tell() == numpys.tell()


@pytest.mark.parametrize(
    "header",
    [
        b"{'shape': (2,), 'fortran_order': False, 'descr': '<f8', }",  # keys in another order
        b"{'descr':'<f8','fortran_order':False,'shape':(2,)}",  # no spaces
    ],
    ids=["key-order", "no-spaces"],
)
def test_a_header_another_writer_formatted_still_loads(
    manager: PackagersManager, tmp_path: Path, header: bytes
) -> None:
    padded = header + b" " * (-(len(header) + 11) % 64) + b"\n"
    path = tmp_path / "other.npy"
    data = np.array([1.5, 2.5]).tobytes()
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(padded).to_bytes(2, "little") + padded + data)
    assert manager.unpack(path, np.ndarray).tolist() == [1.5, 2.5]
