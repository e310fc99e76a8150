"""NDArrayPackager's text formats (txt, csv, gz), and refusals of formats and kwargs."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from packagers import PackagersManager, PackingError, UnpackingError

from .ndarray_helpers import pack, unpack

TEXT_FORMATS = ["txt", "csv", "gz"]
TEXT_KINDS = "biufcmM"


def text_arrays(edges: dict[str, np.ndarray[Any, Any]]) -> dict[str, np.ndarray[Any, Any]]:
    return {
        name: array
        for name, array in edges.items()
        if array.ndim in (1, 2) and array.dtype.kind in TEXT_KINDS
    }


@pytest.mark.parametrize("format", TEXT_FORMATS)
def test_text_formats_round_trip_1d_and_2d_arrays_exactly(
    manager: PackagersManager, edge_arrays: dict[str, Any], same_array: Any, format: str
) -> None:
    arrays = text_arrays(edge_arrays)
    arrays |= {
        "one-row": np.array([[1.25, -2, 3]]),
        "one-column": np.array([[1], [2], [3]], dtype=np.uint8),
        "one-value": np.array([np.pi]),
    }
    assert {"longdouble", "complex64", "datetime64-ns", "timedelta64-s", "empty"} <= set(arrays)
    for name, array in arrays.items():
        package = pack(manager, array, "file", format=format)
        instructions = package.manifest["instructions"]
        assert instructions == {
            "format": format,
            "dtype": array.dtype.str,
            "shape": list(array.shape),
        }, name
        same_array(np.ascontiguousarray(array), unpack(manager, package))


def test_text_files_are_what_their_names_say(manager: PackagersManager) -> None:
    array = np.array([[1.5, 2.0], [3.0, np.nan]])
    paths = {}
    for format in TEXT_FORMATS:
        package = pack(manager, array, "file", format=format)
        assert package.artifact is not None and package.artifact.src_path is not None
        paths[format] = Path(package.artifact.src_path)
    assert paths["csv"].read_text() == "1.5,2.0\n3.0,nan\n"
    assert paths["txt"].read_text() == "1.5 2.0\n3.0 nan\n"
    assert paths["gz"].name.endswith(".txt.gz")
    with gzip.open(paths["gz"], "rt") as stream:
        assert stream.read() == paths["txt"].read_text()


def test_timedeltas_are_written_as_counts_and_datetimes_as_iso(manager: PackagersManager) -> None:
    deltas = np.array([90, -(2**63)], dtype=np.int64).view("m8[s]")
    package = pack(manager, deltas, "file", format="csv")
    assert package.artifact is not None and package.artifact.src_path is not None
    assert Path(package.artifact.src_path).read_text() == f"90\n{-(2**63)}\n"
    dates = np.array(["2024-02-29T12:00", "NaT"], dtype="M8[m]")
    package = pack(manager, dates, "file", format="csv")
    assert package.artifact is not None and package.artifact.src_path is not None
    assert Path(package.artifact.src_path).read_text() == "2024-02-29T12:00\nNaT\n"


@pytest.mark.parametrize("format", TEXT_FORMATS)
@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.array(1.0), "1-D and 2-D arrays, this one has 0 dimension"),
        (np.zeros((2, 2, 2)), "1-D and 2-D arrays, this one has 3 dimension"),
        (np.zeros(2, dtype=[("a", "i4")]), "numbers, booleans and datetimes"),
        (np.array(["a", "b"]), "numbers, booleans and datetimes"),
        (np.array([b"a"]), "numbers, booleans and datetimes"),
    ],
    ids=["0-d", "3-d", "structured", "str", "bytes"],
)
def test_text_formats_refuse_what_they_cannot_restore(
    manager: PackagersManager, format: str, array: np.ndarray[Any, Any], message: str
) -> None:
    with pytest.raises(PackingError, match=message) as raised:
        pack(manager, array, "file", format=format)
    assert "use one of: npy, npz" in str(raised.value)


@pytest.mark.parametrize("format", [*TEXT_FORMATS, "npy", "npz"])
def test_object_arrays_are_refused_by_formats_without_pickle(
    manager: PackagersManager, format: str
) -> None:
    with pytest.raises(PackingError, match=r"only pickle can store.*format='pkl'"):
        pack(manager, np.array([1, None], dtype=object), "file", format=format)


def test_unknown_formats_and_misplaced_kwargs_are_refused(manager: PackagersManager) -> None:
    with pytest.raises(PackingError, match=r"unknown format 'hdf5'.*npy, npz, txt, csv, gz, pkl"):
        pack(manager, np.zeros(200), "file", format="hdf5")
    with pytest.raises(PackingError, match="compress=True applies to the npz format only"):
        pack(manager, np.zeros(200), "file", format="csv", compress=True)
    with pytest.raises(PackingError, match="unknown packing kwarg"):
        pack(manager, np.zeros(200), "file", delimiter=";")


def test_a_format_this_version_does_not_know_is_an_unpacking_error(
    manager: PackagersManager,
) -> None:
    package = pack(manager, np.zeros(200), "file")
    package.manifest["instructions"] = {"format": "hdf5"}
    with pytest.raises(UnpackingError, match=r"format 'hdf5'.*does not read"):
        unpack(manager, package)
