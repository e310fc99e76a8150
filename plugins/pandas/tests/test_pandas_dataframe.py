"""DataFramePackager: every format x edge frame exactly, manifests, files, pickles, refusals."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from typing import Annotated, Any

import numpy as np
import pandas as pd
import pytest

from packagers import (
    DataItem,
    LogHint,
    Package,
    PackagersManager,
    PackingError,
    UnpackingError,
    config,
)
from packagers.testing import PackagerConformance, round_trip
from packagers_pandas import Columns, DataFramePackager

AssertExact = Any  # the ``exact`` fixture of conftest.py


def _tz_datetimes() -> pd.Series:
    naive = pd.Series(
        pd.to_datetime(
            ["2020-01-01 00:00:00.000000001", None, "2021-10-31 02:30:00"], format="mixed"
        ).as_unit("ns")
    )
    return naive.dt.tz_localize("Europe/Paris", ambiguous=np.array([True, True, False]))


def edge_frames() -> dict[str, pd.DataFrame]:
    """Frames every format must bring back exactly (what a format lacks, the layout restores)."""
    return {
        "floats": pd.DataFrame(
            {"a": [0.1, np.nan, -0.0, np.inf, 1 / 3], "b": np.arange(5, dtype="int64") * 2**60}
        ),
        "dtypes": pd.DataFrame(
            {
                "Int64": pd.array([1, None, 2**62 + 1], dtype="Int64"),
                "UInt8": pd.array([1, None, 255], dtype="UInt8"),
                "Float64": pd.array([0.5, None, 1 / 3], dtype="Float64"),
                "boolean": pd.array([True, None, False], dtype="boolean"),
                "bool": [True, False, True],
                "str": pd.array(["a", None, ""], dtype="str"),
                "string_python": pd.array(["a", None, ""], dtype="string[python]"),
                "string_pyarrow": pd.array(["a", None, 'é\n,"x\r'], dtype="string[pyarrow]"),
                "object": pd.Series(["a", None, ""], dtype=object),
                "ordered": pd.Categorical(
                    ["x", "y", None], categories=["z", "y", "x"], ordered=True
                ),
                "int_categories": pd.Categorical([1, 2, 1], categories=[2, 1, 3]),
                "tz": _tz_datetimes(),
                "naive_ns": pd.to_datetime(
                    ["2020-01-01 00:00:00.000000001", None, "1970-01-01"], format="mixed"
                ).as_unit("ns"),
                # Parsed at second resolution: pandas 2 parses text to nanoseconds first, and
                # the year 3000 does not fit in those.
                "seconds": pd.to_datetime(
                    np.array(["2020-01-01", "NaT", "3000-01-01"], dtype="datetime64[s]")
                ),
                "timedelta": pd.to_timedelta([1, None, -(10**15)], unit="ns"),
            }
        ),
        "numbers": pd.DataFrame(
            {
                "int8": np.array([-128, 0, 127], dtype="int8"),
                "uint16": np.array([0, 1, 65535], dtype="uint16"),
                "float32": np.array([0.1, np.nan, -1e30], dtype="float32"),
            }
        ),
        "named_index": pd.DataFrame({"a": [1.0, 2.0]}, index=pd.Index(["x", "y"], name="key")),
        "multi_index": pd.DataFrame(
            {"a": [1, 2, 3]},
            index=pd.MultiIndex.from_arrays([["a", "a", "b"], [1, 2, 1]], names=["k", None]),
        ),
        "range_index": pd.DataFrame({"a": [1, 2, 3]}, index=pd.RangeIndex(5, 20, 5, name="r")),
        "date_index": pd.DataFrame(
            {"v": [1, 2, 3]},
            index=pd.date_range("2020-01-01", periods=3, freq="D", tz="UTC", name="when"),
        ),
        "multi_index_with_freq": pd.DataFrame(
            {"v": [1, 2, 3]},
            index=pd.MultiIndex.from_arrays(
                [pd.date_range("2020", periods=3, freq="h", tz="Europe/Paris"), ["a", "b", "a"]]
            ),
        ),
        "categorical_index": pd.DataFrame(
            {"a": [1, 2]}, index=pd.CategoricalIndex(["x", "y"], categories=["y", "x", "z"])
        ),
        "nan_index": pd.DataFrame({"a": [1, 2]}, index=pd.Index([np.nan, 1.5])),
        "nullable_index": pd.DataFrame({"a": [1, 2]}, index=pd.array([None, 3], dtype="Int64")),
        "duplicate_index": pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "x"], dtype=object)),
        "index_name_clash": pd.DataFrame(
            {"a": [1], "__index_level_0__": [2]}, index=pd.Index([5], name="a")
        ),
        "int_columns": pd.DataFrame(np.arange(6).reshape(2, 3), columns=[3, 1, 2]),
        "multi_columns": pd.DataFrame(
            np.arange(4.0).reshape(2, 2),
            columns=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["l0", "l1"]),
        ),
        "duplicate_columns": pd.DataFrame([[1, 2]], columns=["a", "a"]),
        "mixed_labels": pd.DataFrame(
            [[1, 2, 3, 4]], columns=pd.Index([1, "a", 2.5, None], dtype=object)
        ),
        "float_labels": pd.DataFrame([[1, 2]], columns=[0.5, 1.5]),
        "bool_labels": pd.DataFrame([[1, 2]], columns=[True, False]),
        "datetime_labels": pd.DataFrame(
            [[1, 2]], columns=pd.to_datetime(["2020-01-01", "2020-01-02"])
        ),
        "awkward_names": pd.DataFrame({"a b": [1], "": [2], "1x": [3], "xml": [4]}),
        "object_labels": pd.DataFrame({"x": [1]}, columns=pd.Index(["x"], dtype=object)),
        "datetime_categories": pd.DataFrame(
            {"c": pd.Categorical(pd.to_datetime(["2020-01-01", None]))}
        ),
        "no_categories": pd.DataFrame({"c": pd.Categorical([None, None], categories=[])}),
        "missing_int_categories": pd.DataFrame(
            {"i": pd.Categorical([1, None, 3]), "b": pd.Categorical([True, None, True])}
        ),
        "no_rows_categories": pd.DataFrame(
            {"c": pd.Categorical([], categories=["b", "a"], ordered=True)}
        ),
        "empty_and_missing_text": pd.DataFrame({"s": pd.Series([None, "", "x", ""], dtype="str")}),
        "no_rows": pd.DataFrame(
            {"a": pd.Series([], dtype="float64"), "s": pd.Series([], dtype="str")}
        ),
        "tuple_among_labels": pd.DataFrame([[1, 2, 3]], columns=["a", ("a", 0), ("b", 1.5)]),
        "int_level_names": pd.DataFrame(
            {"x": [1, 2]},
            index=pd.MultiIndex.from_arrays([["p", "q"], [3, 4]], names=[1, 2]),
        ),
        "int_column_level_names": pd.DataFrame(
            [[1, 2]], columns=pd.MultiIndex.from_arrays([["p", "q"], [3, 4]], names=[1, 0])
        ),
        "trailing_empty_column": pd.DataFrame({"b": [np.nan, 2.0], "": [np.nan, np.nan]}),
        "offsets_with_seconds": pd.DataFrame(
            {
                "paris": pd.Series(pd.to_datetime(["1900-01-01 00:00:00", None], utc=True))
                .dt.tz_convert("Europe/Paris")
                .dt.as_unit("us")
            }
        ),
        "timedeltas_past_nanoseconds": pd.DataFrame(
            {
                unit: pd.array(
                    np.array([2**62, -(2**62), -1, np.iinfo(np.int64).min]).view(f"m8[{unit}]")
                )
                for unit in ("s", "ms", "us")
            }
        ),
        "no_columns": pd.DataFrame(index=range(3)),
        "no_columns_empty_index_name": pd.DataFrame(index=pd.Index([np.nan], name="")),
        "empty": pd.DataFrame(),
    }


EDGES = edge_frames()
OPTIONAL = {"xlsx": "openpyxl", "h5": "tables", "xml": "lxml"}


def pack(frame: pd.DataFrame, fmt: str = "parquet", artifact_type: str = "dataset") -> Any:
    """Round trip through a fresh manager: (restored, package); the file is gone afterwards."""
    with PackagersManager([DataFramePackager]) as manager:
        hint = LogHint("frame", artifact_type, packing_kwargs={"format": fmt})
        return round_trip(manager, frame, hint, pd.DataFrame)


@pytest.fixture
def manager() -> Iterator[PackagersManager]:
    with PackagersManager([DataFramePackager]) as manager:
        yield manager


def packed(manager: PackagersManager, frame: pd.DataFrame, fmt: str = "parquet") -> Package:
    return manager.pack(frame, LogHint("frame", "dataset", packing_kwargs={"format": fmt}))


def unpacked(manager: PackagersManager, package: Package, *extras: Any, **instructions: Any) -> Any:
    """The packager's unpack given the item as a hint with these extras sees it."""
    item = DataItem(
        package.artifact.src_path, key=package.key, manifest=package.manifest, hint_metadata=extras
    )
    instructions = {**package.manifest["instructions"], **instructions}
    return manager.packagers[0].unpack(item, "dataset", instructions)


