"""DataFrame test helpers: the edge frames every format must restore exactly; pack shortcuts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from packagers import DataItem, LogHint, Package, PackagersManager
from packagers.testing import round_trip
from packagers_pandas import DataFramePackager

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


def packed(manager: PackagersManager, frame: pd.DataFrame, fmt: str = "parquet") -> Package:
    return manager.pack(frame, LogHint("frame", "dataset", packing_kwargs={"format": fmt}))


def unpacked(manager: PackagersManager, package: Package, *extras: Any, **instructions: Any) -> Any:
    """The packager's unpack given the item as a hint with these extras sees it."""
    item = DataItem(
        package.artifact.src_path, key=package.key, manifest=package.manifest, hint_metadata=extras
    )
    instructions = {**package.manifest["instructions"], **instructions}
    return manager.packagers[0].unpack(item, "dataset", instructions)
