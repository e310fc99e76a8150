"""The DataFrame packager: every format, exact round trips, only the asked-for columns."""

from __future__ import annotations

from packagers_pandas._packing import PandasPackager

__all__ = ["DataFramePackager"]


class DataFramePackager(PandasPackager):
    """Packs ``pandas.DataFrame`` as a dataset (parquet by default), a file, or a pickle.

    An ``Annotated[pd.DataFrame, Columns("a", "b")]`` hint reads only those columns.
    """

    PACKABLE_OBJECT_TYPE = "pandas.DataFrame"
