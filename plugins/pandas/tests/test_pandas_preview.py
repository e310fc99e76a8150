"""Table previews of DataFrames and Series: bounded, standard JSON, statistics per column."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from packagers import PackagersManager
from packagers.previews import MAX_COLUMNS, MAX_ROWS
from packagers_pandas import DataFramePackager, SeriesPackager


def preview_of(obj: object, hint: str = "data") -> dict:
    with PackagersManager([DataFramePackager, SeriesPackager]) as manager:
        preview = manager.pack(obj, hint).preview
    assert preview is not None
    json.dumps(preview, allow_nan=False)
    return preview


def test_a_frame_preview_has_shape_dtypes_rows_and_stats() -> None:
    frame = pd.DataFrame(
        {"n": [1.0, np.nan, 3.0], "s": ["x", "y", "x"], "t": pd.to_datetime(["2020-01-01"] * 3)},
        index=["a", "b", "c"],
    )
    preview = preview_of(frame)
    assert preview["kind"] == "table" and preview["schema"] == 1
    assert preview["shape"] == [3, 3]
    assert preview["columns"] == ["n", "s", "t"]
    assert preview["dtypes"] == {name: str(dtype) for name, dtype in frame.dtypes.items()}
    assert preview["rows"][:2] == [
        [1.0, "x", "2020-01-01 00:00:00"],
        [None, "y", "2020-01-01 00:00:00"],
    ]
    assert preview["index"] == ["a", "b", "c"]
    assert preview["stats"]["n"] == {
        "count": 2,
        "mean": 2.0,
        "std": 1.4142135623730951,
        "min": 1.0,
        "max": 3.0,
    }
    assert preview["stats"]["s"] == {"count": 3, "unique": 2, "top": "x"}
    assert preview["truncated"] is False


def test_a_large_frame_shows_its_first_rows_and_columns() -> None:
    frame = pd.DataFrame(np.arange(100 * 80).reshape(100, 80))
    preview = preview_of(frame)
    assert preview["shape"] == [100, 80]
    assert len(preview["rows"]) == MAX_ROWS and len(preview["rows"][0]) == MAX_COLUMNS
    assert len(preview["columns"]) == len(preview["stats"]) == MAX_COLUMNS
    assert preview["truncated"] is True
    assert preview["stats"]["0"]["max"] == 99 * 80


def test_missing_and_unhashable_values_are_shown_not_refused() -> None:
    frame = pd.DataFrame(
        {
            "i": pd.array([1, None], dtype="Int64"),
            "l": [[1, 2], {"a": 1}],
            "f": [np.inf, -np.inf],
            "b": [True, False],
        }
    )
    preview = preview_of(frame, "data : object")  # parquet refuses the mixed column
    assert [row[0] for row in preview["rows"]] == [1, None]
    assert preview["rows"][0][1:3] == ["[1, 2]", "Infinity"]
    assert preview["stats"]["i"] == {"count": 1, "mean": 1.0, "std": None, "min": 1, "max": 1}
    assert preview["stats"]["l"]["count"] == 2
    assert preview["stats"]["f"]["min"] == "-Infinity"
    assert preview["stats"]["b"] == {"count": 2, "unique": 2, "top": True}


def test_a_series_is_previewed_as_its_one_column() -> None:
    assert preview_of(pd.Series([1, 2], name="v"))["columns"] == ["v"]
    unnamed = preview_of(pd.Series(["a"]))
    assert unnamed["columns"] == ["0"] and unnamed["shape"] == [1, 1]


def test_every_artifact_type_gets_the_table_preview() -> None:
    frame = pd.DataFrame({"a": [1]})
    for hint in ("data : file", 'data : dataset[format="csv"]', "data : object"):
        assert preview_of(frame, hint)["kind"] == "table"


def test_a_long_tables_statistics_are_of_an_even_sample() -> None:
    from packagers.previews import SAMPLE_SIZE

    frame = pd.DataFrame({"x": np.arange(4 * SAMPLE_SIZE, dtype=float)})
    preview = preview_of(frame)
    assert preview["sampled"] == SAMPLE_SIZE and preview["shape"] == [4 * SAMPLE_SIZE, 1]
    assert preview["stats"]["x"]["count"] == SAMPLE_SIZE and preview["stats"]["x"]["min"] == 0.0
    assert preview["rows"][:2] == [[0.0], [1.0]]  # the first rows are the table's own
    assert preview_of(frame.head(10))["sampled"] is None
