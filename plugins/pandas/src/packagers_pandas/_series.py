"""The Series packager: a Series is stored as a frame of one column, its name in the layout."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from packagers import UnpackingError
from packagers_pandas._columns import requested_columns
from packagers_pandas._packing import PandasPackager

if TYPE_CHECKING:
    import pandas as pd

    from packagers import DataItem

__all__ = ["SeriesPackager"]


class SeriesPackager(PandasPackager):
    """Packs ``pandas.Series`` like a one-column DataFrame; the name (any label) comes back.

    A plain file unpacks into a Series when it has exactly one column.
    """

    PACKABLE_OBJECT_TYPE = "pandas.Series"

    def _wanted_columns(self, data_item: DataItem) -> tuple[Hashable, ...] | None:
        wanted = requested_columns(data_item)
        if wanted is not None:
            raise UnpackingError(
                f"{data_item.key!r}: Columns({', '.join(map(repr, wanted))}) selects columns of a "
                "DataFrame; a Series has one (ask for a pd.DataFrame to select columns)"
            )
        return None

    def _from_plain(self, frame: pd.DataFrame, data_item: DataItem) -> Any:
        if frame.shape[1] != 1:
            raise UnpackingError(
                f"{data_item.key!r} has {frame.shape[1]} columns, so it is not a Series; ask for "
                "a pd.DataFrame"
            )
        return frame.iloc[:, 0]
