"""NDArrayPackager unpacking plain files by suffix, blobs without one, and a manifest alone."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import packagers
from packagers import DataItem, PackagersManager, UnpackingError
from packagers.testing import round_trip
from packagers_numpy import NDArrayPackager

from .ndarray_helpers import pack


def write_plain(path: Path, array: np.ndarray[Any, Any]) -> None:
    if path.name.lower().endswith(".npy"):
        with open(path, "wb") as stream:  # np.save would add ".npy" to "my.data.NPY"
            np.save(stream, array)
    elif path.name.endswith(".npz"):
        np.savez(path, data=array)
    elif path.name.endswith((".csv", ".csv.gz")):
        np.savetxt(path, array, delimiter=",")
    else:
        np.savetxt(path, array)


@pytest.mark.parametrize(
    "name", ["a.npy", "a.npz", "a.csv", "a.csv.gz", "a.txt", "a.txt.gz", "a.gz", "my.data.NPY"]
)
def test_plain_files_unpack_by_their_suffix(
    manager: PackagersManager, tmp_path: Path, name: str
) -> None:
    array = np.arange(12.0).reshape(4, 3) / 3
    path = tmp_path / name
    write_plain(path, array)
    restored = manager.unpack(path, np.ndarray)
    np.testing.assert_array_equal(restored, array)
    assert restored.dtype == np.float64
    assert manager.unpack(str(path), np.ndarray | None).shape == (4, 3)
    assert path.exists()  # a user's file is read in place, never deleted


def test_plain_parquet_files_unpack_as_columns_side_by_side(
    manager: PackagersManager, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "table.parquet"
    pq.write_table(pa.table({"x": [1.0, 2.0], "y": [3.0, 4.0]}), path)
    np.testing.assert_array_equal(manager.unpack(path, np.ndarray), [[1.0, 3.0], [2.0, 4.0]])


def test_plain_pickles_unpack_under_the_pickle_policy(
    manager: PackagersManager, tmp_path: Path
) -> None:
    import pickle

    path = tmp_path / "array.pkl"
    path.write_bytes(pickle.dumps(np.arange(3)))
    with (
        packagers.config.override(pickle__policy="deny"),
        pytest.raises(UnpackingError, match="policy is 'deny'"),
    ):
        manager.unpack(path, np.ndarray)
    with packagers.config.override(pickle__policy="allow"):
        np.testing.assert_array_equal(manager.unpack(path, np.ndarray), np.arange(3))


def test_plain_npz_archives_of_several_arrays_point_to_the_collection_hints(
    tmp_path: Path,
) -> None:
    path = tmp_path / "several.npz"
    np.savez(path, a=np.zeros(2), b=np.ones(2))
    with (
        PackagersManager([NDArrayPackager]) as manager,
        pytest.raises(
            UnpackingError, match=r"npz archive of 2 arrays \(a, b\).*dict\[str, np.ndarray\]"
        ),
    ):
        manager.unpack(path, np.ndarray)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.json", b"[1, 2]", "ending in '.json'.*readable suffixes: .npy, .npz"),
        ("a.npy", b"not an array", "not an npy file"),
        ("a.npz", b"PK\x03\x04broken", "not an npz archive"),
        ("a.csv", b"x,y\n1,2\n", "not a csv file of float64 values"),
    ],
)
def test_unreadable_plain_files_say_why(
    manager: PackagersManager, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnpackingError, match=message):
        manager.unpack(path, np.ndarray)


def test_an_npz_given_where_an_npy_is_recorded_is_refused(
    manager: PackagersManager, tmp_path: Path
) -> None:
    path = tmp_path / "a.npz"
    np.savez(path, np.zeros(2))
    item = DataItem(path, manifest=manager.pack(np.zeros(200), "a").manifest)
    with pytest.raises(UnpackingError, match="is an npz archive, not an npy file"):
        manager.unpack(item, np.ndarray)


@pytest.mark.parametrize("format", ["npy", "npz", "gz", "csv", "pkl"])
def test_stored_blobs_without_a_suffix_still_unpack(
    manager: PackagersManager, tmp_path: Path, format: str
) -> None:
    """A local store hands out its content-addressed blob, whose name has no suffix."""
    array = np.array([[1.5, -2.0], [np.nan, 4.0]])
    package = pack(manager, array, "file", format=format)
    assert package.artifact is not None and package.artifact.src_path is not None
    blob = tmp_path / "0f3a9c"
    shutil.copy(package.artifact.src_path, blob)
    item = DataItem(blob, key="arr", manifest=package.manifest, suffix=f".{format}")
    with packagers.config.override(pickle__policy="allow"):
        restored = manager.unpack(item, np.ndarray)
    np.testing.assert_array_equal(restored, array)


def test_unpacking_with_the_manifest_alone(manager: PackagersManager) -> None:
    array = np.arange(300, dtype=np.int16)
    restored, _ = round_trip(manager, array, "arr")
    assert restored.dtype == np.int16
    np.testing.assert_array_equal(restored, array)
