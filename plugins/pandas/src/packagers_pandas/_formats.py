"""The file formats, each written once and shared by the DataFrame, Series and Table packagers.

Three families, one interface (``write`` a flat frame, ``read`` flat fields back, ``read_plain``
a file we did not write):

- Arrow formats (parquet, feather, orc), in ``_arrow_formats``;
- cell formats (csv, xlsx, h5, xml), in ``_cell_formats``;
- JSON, in ``_json_format``.

The interface is ``_frame_format.FrameFormat``; this module is the registry of them all.

These modules import pyarrow, and pandas only where a frame is written or read, so the Table
packager uses the same rows without importing pandas.
"""

from __future__ import annotations

from packagers.formats import FormatRegistry
from packagers_pandas._arrow_formats import FEATHER, ORC, PARQUET
from packagers_pandas._cell_formats import CSV, H5, XLSX, XML
from packagers_pandas._frame_format import FrameFormat
from packagers_pandas._json_format import JSON

__all__ = ["ARROW_FORMATS", "FORMATS"]

FORMATS: FormatRegistry[FrameFormat] = FormatRegistry(
    "pandas", (PARQUET, FEATHER, ORC, CSV, JSON, XLSX, H5, XML)
)

#: The formats a pyarrow.Table is read from (it is packed as parquet or feather).
ARROW_FORMATS: FormatRegistry[FrameFormat] = FormatRegistry(
    "Arrow table", (row for row in FORMATS.values() if row.family == "arrow")
)
