"""pandas DataFrames and Series, and pyarrow Tables, for packagers.

Datasets are parquet by default (csv, json, feather, orc, and xlsx/h5/xml with their extras) and
come back exactly: index, labels and dtypes are rebuilt from the instructions where a format does
not keep them. ``Annotated[pd.DataFrame, Columns("a", "b")]`` reads only those columns.

Importing this package imports neither pandas nor pyarrow.
"""

from __future__ import annotations

from packagers_pandas._columns import Columns
from packagers_pandas._dataframe import DataFramePackager
from packagers_pandas._series import SeriesPackager
from packagers_pandas._table import ArrowTablePackager

__all__ = ["ArrowTablePackager", "Columns", "DataFramePackager", "SeriesPackager"]
