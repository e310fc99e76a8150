"""The entry point: registers the pandas and pyarrow packagers without importing either library."""

from __future__ import annotations

from packagers import Packager, hookimpl
from packagers_pandas._dataframe import DataFramePackager
from packagers_pandas._series import SeriesPackager
from packagers_pandas._table import ArrowTablePackager

__all__ = ["packagers_register"]


@hookimpl
def packagers_register() -> list[type[Packager]]:
    return [DataFramePackager, SeriesPackager, ArrowTablePackager]
