"""NDArrayPackager's 2-d arrays as parquet datasets: exact columns, and what Arrow cannot hold."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest

from packagers import PackagersManager, PackingError, UnpackingError
from packagers.formats import MissingLibraryError
from packagers_numpy import NDArrayPackager

from .ndarray_helpers import pack, unpack


def dataset_arrays(edges: dict[str, np.ndarray[Any, Any]]) -> dict[str, np.ndarray[Any, Any]]:
    arrays = {name: array for name, array in edges.items() if array.ndim == 2}
    arrays |= {
        name: array.reshape(-1, 1)
        for name, array in edges.items()
        if array.ndim == 1 and array.dtype.kind in "biufmMUS" and array.dtype.itemsize <= 16
    }
    arrays["datetime64-Y"] = np.array([["2020", "NaT"], ["1999", "3000"]], dtype="M8[Y]")
    arrays["timedelta64-D"] = np.array([[1, -2]], dtype="m8[D]")
    arrays["datetime64-5s"] = np.array([[0, 10]], dtype="M8[5s]")
    return arrays


def test_2d_arrays_round_trip_as_parquet_datasets(
    manager: PackagersManager, edge_arrays: dict[str, Any], same_array: Any
) -> None:
    packager = NDArrayPackager()
    checked = []
    for name, array in dataset_arrays(edge_arrays).items():
        if not packager.is_packable(array, "dataset"):
            assert array.dtype.kind in "cV" or array.dtype.itemsize > 8, name
            continue
        package = pack(manager, array, "dataset")
        assert package.manifest["kind"] == "dataset"
        assert package.manifest["format"] == "parquet"
        rows, columns = array.shape
        assert package.manifest["spec"] == {
            "rows": rows,
            "columns": columns,
            "dtype": str(array.dtype),
        }
        same_array(np.ascontiguousarray(array), unpack(manager, package))
        checked.append(name)
    assert {"float64", "bool", "str", "datetime64-Y", "datetime64-5s", "empty-columns"} <= set(
        checked
    )


@pytest.mark.parametrize(
    "array",
    [
        np.array([[1, -2], [3, 2**30]], dtype=">i4"),
        np.array([[1.5, np.nan]], dtype=">f8"),
        np.array([["2020-01-01T05", "NaT"]], dtype=">M8[h]"),
        np.array([[2**31 + 5, -(2**31) - 5]], dtype="M8[D]"),
        np.array([[7, -3]], dtype="m8[M]"),
        np.array([[3000, -5000]], dtype="m8[ps]"),
        np.array([[2**40, 1]], dtype="m8[10ms]"),
        np.array([[5, 2**20]], dtype="M8[Y]"),
        np.array([[2**40, -1]], dtype="M8[s]"),
    ],
    ids=[
        "big-endian-int",
        "big-endian-float",
        "big-endian-hours",
        "days-past-32-bits",
        "months",
        "picoseconds",
        "10ms",
        "years-past-32-bit-days",
        "seconds",
    ],
)
def test_datasets_hold_byte_orders_and_time_units_arrow_lacks(
    manager: PackagersManager, array: np.ndarray[Any, Any], same_array: Any
) -> None:
    same_array(array, unpack(manager, pack(manager, array, "dataset")))


@pytest.mark.parametrize(
    "array",
    [
        np.array([[2**62]], dtype="m8[h]"),
        np.array([[2**60]], dtype="M8[D]"),
        np.array([[2**62, 0]], dtype="M8[Y]"),
        np.array([[1]], dtype="m8[ps]"),
        np.array([[2**62]], dtype="M8[5s]"),
        np.array([[2**62]], dtype="M8[s]"),
        np.array([["292278995"]], dtype="M8[Y]"),
    ],
    ids=[
        "hours-overflow",
        "days-overflow",
        "years-overflow",
        "sub-nanosecond",
        "5s-overflow",
        "seconds-past-milliseconds",
        "years-past-milliseconds",
    ],
)
def test_datasets_refuse_times_arrow_cannot_hold_exactly(
    manager: PackagersManager, array: np.ndarray[Any, Any]
) -> None:
    with pytest.raises(PackingError, match=r"cannot hold exactly.*as a file"):
        pack(manager, array, "dataset")
    assert pack(manager, array, "file").manifest["format"] == "npy"


def test_datasets_refuse_text_parquet_cannot_hold(manager: PackagersManager) -> None:
    with pytest.raises(PackingError, match=r"cannot hold '\\ud800'.*as a file"):
        pack(manager, np.array([["a", "\ud800"]]), "dataset")


def test_dataset_columns_are_real_parquet_columns(manager: PackagersManager) -> None:
    import pyarrow.parquet as pq

    array = np.array([[1, 2], [3, 4]], dtype=np.int16)
    package = pack(manager, array, "dataset")
    assert package.artifact is not None and package.artifact.src_path is not None
    table = pq.read_table(package.artifact.src_path)
    assert table.column_names == ["0", "1"]
    assert table.to_pydict() == {"0": [1, 3], "1": [2, 4]}


@pytest.mark.parametrize(
    "array",
    [np.zeros(3), np.zeros((2, 2, 2)), np.zeros((2, 2), dtype=complex), np.array([[None]])],
    ids=["1-d", "3-d", "complex", "object"],
)
def test_datasets_are_only_offered_for_2d_arrays_parquet_holds(
    manager: PackagersManager, array: np.ndarray[Any, Any]
) -> None:
    assert not NDArrayPackager().is_packable(array, "dataset")
    with pytest.raises(PackingError, match="as 'dataset'"):
        pack(manager, array, "dataset")


def test_datasets_without_pyarrow_say_what_to_install(
    manager: PackagersManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = pack(manager, np.ones((3, 2)), "dataset")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(PackingError, match=r"pip install pyarrow.*pip install packagers-pandas"):
        pack(manager, np.ones((3, 2)), "dataset")
    with pytest.raises(UnpackingError, match="pip install pyarrow") as raised:
        unpack(manager, package)
    assert isinstance(raised.value, MissingLibraryError)  # the format registry's one message
    assert "format 'parquet' needs pyarrow" in str(raised.value)
