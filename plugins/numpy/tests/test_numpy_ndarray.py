"""NDArrayPackager: defaults, every format x dtype, datasets, pickled object arrays, plain files."""

from __future__ import annotations

import gzip
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import packagers
from packagers import DataItem, LogHint, PackagersManager, PackingError, UnpackingError
from packagers.testing import PackagerConformance, round_trip
from packagers_numpy import NDArrayPackager

TEXT_FORMATS = ["txt", "csv", "gz"]
TEXT_KINDS = "biufcmM"


def text_arrays(edges: dict[str, np.ndarray[Any, Any]]) -> dict[str, np.ndarray[Any, Any]]:
    return {
        name: array
        for name, array in edges.items()
        if array.ndim in (1, 2) and array.dtype.kind in TEXT_KINDS
    }


def pack(
    manager: PackagersManager, array: Any, artifact_type: str | None = None, **kwargs: Any
) -> packagers.Package:
    return manager.pack(array, LogHint("arr", artifact_type, packing_kwargs=kwargs))


def unpack(manager: PackagersManager, package: packagers.Package, hint: Any = np.ndarray) -> Any:
    assert package.artifact is not None and package.artifact.src_path is not None
    item = DataItem(package.artifact.src_path, key=package.key, manifest=package.manifest)
    return manager.unpack(item, hint)


class TestNDArrayConformance(PackagerConformance):
    packager_class = NDArrayPackager

    @pytest.fixture(autouse=True)
    def _edges(self, edge_arrays: dict[str, Any], same_array: Any) -> None:
        self.edges = edge_arrays
        self.same_array = same_array

    def samples(self) -> list[np.ndarray[Any, Any]]:
        return list(self.edges.values())

    def assert_same(self, original: Any, restored: Any) -> None:
        self.same_array(original, restored)


# -- defaults -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.arange(100), "result"),
        (np.arange(101), "file"),
        (np.ones((10, 10), dtype=np.float32), "result"),
        (np.array([True, False]), "result"),
        (np.array(2.5), "result"),
        (np.zeros((0, 3)), "result"),
        (np.array([1 + 2j]), "file"),
        (np.array([1.5], dtype=np.longdouble), "file"),
        (np.array(["a"]), "file"),
        (np.array(["2020-01-01"], dtype="M8[D]"), "file"),
        (np.array([None], dtype=object), "file"),
    ],
    ids=lambda value: getattr(value, "dtype", value),
)
def test_small_numeric_arrays_are_results_and_others_files(
    manager: PackagersManager, array: np.ndarray[Any, Any], expected: str
) -> None:
    package = manager.pack(array, "arr")
    assert package.artifact_type == expected
    if expected == "result":
        assert package.value == array.tolist()
        assert package.manifest["value"] == array.tolist()


def test_the_result_threshold_is_a_class_attribute() -> None:
    class Bigger(NDArrayPackager):
        RESULT_MAX_SIZE = 1000

    assert Bigger().get_default_packing_artifact_type(np.arange(1000)) == "result"
    assert NDArrayPackager().get_default_packing_artifact_type(np.arange(1000)) == "file"


def test_a_result_can_be_asked_for_any_json_array(manager: PackagersManager) -> None:
    package = pack(manager, np.array([["a", "b"]]), "result")
    assert package.value == [["a", "b"]]
    with pytest.raises(PackingError, match="not JSON-serialisable"):
        pack(manager, np.array([1j]), "result")


def test_the_default_file_is_npy_with_shape_and_dtype_in_the_spec(
    manager: PackagersManager,
) -> None:
    array = np.zeros((20, 30), dtype=np.float32)
    package = manager.pack(array, "arr")
    assert package.manifest["format"] == "npy"
    assert package.manifest["instructions"] == {"format": "npy"}
    assert package.manifest["spec"] == {"shape": [20, 30], "dtype": "float32"}
    assert package.artifact is not None and package.artifact.src_path is not None
    assert package.artifact.src_path.endswith("arr.npy")
    assert np.load(package.artifact.src_path).dtype == np.float32  # a plain npy for anyone


# -- npy and npz --------------------------------------------------------------------------------


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


# -- text formats -------------------------------------------------------------------------------


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


# -- object arrays and the pickle policy --------------------------------------------------------


OBJECTS = np.array([{"a": 1}, None, "x", 3], dtype=object)


def test_object_arrays_are_pickled_by_the_core(manager: PackagersManager) -> None:
    package = manager.pack(OBJECTS, "arr")
    assert (package.artifact_type, package.manifest["format"]) == ("file", "pkl")
    pickled = package.manifest["instructions"]["pickled"]
    assert pickled["pickle_module"] == packagers.config.pickle.module
    assert len(pickled["sha256"]) == 64


def test_object_arrays_are_refused_when_the_pickle_policy_denies(
    manager: PackagersManager,
) -> None:
    package = manager.pack(OBJECTS, "arr")
    with (
        packagers.config.override(pickle__policy="deny"),
        pytest.raises(UnpackingError, match=r"refusing to unpickle.*'arr'.*policy is 'deny'"),
    ):
        unpack(manager, package)


def test_object_arrays_warn_under_the_warn_policy(manager: PackagersManager) -> None:
    package = manager.pack(OBJECTS, "arr")
    with (
        packagers.config.override(pickle__policy="warn"),
        pytest.warns(packagers.PackagersWarning, match="unpickling"),
    ):
        restored = unpack(manager, package)
    assert restored.tolist() == OBJECTS.tolist()


def test_object_arrays_load_when_the_policy_allows(manager: PackagersManager) -> None:
    package = manager.pack(OBJECTS, "arr")
    with packagers.config.override(pickle__policy="allow"):
        restored = unpack(manager, package)
    assert restored.dtype == object and restored.tolist() == OBJECTS.tolist()


def test_a_changed_pickle_is_refused_before_unpickling(manager: PackagersManager) -> None:
    package = manager.pack(OBJECTS, "arr")
    assert package.artifact is not None and package.artifact.src_path is not None
    with open(package.artifact.src_path, "ab") as stream:
        stream.write(b"tampered")
    with (
        packagers.config.override(pickle__policy="allow"),
        pytest.raises(UnpackingError, match="sha256"),
    ):
        unpack(manager, package)


def test_a_plain_npy_of_objects_is_never_unpickled(
    manager: PackagersManager, tmp_path: Path
) -> None:
    path = tmp_path / "objects.npy"
    np.save(path, OBJECTS, allow_pickle=True)
    with (
        packagers.config.override(pickle__policy="allow"),
        pytest.raises(UnpackingError, match=r"not an npy file of plain data.*pickle policy"),
    ):
        manager.unpack(path, np.ndarray)


# -- datasets -----------------------------------------------------------------------------------


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
    with pytest.raises(UnpackingError, match="pip install pyarrow"):
        unpack(manager, package)


# -- plain files --------------------------------------------------------------------------------


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
