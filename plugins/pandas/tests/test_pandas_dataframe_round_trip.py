"""DataFramePackager round trips: every format x edge frame exactly, as datasets and files."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pandas as pd
import pytest

from packagers import PackagersManager
from packagers.testing import PackagerConformance
from packagers_pandas import DataFramePackager

from .frame_samples import EDGES, AssertExact, pack, packed, unpacked

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
