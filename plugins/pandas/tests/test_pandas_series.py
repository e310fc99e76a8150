"""SeriesPackager: names of every kind, dtypes and indexes, in every format; plain files."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
import pytest

from packagers import DataItem, LogHint, PackagersManager, UnpackingError
from packagers.testing import PackagerConformance, round_trip
from packagers_pandas import Columns, SeriesPackager

AssertExact = Any  # the ``exact`` fixture of conftest.py


def edge_series() -> dict[str, pd.Series]:
    tz = pd.date_range("2021-03-28", periods=3, freq="h", tz="Europe/Paris", unit="ns")
    return {
        "unnamed": pd.Series([0.1, np.nan, -0.0]),
        "str_name": pd.Series([1, 2], name="x"),
        "int_name": pd.Series(["a", None], name=0, dtype="str"),
        "float_name": pd.Series([True, False], name=1.5),
        "tuple_name": pd.Series([1, 2], name=("a", 1)),
        "bool_name": pd.Series([1, 2], name=True),
        "categorical": pd.Series(pd.Categorical(["b", None, "a"], categories=["b", "a"]), name="c"),
        "nullable": pd.Series(pd.array([2**62 + 1, None], dtype="Int64"), name="n"),
        "tz_datetimes": pd.Series(tz, name="when"),
        "timedeltas": pd.Series(pd.to_timedelta([1, None], unit="ns")),
        "object_text": pd.Series(["", None], dtype=object, name="o"),
        "multi_index": pd.Series(
            [1.5, 2.5], index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"])
        ),
        "datetime_index": pd.Series([1, 2], index=pd.date_range("2020", periods=2, freq="D")),
        "empty": pd.Series([], dtype="float64", name="e"),
        "empty_name_missing_row": pd.Series([np.nan], name=""),
    }


EDGES = edge_series()


class TestSeriesPackager(PackagerConformance):
    packager_class = SeriesPackager

    def samples(self) -> list[pd.Series]:
        return [EDGES[name] for name in ("unnamed", "tuple_name", "categorical", "multi_index")]

    @pytest.fixture(autouse=True)
    def _exact(self, exact: AssertExact) -> None:
        self._assert_exact = exact

    def assert_same(self, original: Any, restored: Any) -> None:
        self._assert_exact(restored, original)


@pytest.mark.parametrize("name", list(EDGES))
def test_edge_series_round_trip_exactly(name: str, frame_format: str, exact: AssertExact) -> None:
    series = EDGES[name]
    before = series.copy(deep=True)
    with PackagersManager([SeriesPackager]) as manager:
        hint = LogHint("series", "dataset", packing_kwargs={"format": frame_format})
        restored, package = round_trip(manager, series, hint, pd.Series)
    exact(restored, before)
    exact(series, before)
    assert package.manifest["spec"]["columns"] == 1


def test_a_plain_file_of_one_column_is_a_series(tmp_path: Any, exact: AssertExact) -> None:
    path = str(tmp_path / "values.csv")
    pd.DataFrame({"v": [1, 2]}).to_csv(path, index=False)
    with PackagersManager([SeriesPackager]) as manager:
        exact(manager.unpack(path, pd.Series), pd.Series([1, 2], name="v"))


def test_a_plain_file_of_several_columns_is_not(tmp_path: Any) -> None:
    path = str(tmp_path / "table.parquet")
    pd.DataFrame({"a": [1], "b": [2]}).to_parquet(path)
    with (
        PackagersManager([SeriesPackager]) as manager,
        pytest.raises(
            UnpackingError, match=r"has 2 columns, so it is not a Series; ask for a pd\.DataFrame"
        ),
    ):
        manager.unpack(path, pd.Series)


def test_columns_are_refused_for_a_series() -> None:
    with PackagersManager([SeriesPackager]) as manager:
        package = manager.pack(pd.Series([1], name="a"), "series")
        item = DataItem(package.artifact.src_path, key="series", manifest=package.manifest)
        with pytest.raises(UnpackingError, match=r"Columns\('a'\) selects columns of a DataFrame"):
            manager.unpack(item, Annotated[pd.Series, Columns("a")])