#: Every format whose writer is installed (xlsx, h5 and xml need the extras' modules).
_INSTALLED_FORMATS = (
    "parquet",
    "feather",
    "orc",
    "csv",
    "json",
    *(
        name
        for name, module in {"xlsx": "openpyxl", "h5": "tables", "xml": "lxml"}.items()
        if importlib.util.find_spec(module)
    ),
)


class TestDataFramePackager(PackagerConformance):
    packager_class = DataFramePackager
    formats = {"dataset": _INSTALLED_FORMATS, "file": _INSTALLED_FORMATS}

    def samples(self) -> list[pd.DataFrame]:
        names = ("floats", "dtypes", "multi_index", "multi_columns", "no_columns", "empty")
        return [EDGES[name] for name in names]

    @pytest.fixture(autouse=True)
    def _exact(self, exact: AssertExact) -> None:
        self._assert_exact = exact

    def assert_same(self, original: Any, restored: Any) -> None:
        self._assert_exact(restored, original)


# -- every format, every edge ----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(EDGES))
def test_edge_frames_round_trip_exactly(name: str, frame_format: str, exact: AssertExact) -> None:
    frame = EDGES[name]
    before = frame.copy(deep=True)
    columns, index = frame.columns, frame.index
    restored, package = pack(frame, frame_format)
    exact(restored, before)
    exact(frame, before)  # the caller's frame is untouched, its axes are the same objects
    assert frame.columns is columns and frame.index is index
    assert package.manifest["format"] == frame_format


