"""DataFramePackager unpacking plain files (not packed by packagers) by their suffix."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
import pytest

from packagers import PackagersManager, UnpackingError, config
from packagers_pandas import Columns, DataFramePackager

from .frame_samples import EDGES, AssertExact


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
