"""The Arrow formats (parquet, feather, orc): a flat frame goes through one
``pa.Table.from_pandas`` and the format's own Arrow writer; reading converts back with pyarrow,
per column only where the recorded dtype needs it. The Table packager reads and writes Arrow
tables through them without pandas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

from packagers_pandas._frame_format import FrameFormat, Schema, listed, select_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FEATHER", "ORC", "PARQUET", "ArrowFormat"]


@dataclass(frozen=True, kw_only=True)
class ArrowFormat(FrameFormat):
    """A format pyarrow writes and reads as an Arrow table (the Table packager uses it too)."""

    write_table: Callable[[pa.Table, str], None]
    read_table: Callable[[str, list[str] | None], pa.Table]
    #: Which categoricals the file keeps whole: "all", "strings" (parquet) or "none".
    categories: str = "none"

    family: ClassVar[str] = "arrow"

    def holds_categories(self, dtype: pd.CategoricalDtype) -> bool:
        if self.categories == "strings":
            return bool(dtype.categories.inferred_type == "string")
        return self.categories == "all"

    def write(self, flat: pd.DataFrame, path: str) -> tuple[Schema, dict[str, Any]]:
        from packagers_pandas._arrow_columns import check_objects

        table = pa.Table.from_pandas(flat, preserve_index=False)
        check_objects(flat, table)
        self.write_table(table, path)
        return listed(table.schema), {}

    def read(
        self,
        path: str,
        index_fields: list[str],
        data_fields: list[str],
        layout: dict[str, Any],
        options: dict[str, Any],
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        import pandas as pd

        from packagers_pandas._arrow_columns import arrow_to_frame

        dtypes = layout["dtypes"]
        if not index_fields and data_fields == layout["fields"]:  # as a plain read: no selection
            return pd.DataFrame(), arrow_to_frame(self.read_table(path, None), dtypes)
        table = self.read_table(path, index_fields + data_fields)
        return (
            arrow_to_frame(table.select(index_fields), dtypes),
            arrow_to_frame(table.select(data_fields), dtypes),
        )

    def read_plain(self, path: str, columns: list[Any] | None) -> pd.DataFrame:
        frame = self.read_table(path, columns).to_pandas()
        return frame if columns is None else select_columns(frame, columns)


def _write_parquet(table: pa.Table, path: str) -> None:
    """Lists keep Arrow's child name (``item``), so an Arrow table comes back equal."""
    import pyarrow.parquet as pq

    pq.write_table(table, path, use_compliant_nested_type=False)


def _read_parquet(path: str, columns: list[str] | None) -> pa.Table:
    """With a column list, the index columns pandas' metadata names come too, as in pandas.

    A whole file is read as one ``ParquetFile``, all its row groups at once: faster than
    ``pq.read_table`` (which goes through datasets, and refuses a table whose fields share a
    name), at a peak of more memory, up to the file's size. So a file larger than
    :data:`_WHOLE_FILE_MAX` goes through datasets (1e7 rows of 10 floats: 30-40 MB above the
    level before the read at the peak, against 170 MB), and only falls back when they refuse it.
    """
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    if columns is not None:
        return pq.read_table(path, columns=columns, use_pandas_metadata=True)
    if os.path.getsize(path) > _WHOLE_FILE_MAX:
        try:
            return pq.read_table(path, use_pandas_metadata=True)
        except pa.ArrowInvalid:  # fields sharing a name; anything else ParquetFile says again
            pass
    with pq.ParquetFile(path) as file:
        return file.read(use_pandas_metadata=True)


#: Bytes of parquet read as one whole file (see ``_read_parquet``).
_WHOLE_FILE_MAX = 32 << 20


def _write_feather(table: pa.Table, path: str) -> None:
    import pyarrow.feather as feather

    feather.write_feather(table, path)


def _read_feather(path: str, columns: list[str] | None) -> pa.Table:
    import pyarrow.feather as feather

    return feather.read_table(path, columns=columns)


#: ORC has no unsigned integers: the next wider signed type holds every value (not uint64's).
_ORC_SIGNED = {pa.uint8(): pa.int16(), pa.uint16(): pa.int32(), pa.uint32(): pa.int64()}


def _write_orc(table: pa.Table, path: str) -> None:
    """ORC has no dictionaries, durations, unsigned or null types, nor timestamps beyond the
    nanoseconds' range: what holds the values goes instead (values, counts, wider integers).
    """
    import pyarrow.orc as orc

    for position, arrow_field in enumerate(table.schema):
        column, arrow_type = table.column(position), arrow_field.type
        if pa.types.is_dictionary(arrow_type):
            arrow_type = arrow_type.value_type
        if pa.types.is_null(arrow_type):
            arrow_type = pa.string()
        elif pa.types.is_duration(arrow_type) or (
            pa.types.is_timestamp(arrow_type) and arrow_type.unit != "ns"
        ):
            arrow_type = pa.int64()
        arrow_type = _ORC_SIGNED.get(arrow_type, arrow_type)
        if arrow_type != arrow_field.type:
            table = table.set_column(position, arrow_field.name, column.cast(arrow_type))
    orc.write_table(table, path)


def _read_orc(path: str, columns: list[str] | None) -> pa.Table:
    """The columns in the order asked for (ORC's reader keeps the file's order)."""
    import pyarrow.orc as orc

    table = orc.read_table(path, columns=columns)
    return table if columns is None else table.select(columns)


PARQUET = ArrowFormat(
    name="parquet",
    suffixes=(".parquet", ".pq"),
    aliases=("pq",),
    write_table=_write_parquet,
    read_table=_read_parquet,
    categories="strings",
)

FEATHER = ArrowFormat(
    name="feather",
    suffixes=(".feather", ".arrow"),
    aliases=("arrow", "ipc"),
    write_table=_write_feather,
    read_table=_read_feather,
    categories="all",
)

ORC = ArrowFormat(
    name="orc",
    suffixes=(".orc",),
    write_table=_write_orc,
    read_table=_read_orc,
    library="pyarrow.orc",
    install="pip install --force-reinstall pyarrow (its PyPI wheels include orc)",
)