def test_a_common_frame_takes_no_detour(
    manager: PackagersManager, monkeypatch: pytest.MonkeyPatch, exact: AssertExact
) -> None:
    """The caller's frame itself is what Arrow converts; unpacking is one ``to_pandas`` call."""
    from packagers_pandas import _arrow_columns, _restore

    frame = pd.DataFrame(np.arange(20.0).reshape(4, 5), columns=list("abcde"))
    flattened: list[Any] = []
    flatten = _restore.flatten
    monkeypatch.setattr(
        _restore, "flatten", lambda *args: flattened.append(flatten(*args)) or flattened[-1]
    )
    package = packed(manager, frame)
    assert flattened[0][0] is frame
    monkeypatch.setattr(_arrow_columns, "_from_arrow", None)  # no column-by-column conversion
    exact(unpacked(manager, package), frame)


def test_file_artifacts_round_trip_in_every_format(frame_format: str, exact: AssertExact) -> None:
    frame = EDGES["dtypes"].set_index("str")
    restored, package = pack(frame, frame_format, "file")
    exact(restored, frame)
    assert package.artifact_type == "file"


def test_file_artifact_records_only_the_shape() -> None:
    _, package = pack(EDGES["floats"], "csv", "file")
    assert package.manifest["kind"] == "artifact"
    assert package.manifest["spec"] == {"rows": 5, "columns": 2}


