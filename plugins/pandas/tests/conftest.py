"""Shared fixtures of the pandas plugin tests: every format, exact comparison, a manager."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

from packagers import PackagersManager
from packagers_pandas import DataFramePackager

#: Every format, and the module an optional one needs (its tests skip without it).
FORMATS = {
    "parquet": None,
    "feather": None,
    "orc": None,
    "csv": None,
    "json": None,
    "xlsx": "openpyxl",
    "h5": "tables",
    "xml": "lxml",
}

AssertExact = Callable[[Any, Any], None]


def assert_exact(restored: Any, original: Any) -> None:
    """Equal values, dtypes, labels, label dtypes, names and index frequency."""
    assert type(restored) is type(original), (type(original), type(restored))
    if isinstance(original, pd.Series):
        pd.testing.assert_series_equal(
            restored, original, check_exact=True, check_freq=True, check_index_type=True
        )
        assert type(restored.name) is type(original.name)
    else:
        pd.testing.assert_frame_equal(
            restored,
            original,
            check_exact=True,
            check_freq=True,
            check_index_type=True,
            check_column_type=True,
        )
        assert list(restored.dtypes) == list(original.dtypes)
        assert restored.columns.dtype == original.columns.dtype
        assert list(restored.columns.names) == list(original.columns.names)
    assert restored.index.dtype == original.index.dtype
    assert list(restored.index.names) == list(original.index.names)


@pytest.fixture
def exact() -> AssertExact:
    return assert_exact


@pytest.fixture(params=list(FORMATS))
def frame_format(request: pytest.FixtureRequest) -> str:
    """Each format; an optional one is skipped only when its own dependency is missing."""
    module = FORMATS[request.param]
    if module is not None:
        pytest.importorskip(module)
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def manager() -> Iterator[PackagersManager]:
    with PackagersManager([DataFramePackager]) as manager:
        yield manager
