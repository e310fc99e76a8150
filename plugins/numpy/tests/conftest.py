"""Shared fixtures of the numpy plugin tests: exact array comparison and the packager managers."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from packagers import PackagersManager, PackagersWarning
from packagers_numpy import (
    MemmapPackager,
    NDArrayDictPackager,
    NDArrayListPackager,
    NDArrayPackager,
    NumPyScalarPackager,
)

ALL = [
    NDArrayPackager,
    MemmapPackager,
    NumPyScalarPackager,
    NDArrayListPackager,
    NDArrayDictPackager,
]

SameArray = Callable[..., None]


def assert_same_array(original: Any, restored: Any, array_type: type | None = None) -> None:
    """Same type, dtype, shape and bytes: exact, and NaN/NaT equal to themselves."""
    assert type(restored) is (array_type or type(original)), (type(original), type(restored))
    assert restored.dtype == original.dtype, (original.dtype, restored.dtype)
    assert restored.shape == original.shape, (original.shape, restored.shape)
    if original.dtype.hasobject:
        assert restored.tolist() == original.tolist()
    elif original.dtype.type in (np.longdouble, np.clongdouble):  # padding bytes are garbage
        assert np.array_equal(restored, original, equal_nan=True)
    else:
        assert restored.tobytes() == original.tobytes()


@pytest.fixture
def same_array() -> SameArray:
    return assert_same_array


@pytest.fixture
def manager() -> Iterator[PackagersManager]:
    """Every packager of this plugin, and nothing else."""
    with PackagersManager(ALL) as packagers_manager:
        yield packagers_manager


@pytest.fixture
def collected_manager() -> Iterator[PackagersManager]:
    """Every collected plugin, as users get it.

    Another distribution of the repository that fails to load is reported by a warning, which
    its own tests cover; here it would only hide what this plugin does.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PackagersWarning)
        packagers_manager = PackagersManager()
    with packagers_manager:
        yield packagers_manager


@pytest.fixture
def edge_arrays() -> dict[str, np.ndarray[Any, Any]]:
    """Arrays at the edges of what numpy has: every dtype kind, order, layout and size."""
    rng = np.random.default_rng(7)
    base = rng.standard_normal((30, 40))
    return {
        "float64": base,
        "float64-small": np.arange(12.0).reshape(3, 4),
        "float32-special": np.array([0.1, np.nan, np.inf, -np.inf, -0.0, 1e-45], dtype=np.float32),
        "float16": np.array([0.1, 65504, -np.inf, 6e-8], dtype=np.float16),
        "longdouble": np.arange(1, 4, dtype=np.longdouble) / 7,
        "int8": np.array([-128, 0, 127], dtype=np.int8),
        "uint64": np.array([0, 2**64 - 1], dtype=np.uint64),
        "int64-big": np.arange(-5, 200, dtype=np.int64).reshape(5, 41),
        "bool": rng.random((15, 10)) > 0.5,
        "complex64": np.array([1 + 2j, -0.5j, complex(np.nan, 1)], dtype=np.complex64),
        "complex128": (base[:4, :3] + 1j * base[4:8, :3]).astype(np.complex128),
        "datetime64-ns": np.array(
            ["2020-01-01T00:00:00.000000001", "NaT", "1969-12-31T23:59:59"], dtype="M8[ns]"
        ),
        "datetime64-D": np.array([["2024-02-29", "NaT"], ["1900-01-01", "2262-04-11"]], "M8[D]"),
        "datetime64-h": np.array(["2020-01-01T05", "NaT"], dtype="M8[h]"),
        "timedelta64-s": np.array([5, -3, -(2**63)], dtype=np.int64).view("m8[s]"),
        "str": np.array([["", "héllo"], ["a,b c", "x\ty\x00z"]]),
        "bytes": np.array([b"", b"\x00ab", b"z"]),
        "structured": np.array(
            [(1, 2.5, "x"), (2, np.nan, "yy")], dtype=[("a", "<i4"), ("b", "<f8"), ("c", "<U2")]
        ),
        "fortran": np.asfortranarray(base[:5, :7]),
        "0-d": np.array(3.5),
        "0-d-str": np.array("only"),
        "empty": np.zeros(0),
        "empty-rows": np.zeros((0, 3)),
        "empty-columns": np.zeros((3, 0), dtype=np.int32),
        "view": base[::2, ::3],
        "3-d": rng.integers(0, 9, (2, 3, 4)),
        "object": np.array([{"a": 1}, None, "x", 3], dtype=object),
    }


LyingNpy = Callable[[tuple[int, ...]], bytes]


def _lying_npy(shape: tuple[int, ...]) -> bytes:
    stream = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(stream, header)
    return stream.getvalue() + bytes(64)


@pytest.fixture
def lying_npy() -> LyingNpy:
    """An npy file whose header claims ``shape`` of float64 but which holds 64 bytes (8 values)."""
    return _lying_npy