def test_spreadsheet_cells_stay_numbers_where_they_are_exact(manager: PackagersManager) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    frame = pd.DataFrame(
        {"f": [0.5, 1e300], "g": [0.1 + 0.2, 1.0], "i": [1, 2**60], "b": [True, False]}
    )
    package = packed(manager, frame, "xlsx")
    sheet = openpyxl.load_workbook(package.artifact.src_path).active
    assert [cell.data_type for cell in sheet[2]] == ["n", "s", "s", "b"]
    pd.testing.assert_frame_equal(unpacked(manager, package), frame, check_exact=True)


def test_large_random_values_are_exact(frame_format: str, exact: AssertExact) -> None:
    """Shortest float text, integers beyond 2**53, every bit of a float."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "f": rng.standard_normal(200) * 10.0 ** rng.integers(-300, 300, 200),
            "i": rng.integers(-(2**63), 2**63 - 1, 200, dtype="int64"),
            "s": [f"text {value}" for value in rng.integers(0, 10**9, 200)],
        }
    )
    restored, _ = pack(frame, frame_format)
    exact(restored, frame)


# -- the manifest ----------------------------------------------------------------------------------


def test_dataset_manifest_records_shape_schema_and_preview() -> None:
    frame = pd.DataFrame(
        {
            "x": np.arange(8, dtype="int64"),
            "when": pd.date_range("2020", periods=8, tz="UTC").as_unit("ns"),
        },
        index=pd.Index(list("abcdefgh"), name="key"),
    )
    _, package = pack(frame)
    spec = package.manifest["spec"]
    json.dumps(spec, allow_nan=False)
    assert spec["rows"] == 8 and spec["columns"] == 2 and spec["index"] == ["key"]
    key, *columns = spec["schema"]
    # Arrow's type for text: pandas 3's `str` dtype is large_string, pandas 2's object string.
    assert key in ({"name": "key", "type": "large_string"}, {"name": "key", "type": "string"})
    assert columns == [
        {"name": "x", "type": "int64"},
        {"name": "when", "type": "timestamp[ns, tz=UTC]"},
    ]
    assert spec["preview"][:2] == [
        {"key": "a", "x": 0, "when": "2020-01-01 00:00:00+00:00"},
        {"key": "b", "x": 1, "when": "2020-01-02 00:00:00+00:00"},
    ]
    assert len(spec["preview"]) == 5


def test_preview_only_for_narrow_frames_and_json_safe() -> None:
    wide = pd.DataFrame(np.zeros((3, 21)))
    narrow = pd.DataFrame({"f": [np.nan, np.inf], "p": pd.period_range("2020", periods=2)})
    assert "preview" not in pack(wide)[1].manifest["spec"]
    preview = pack(narrow)[1].manifest["spec"]["preview"]
    json.dumps(preview, allow_nan=False)
    assert preview == [{"f": None, "p": "2020-01-01"}, {"f": "Infinity", "p": "2020-01-02"}]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_text_formats_record_the_arrow_schema_too(fmt: str) -> None:
    frame = pd.DataFrame({"a": [1, 2], "o": pd.Series([1, "x"], dtype=object)})
    if fmt == "csv":
        frame = frame[["a"]]
    schema = pack(frame, fmt)[1].manifest["spec"]["schema"]
    assert schema[0] == {"name": "a", "type": "int64"}
    if fmt == "json":  # Arrow cannot type a mixed column: its pandas dtype is shown
        assert schema[1] == {"name": "o", "type": "object"}


# -- columns ---------------------------------------------------------------------------------------


def test_columns_read_only_what_is_asked(
    frame_format: str, manager: PackagersManager, exact: AssertExact
) -> None:
    frame = EDGES["dtypes"].set_index(pd.Index([7, 8, 9], name="id"))
    restored = unpacked(manager, packed(manager, frame, frame_format), Columns("tz", "ordered"))
    exact(restored, frame[["tz", "ordered"]])


def test_columns_are_passed_by_the_manager_from_annotated(
    manager: PackagersManager, exact: AssertExact
) -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0], "c": ["x", "y"]})
    package = packed(manager, frame)
    item = DataItem(package.artifact.src_path, key="frame", manifest=package.manifest)
    exact(manager.unpack(item, Annotated[pd.DataFrame, Columns("c", "a")]), frame[["c", "a"]])
    exact(manager.unpack(item, Annotated[pd.DataFrame, Columns("b")] | None), frame[["b"]])
    exact(manager.unpack(item, pd.DataFrame), frame)


def test_columns_of_parquet_read_only_those_columns(
    manager: PackagersManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    asked: list[Any] = []
    read_table = pq.read_table

    def spy(path: str, columns: Any = None, **kwargs: Any) -> Any:
        asked.append(columns)
        return read_table(path, columns=columns, **kwargs)

    frame = pd.DataFrame({"a": [1], "b": [2]}, index=pd.Index(["k"], name="key"))
    package = packed(manager, frame)
    monkeypatch.setattr(pq, "read_table", spy)
    unpacked(manager, package, Columns("b"))
    assert asked == [["key", "b"]]


def test_columns_select_every_column_under_a_multiindex_label(
    manager: PackagersManager, exact: AssertExact
) -> None:
    frame = pd.DataFrame(
        np.arange(6).reshape(2, 3),
        columns=pd.MultiIndex.from_tuples([("a", 1), ("b", 1), ("a", 2)]),
    )
    restored = unpacked(manager, packed(manager, frame, "csv"), Columns("a"))
    exact(restored, frame.iloc[:, [0, 2]])


def test_unknown_column_lists_the_columns(manager: PackagersManager) -> None:
    package = packed(manager, pd.DataFrame({"a": [1], 2: [2]}))
    with pytest.raises(UnpackingError, match=r"no column 'z'; the columns are: 'a', 2"):
        unpacked(manager, package, Columns("z"))


def test_columns_apply_to_a_pickled_frame(exact: AssertExact) -> None:
    frame = pd.DataFrame({"a": [1], "b": [2]})
    with config.override(pickle__policy="allow"), PackagersManager([DataFramePackager]) as manager:
        package = manager.pack(frame, "frame : object")
        restored = manager.unpack(
            DataItem(package.artifact.src_path, manifest=package.manifest),
            Annotated[pd.DataFrame, Columns("b")],
        )
    exact(restored, frame[["b"]])


def test_two_columns_extras_are_refused(manager: PackagersManager) -> None:
    package = packed(manager, pd.DataFrame({"a": [1]}))
    with pytest.raises(UnpackingError, match="2 Columns extras"):
        unpacked(manager, package, Columns("a"), Columns("a"))


def test_columns_needs_a_label() -> None:
    with pytest.raises(TypeError, match="at least one"):
        Columns()
    assert Columns("a", 1) == Columns("a", 1) and repr(Columns("a", 1)) == "Columns('a', 1)"


# -- plain files -----------------------------------------------------------------------------------


def _plain_files() -> dict[str, tuple[str, Any, Any]]:
    """suffix -> (optional module, writer, pandas reader giving the expected frame)."""
    return {
        ".parquet": (None, lambda f, p: f.to_parquet(p), pd.read_parquet),
        ".feather": (None, lambda f, p: f.to_feather(p), pd.read_feather),
        ".orc": (None, lambda f, p: f.to_orc(p), pd.read_orc),
        ".csv": (None, lambda f, p: f.to_csv(p, index=False), pd.read_csv),
        ".csv.gz": (None, lambda f, p: f.to_csv(p, index=False), pd.read_csv),
        ".json": (None, lambda f, p: f.to_json(p, orient="records"), pd.read_json),
        ".jsonl": (
            None,
            lambda f, p: f.to_json(p, orient="records", lines=True),
            lambda p: pd.read_json(p, lines=True),
        ),
        ".xlsx": ("openpyxl", lambda f, p: f.to_excel(p, index=False), pd.read_excel),
        # the table layout: the fixed one pickles text columns (see test_pandas_pickle_policy)
        ".h5": ("tables", lambda f, p: f.to_hdf(p, key="data", format="table"), pd.read_hdf),
        ".xml": ("lxml", lambda f, p: f.to_xml(p, index=False), pd.read_xml),
    }


@pytest.mark.parametrize("suffix", list(_plain_files()))
def test_plain_files_unpack_by_suffix(suffix: str, tmp_path: Any) -> None:
    module, write, read = _plain_files()[suffix]
    if module is not None:
        pytest.importorskip(module)
    frame = pd.DataFrame({"n": [1, 2, 3], "x": [0.5, 1.5, 2.5], "s": ["a", "b", "c"]})
    path = str(tmp_path / f"data{suffix}")
    write(frame, path)
    with PackagersManager([DataFramePackager]) as manager:
        restored = manager.unpack(path, pd.DataFrame)
        selected = manager.unpack(path, Annotated[pd.DataFrame, Columns("s", "n")])
    pd.testing.assert_frame_equal(restored, read(path))
    pd.testing.assert_frame_equal(selected, read(path)[["s", "n"]])


def test_a_plain_pickle_unpacks_under_the_pickle_policy(tmp_path: Any, exact: AssertExact) -> None:
    path = str(tmp_path / "frame.pkl")
    EDGES["dtypes"].to_pickle(path)
    with PackagersManager([DataFramePackager]) as manager:
        with (
            config.override(pickle__policy="deny"),
            pytest.raises(UnpackingError, match="pickle policy is 'deny'"),
        ):
            manager.unpack(path, pd.DataFrame)
        with config.override(pickle__policy="allow"):
            exact(manager.unpack(path, pd.DataFrame), EDGES["dtypes"])


def test_plain_file_with_unknown_suffix_lists_the_readable_ones(tmp_path: Any) -> None:
    path = tmp_path / "data.txt"
    path.write_text("a\n1\n")
    with (
        PackagersManager([DataFramePackager]) as manager,
        pytest.raises(
            UnpackingError,
            match=r"no format reads files ending in '\.txt'; readable suffixes: .*\.csv",
        ),
    ):
        manager.unpack(str(path), pd.DataFrame)


# -- refusals --------------------------------------------------------------------------------------

#: (format, frame) pairs a format cannot hold: refused at pack time, naming what to use instead.
REFUSED = [
    ("parquet", pd.DataFrame({"o": pd.Series([1, "a"], dtype=object)}), "'object'"),
    ("csv", pd.DataFrame({"o": pd.Series([1, "a"], dtype=object)}), "'parquet'"),
    ("csv", pd.DataFrame({"p": pd.period_range("2020", periods=2)}), "dtype period.*'parquet'"),
    ("json", pd.DataFrame({"i": pd.interval_range(0, 2)}), "dtype interval.*'parquet'"),
    ("orc", pd.DataFrame({"u": np.array([2**64 - 1], dtype="uint64")}), "uint64.*'parquet'"),
    ("orc", pd.DataFrame({"p": pd.period_range("2020", periods=2)}), "'parquet'"),
    ("xlsx", pd.DataFrame({"s": ["a\x01b"]}), "'parquet'"),
    ("xlsx", pd.DataFrame({"s": ["x" * 32768]}), "longer than 32767 characters.*'parquet'"),
    ("xml", pd.DataFrame({"s": ["a\x01b"]}), "'parquet'"),
    ("h5", pd.DataFrame({"s": ["ab\x00"]}), "NUL.*'parquet'"),
    ("parquet", pd.DataFrame({"c": [1 + 2j]}), "'object'"),
]


@pytest.mark.parametrize(
    ("fmt", "frame", "message"), REFUSED, ids=[f"{row[0]}-{i}" for i, row in enumerate(REFUSED)]
)
def test_what_a_format_cannot_hold_is_refused(fmt: str, frame: pd.DataFrame, message: str) -> None:
    if fmt in OPTIONAL:
        pytest.importorskip(OPTIONAL[fmt])
    with pytest.raises(PackingError, match=message):
        pack(frame, fmt)


@pytest.mark.parametrize("fmt", ["parquet", "feather", "orc", "json"])
def test_object_columns_of_other_values_where_the_format_types_them(
    fmt: str, exact: AssertExact
) -> None:
    frame = pd.DataFrame({"ints": pd.Series([1, None, 2**62], dtype=object)})
    if fmt == "json":
        frame["mixed"] = pd.Series(["a", 1, True], dtype=object)
    else:
        frame["bytes"] = pd.Series([b"\x00\xff", None, b""], dtype=object)
        frame["lists"] = pd.Series([[1, 2], None, []], dtype=object)
    restored, _ = pack(frame, fmt)
    exact(restored, frame)
    assert restored["ints"].tolist() == [1, None, 2**62]
    if fmt != "json":
        assert restored["lists"].tolist() == [[1, 2], None, []]


@pytest.mark.parametrize("fmt", ["parquet", "feather", "orc", "csv", "json"])
def test_control_characters_in_text(fmt: str, exact: AssertExact) -> None:
    frame = pd.DataFrame({"s": ["a\x01\r\n\x00b", "\t", "\\N", "", None]})
    if fmt == "csv" and sys.version_info < (3, 11):  # its csv module cannot write NUL
        with pytest.raises(PackingError, match="cannot be written as csv"):
            pack(frame, fmt)
        return
    exact(pack(frame, fmt)[0], frame)


def test_text_that_readers_take_for_something_else(
    frame_format: str, manager: PackagersManager, exact: AssertExact
) -> None:
    """Readers take ``nan`` or ``None`` for missing; spreadsheets ``=...`` for a formula (which
    would run) and ``#N/A`` for an error: all of it stays text.
    """
    texts = ["nan", "None", "NULL", "N/A", "=1+1", "=", "#N/A", "#DIV/0!", "007", "TRUE"]
    frame = pd.DataFrame({"s": pd.Series(texts, dtype="str"), "=A1": range(len(texts))})
    package = packed(manager, frame, frame_format)
    exact(unpacked(manager, package), frame)
    if frame_format == "xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(package.artifact.src_path).active
        assert {cell.data_type for row in sheet.iter_rows() for cell in row} == {"s", "n"}


def test_unknown_format_lists_the_formats() -> None:
    with pytest.raises(
        PackingError, match=r"unknown format 'parq'; the formats are: parquet, feather, orc, csv"
    ):
        pack(pd.DataFrame({"a": [1]}), "parq")


def test_format_aliases_and_case() -> None:
    assert pack(pd.DataFrame({"a": [1]}), "PQ")[1].manifest["format"] == "parquet"


def test_unknown_packing_kwarg_lists_the_accepted_ones() -> None:
    with (
        PackagersManager([DataFramePackager]) as manager,
        pytest.raises(
            PackingError,
            match=r"unknown packing kwarg\(s\) 'compression'.*accepts format='parquet'",
        ),
    ):
        manager.pack(pd.DataFrame({"a": [1]}), 'frame : dataset[compression="zstd"]')


@pytest.mark.parametrize(("fmt", "module"), sorted(OPTIONAL.items()))
def test_missing_optional_dependency_says_what_to_install(
    fmt: str, module: str, manager: PackagersManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pd.DataFrame({"a": [1]})
    package = packed(manager, frame, fmt) if importlib.util.find_spec(module) else None
    monkeypatch.setitem(sys.modules, module, None)  # importing it now raises ImportError
    with pytest.raises(PackingError, match=rf"format '{fmt}' needs {module}.*pip install {module}"):
        packed(manager, frame, fmt)
    if package is not None:  # an artifact packed where it was installed
        with pytest.raises(UnpackingError, match=rf"pip install {module}"):
            unpacked(manager, package)


def test_a_pyarrow_without_orc_says_to_reinstall_pyarrow(
    manager: PackagersManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pd.DataFrame({"a": [1]})
    package = packed(manager, frame, "orc")
    monkeypatch.setitem(sys.modules, "pyarrow.orc", None)  # as on a build without ORC
    with pytest.raises(PackingError, match=r"needs pyarrow.orc.*--force-reinstall pyarrow"):
        packed(manager, frame, "orc")
    with pytest.raises(UnpackingError, match=r"--force-reinstall pyarrow"):
        unpacked(manager, package)


def test_unpacking_an_unknown_format_lists_the_formats(manager: PackagersManager) -> None:
    package = packed(manager, pd.DataFrame({"a": [1]}))
    with pytest.raises(UnpackingError, match="unknown format 'nope'; the formats are: parquet"):
        unpacked(manager, package, format="nope")


def test_unrecordable_names_are_refused() -> None:
    frame = pd.DataFrame({"a": [1]}, index=pd.Index([1], name=object()))
    with pytest.raises(PackingError, match=r"'frame' as parquet: the label <object"):
        pack(frame)


def test_an_unrecordable_label_among_others_is_named_with_a_way_out(frame_format: str) -> None:
    frame = pd.DataFrame(
        [[1, 2]], columns=pd.Index(["a", pd.Timestamp("2020-01-02")], dtype=object)
    )
    with pytest.raises(
        PackingError, match=r"the label Timestamp\('2020-01-02.*as 'object', a pickle"
    ):
        pack(frame, frame_format)


def test_xlsx_without_lxml_refuses_carriage_returns_instead_of_losing_them(monkeypatch):
    pytest.importorskip("openpyxl")
    import openpyxl.xml
    import pandas as pd

    from packagers import PackagersManager, PackingError
    from packagers_pandas import DataFramePackager

    monkeypatch.setattr(openpyxl.xml, "LXML", False)
    frame = pd.DataFrame({"note": ["one line", "two\r\nlines"]})
    with (
        PackagersManager([DataFramePackager]) as manager,
        pytest.raises(PackingError, match=r"'note'.*carriage returns.*pip install lxml"),
    ):
        manager.pack(frame, 'notes : dataset[format="xlsx"]')


def test_csv_keeps_lone_carriage_returns(exact: AssertExact) -> None:
    """In text, labels and the index alike: unquoted, a lone CR would end the row."""
    frame = pd.DataFrame(
        {"a\r": pd.Series(["x\ry", "\r", "\n\r", None], dtype="str")},
        index=pd.Index(["\r", "b", "c", "d"], name="i\r"),
    )
    restored, _ = pack(frame, "csv")
    exact(restored, frame)


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ([(1, 2), (3,)], r"\(1, 2\) \(tuple\).*\[1, 2\] \(list\)"),
        ([{1}, {2}], r"\{1\} \(set\)"),
        ([1, 2.5], r"1 \(int\).*1.0 \(float\)"),
        ([{"a": 1}, {"b": 2}], r"\{'a': 1\} \(dict\).*'b': None"),
    ],
    ids=["tuples", "sets", "ints-and-floats", "dicts-of-other-keys"],
)
@pytest.mark.parametrize("fmt", ["parquet", "feather", "orc"])
def test_object_values_arrow_would_change_are_refused(
    values: list[Any], shown: str, fmt: str
) -> None:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    with pytest.raises(PackingError, match=f"column 'a' holds {shown}.*pickle"):
        pack(pd.DataFrame({"a": column}), fmt)
