"""DataFramePackager's Columns extra: reading only the columns asked for, and its errors."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
import pytest

from packagers import DataItem, PackagersManager, UnpackingError, config
from packagers_pandas import Columns, DataFramePackager

from .frame_samples import EDGES, AssertExact, packed, unpacked


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
