"""The file formats, each written once and shared by the DataFrame, Series and Table packagers.

Three families, one interface (``write`` a flat frame, ``read`` flat fields back, ``read_plain``
a file we did not write):

- :class:`ArrowFormat` (parquet, feather, orc): the flat frame goes through one
  ``pa.Table.from_pandas`` and the format's own Arrow writer; reading converts back with
  pyarrow, per column only where the recorded dtype needs it.
- :class:`CellFormat` (csv, xlsx, h5, xml): columns the format cannot hold exactly are written as
  text by the codec in ``_dtypes``; a *missing marker* that no value of the frame uses tells a
  missing value from an empty string.
- :class:`JsonFormat`: ``{"columns": [...], "data": [[...], ...]}`` (pandas' ``split`` orient),
  numbers as JSON numbers, the rest as text.

This module imports pyarrow, and pandas only where a frame is written or read, so the Table
packager uses the same rows without importing pandas.
"""

from __future__ import annotations

import itertools
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

from packagers import PackingError, UnpackingError
from packagers.formats import Format, FormatRegistry

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: The fields of a written file as the manifest lists them: ``[{"name": ..., "type": ...}]``.
Schema = list[dict[str, str]]

__all__ = [
    "ARROW_FORMATS",
    "FORMATS",
    "ArrowFormat",
    "CellFormat",
    "FrameFormat",
    "JsonFormat",
]


@dataclass(frozen=True, kw_only=True)
class FrameFormat(Format, ABC):
    """A frame format: how it writes and reads (name, suffixes and library are a Format's)."""

    family: ClassVar[str] = ""

    def holds_categories(self, dtype: pd.CategoricalDtype) -> bool:
        """Whether the file itself keeps a categorical's categories and their order."""
        return False

    @abstractmethod
    def write(self, flat: pd.DataFrame, path: str) -> tuple[Schema, dict[str, Any]]:
        """Write the flat frame; its schema for the manifest and what ``read`` needs back."""

    @abstractmethod
    def read(
        self,
        path: str,
        index_fields: list[str],
        data_fields: list[str],
        layout: dict[str, Any],
        options: dict[str, Any],
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The index fields and the data fields of a file we wrote, decoded to their dtypes.

        Two frames, so that the data never has to be split (copied) from the index afterwards.
        """

    @abstractmethod
    def read_plain(self, path: str, columns: list[Any] | None) -> pd.DataFrame:
        """A file we did not write, as the format's pandas reader gives it."""


# -- Arrow formats ---------------------------------------------------------------------------------


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
        from packagers_pandas._dtypes import check_objects

        table = pa.Table.from_pandas(flat, preserve_index=False)
        check_objects(flat, table)
        self.write_table(table, path)
        return _listed(table.schema), {}

    def read(
        self,
        path: str,
        index_fields: list[str],
        data_fields: list[str],
        layout: dict[str, Any],
        options: dict[str, Any],
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        import pandas as pd

        from packagers_pandas._dtypes import arrow_to_frame

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
        return frame if columns is None else _select(frame, columns)


def _write_parquet(table: pa.Table, path: str) -> None:
    """Lists keep Arrow's child name (``item``), so an Arrow table comes back equal."""
    import pyarrow.parquet as pq

    pq.write_table(table, path, use_compliant_nested_type=False)


def _read_parquet(path: str, columns: list[str] | None) -> pa.Table:
    """With a column list, the index columns pandas' metadata names come too, as in pandas.

    The whole file is read as one file: ``pq.read_table`` goes through datasets, which refuse a
    table whose fields share a name.
    """
    import pyarrow.parquet as pq

    if columns is None:
        with pq.ParquetFile(path) as file:
            return file.read(use_pandas_metadata=True)
    return pq.read_table(path, columns=columns, use_pandas_metadata=True)


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


# -- cell formats ----------------------------------------------------------------------------------

_MISSING_MARKERS = ("", "\\N")


def _numbers(series: pd.Series) -> bool:
    from packagers_pandas._dtypes import kind_of

    return kind_of(series.dtype) in ("bool", "int", "float")


def _excel_numbers(series: pd.Series) -> bool:
    """Whether openpyxl writes every number exactly: it writes 16 significant digits (a float
    may need 17, an integer beyond 2**53 more); such columns are written as text instead.
    """
    import numpy as np

    from packagers_pandas._dtypes import kind_of

    kind = kind_of(series.dtype)
    if kind == "bool" or (kind in ("int", "float") and not len(series)):
        return True
    if kind == "int":
        return int(series.min()) >= -(2**53) and int(series.max()) <= 2**53
    if kind == "float":
        values = series.to_numpy()
        finite = values[np.isfinite(values)]
        return bool((np.char.mod("%.16g", finite).astype(values.dtype) == finite).all())
    return False


def _nothing(series: pd.Series) -> bool:
    return False


@dataclass(frozen=True, kw_only=True)
class CellFormat(FrameFormat):
    """A format pandas writes cell by cell; text carries what its cells cannot."""

    write_frame: Callable[[pd.DataFrame, str, str], None]
    #: The cells of the fields at these written positions, as raw values (text or typed cells).
    read_frame: Callable[[str, list[int]], pd.DataFrame]
    plain_reader: Callable[[str], pd.DataFrame]
    #: Columns written as they are; all others are written as text.
    native: Callable[[pd.Series], bool] = _nothing

    family: ClassVar[str] = "cells"

    def write(self, flat: pd.DataFrame, path: str) -> tuple[Schema, dict[str, Any]]:
        import pandas as pd

        from packagers_pandas._dtypes import to_text

        rows = pd.RangeIndex(len(flat))
        cells: dict[str, Any] = {}
        texts: list[np.ndarray] = []
        for position, name in enumerate(flat.columns):
            series = flat.iloc[:, position]
            if self.native(series):
                cells[name] = series.to_numpy()
            else:
                text = to_text(series, name)
                texts.append(text)
                cells[name] = pd.Series(text, index=rows, dtype=object, copy=False)
        marker = _free_marker(texts)
        self.write_frame(pd.DataFrame(cells, index=rows, copy=False), path, marker)
        return _schema(flat), {"missing_marker": marker}

    def read(
        self,
        path: str,
        index_fields: list[str],
        data_fields: list[str],
        layout: dict[str, Any],
        options: dict[str, Any],
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        import numpy as np
        import pandas as pd

        from packagers_pandas._dtypes import from_text

        dtypes, rows = layout["dtypes"], layout["rows"]
        marker = options.get("missing_marker", "")
        fields = index_fields + data_fields
        if rows == 0 or not fields:  # nothing to read; some formats cannot even store it
            cells = {name: np.empty(0, dtype=object) for name in fields}
        else:
            written = {name: position for position, name in enumerate(dtypes)}
            raw = self.read_frame(path, [written[name] for name in fields])
            if len(raw) < rows:  # a spreadsheet drops trailing rows of empty cells
                raw = raw.reindex(pd.RangeIndex(rows), fill_value="")
            cells = {name: raw.iloc[:, i].to_numpy() for i, name in enumerate(fields)}
        decoded = {name: from_text(cells[name], dtypes[name], marker) for name in fields}
        return _split(decoded, index_fields, data_fields, rows)

    def read_plain(self, path: str, columns: list[Any] | None) -> pd.DataFrame:
        frame = self.plain_reader(path)
        return frame if columns is None else _select(frame, columns)


def _free_marker(texts: list[np.ndarray]) -> str:
    """The first missing marker that no text value of the frame is equal to."""
    candidates: Iterator[str] = itertools.chain(
        _MISSING_MARKERS, (f"\\N{number}" for number in itertools.count(1))
    )
    for candidate in candidates:
        if not any((text == candidate).any() for text in texts if len(text)):
            return candidate
    raise AssertionError("unreachable: the candidates never end")


def _write_csv(frame: pd.DataFrame, path: str, marker: str) -> None:
    """Lines end in CRLF (RFC 4180): the writer quotes only text holding a character of the line
    ending, and a lone ``\r`` left unquoted would end a row when read.
    """
    frame.to_csv(path, index=False, na_rep=marker, lineterminator="\r\n")


def _read_csv(path: str, positions: list[int]) -> pd.DataFrame:
    """Only the columns asked for are parsed; pandas gives them in file order."""
    import pandas as pd

    frame = pd.read_csv(
        path,
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        usecols=positions,
    )
    in_file_order = sorted(positions)
    return frame.iloc[:, [in_file_order.index(position) for position in positions]]


def _read_csv_plain(path: str) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(path)


#: The most characters an xlsx cell holds: openpyxl cuts longer text.
_XLSX_MAX_CHARS = 32767


def _write_xlsx(frame: pd.DataFrame, path: str, marker: str) -> None:
    """Text stays text: openpyxl takes a text starting with ``=`` for a formula (a spreadsheet
    would run it, and it reads back empty) and ``#N/A`` and the like for errors, so those cells
    are marked as text once pandas has written them.
    """
    import numpy as np
    import pandas as pd
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.xml import LXML

    def not_text(values: pd.Series) -> np.ndarray:
        text = values.str
        found: np.ndarray = ((text.len() > 1) & text.startswith("=", na=False)) | values.isin(
            ERROR_CODES
        )
        return found

    header = pd.Series(frame.columns, dtype=object)
    cells = [(0, int(position)) for position in np.flatnonzero(not_text(header))]
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if _numbers(values):
            continue
        if (values.str.len() > _XLSX_MAX_CHARS).any():
            raise PackingError(
                f"column {column!r} has text longer than {_XLSX_MAX_CHARS} characters, which an "
                "xlsx cell cannot hold; use format='parquet'"
            )
        if not LXML and values.str.contains("\r", regex=False, na=False).any():
            # without lxml, openpyxl writes "\r" raw and every reader turns it into "\n"
            raise PackingError(
                f"column {column!r} has text with carriage returns, which xlsx keeps only when "
                "openpyxl writes through lxml: pip install lxml (or packagers-pandas[xlsx]), "
                "or use format='parquet'"
            )
        cells.extend((int(row) + 1, position) for row in np.flatnonzero(not_text(values)))
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, na_rep=marker)
        sheet = next(iter(writer.sheets.values()))
        for row, position in cells:
            sheet.cell(row + 1, position + 1).data_type = "s"


def _read_xlsx(path: str, positions: list[int]) -> pd.DataFrame:
    """The cells below the header; trailing columns of empty cells (an empty header included),
    which the sheet does not keep, come back empty.
    """
    import pandas as pd

    cells = pd.read_excel(path, header=None, dtype=object, na_filter=False, engine="openpyxl")
    width = max(len(cells.columns), max(positions, default=-1) + 1)
    cells = cells.reindex(columns=pd.RangeIndex(width), fill_value="")
    return cells.iloc[1:, positions].reset_index(drop=True)


def _read_xlsx_plain(path: str) -> pd.DataFrame:
    import pandas as pd

    return pd.read_excel(path, engine="openpyxl")


def _write_h5(frame: pd.DataFrame, path: str, marker: str) -> None:
    """The ``table`` layout stores text without pickling; it cannot store zero rows."""
    for column in frame.select_dtypes(include="object").columns:
        if frame[column].str.endswith("\x00", na=False).any():
            raise PackingError(
                f"column {column!r} has text ending in NUL characters, which HDF5 strings drop; "
                "use the 'parquet' format"
            )
    layout = "table" if len(frame) and frame.shape[1] else "fixed"
    options = {"nan_rep": marker, "encoding": "utf-8"} if layout == "table" else {}
    frame.to_hdf(path, key="data", mode="w", format=layout, **options)


def _read_h5(path: str, positions: list[int]) -> pd.DataFrame:
    frame = _read_hdf(path, "data")
    return frame.iloc[:, positions]


def _read_h5_plain(path: str) -> pd.DataFrame:
    return _read_hdf(path, None)


def _read_hdf(path: str, key: str | None) -> Any:
    """``pd.read_hdf`` (whatever the file holds) under the pickle policy.

    PyTables unpickles every node attribute that looks pickled and the object columns of the
    ``fixed`` layout, and cannot be told not to: its ``pickle`` is replaced by the core's stand-in,
    which loads pickles of plain data (pandas' own metadata) and applies the policy to any that
    would import something, before it is unpickled.
    """
    import pandas as pd
    import tables.atom
    import tables.attributeset

    from packagers.plugin_api import PICKLE_STAND_IN, guarded_unpickling

    tables.attributeset.pickle = tables.atom.pickle = PICKLE_STAND_IN
    with guarded_unpickling(f"the HDF5 file {path!r}"):
        return pd.read_hdf(path, key)


_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


def _write_xml(frame: pd.DataFrame, path: str, marker: str) -> None:
    """Element names are the fields when they are valid XML names, else ``c0``, ``c1``, ..."""
    names = [str(name) for name in frame.columns]
    if not all(_XML_NAME.match(name) and not name.lower().startswith("xml") for name in names):
        frame = frame.set_axis([f"c{i}" for i in range(frame.shape[1])], axis=1)
    frame.to_xml(path, index=False, na_rep=marker, root_name="data", row_name="row", parser="lxml")


def _read_xml(path: str, positions: list[int]) -> pd.DataFrame:
    """Each element's text as it is (an empty element is an empty string): pandas' reader would
    take texts such as ``nan`` or ``None`` for missing values. Entities are not resolved.
    """
    import pandas as pd
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    rows = [list(row) for row in etree.parse(path, parser).getroot()]
    return pd.DataFrame(
        {i: [row[position].text or "" for row in rows] for i, position in enumerate(positions)},
        dtype=object,
    )


def _read_xml_plain(path: str) -> pd.DataFrame:
    import pandas as pd

    return pd.read_xml(path, parser="lxml")


# -- JSON ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JsonFormat(FrameFormat):
    """pandas' ``split`` layout without the index (``pd.read_json(path, orient="split")``)."""

    family: ClassVar[str] = "json"

    def write(self, flat: pd.DataFrame, path: str) -> tuple[Schema, dict[str, Any]]:
        from packagers_pandas._dtypes import to_json

        columns = [to_json(flat.iloc[:, i], name) for i, name in enumerate(flat.columns)]
        document = {"columns": list(flat.columns), "data": list(zip(*columns, strict=True))}
        with open(path, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=False, allow_nan=False)
        return _schema(flat), {}

    def read(
        self,
        path: str,
        index_fields: list[str],
        data_fields: list[str],
        layout: dict[str, Any],
        options: dict[str, Any],
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        from packagers_pandas._dtypes import from_json

        with open(path, encoding="utf-8") as stream:
            document = json.load(stream)
        written = {name: position for position, name in enumerate(document["columns"])}
        data = document["data"]
        decoded = {
            name: from_json([row[written[name]] for row in data], layout["dtypes"][name])
            for name in index_fields + data_fields
        }
        return _split(decoded, index_fields, data_fields, layout["rows"])

    def read_plain(self, path: str, columns: list[Any] | None) -> pd.DataFrame:
        import pandas as pd

        lines = path.endswith((".jsonl", ".ndjson"))
        frame = pd.read_json(path, lines=lines)
        return frame if columns is None else _select(frame, columns)


# -- the registry ----------------------------------------------------------------------------------

FORMATS: FormatRegistry[FrameFormat] = FormatRegistry(
    "pandas",
    (
        ArrowFormat(
            name="parquet",
            suffixes=(".parquet", ".pq"),
            aliases=("pq",),
            write_table=_write_parquet,
            read_table=_read_parquet,
            categories="strings",
        ),
        ArrowFormat(
            name="feather",
            suffixes=(".feather", ".arrow"),
            aliases=("arrow", "ipc"),
            write_table=_write_feather,
            read_table=_read_feather,
            categories="all",
        ),
        ArrowFormat(
            name="orc",
            suffixes=(".orc",),
            write_table=_write_orc,
            read_table=_read_orc,
            library="pyarrow.orc",
            install="pip install --force-reinstall pyarrow (its PyPI wheels include orc)",
        ),
        CellFormat(
            name="csv",
            suffixes=(".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz", ".csv.zst"),
            write_frame=_write_csv,
            read_frame=_read_csv,
            plain_reader=_read_csv_plain,
        ),
        JsonFormat(name="json", suffixes=(".json", ".jsonl", ".ndjson")),
        CellFormat(
            name="xlsx",
            suffixes=(".xlsx", ".xlsm"),
            aliases=("excel",),
            library="openpyxl",
            install="pip install openpyxl (or pip install 'packagers-pandas[xlsx]')",
            write_frame=_write_xlsx,
            read_frame=_read_xlsx,
            plain_reader=_read_xlsx_plain,
            native=_excel_numbers,
        ),
        CellFormat(
            name="h5",
            suffixes=(".h5", ".hdf5", ".hdf"),
            aliases=("hdf5", "hdf"),
            library="tables",
            install="pip install tables (or pip install 'packagers-pandas[h5]')",
            write_frame=_write_h5,
            read_frame=_read_h5,
            plain_reader=_read_h5_plain,
            native=_numbers,
        ),
        CellFormat(
            name="xml",
            suffixes=(".xml",),
            library="lxml",
            install="pip install lxml (or pip install 'packagers-pandas[xml]')",
            write_frame=_write_xml,
            read_frame=_read_xml,
            plain_reader=_read_xml_plain,
        ),
    ),
)

#: The formats a pyarrow.Table is read from (it is packed as parquet or feather).
ARROW_FORMATS: FormatRegistry[FrameFormat] = FormatRegistry(
    "Arrow table", (row for row in FORMATS.values() if row.family == "arrow")
)


def _split(
    decoded: dict[str, Any], index_fields: list[str], data_fields: list[str], rows: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from packagers_pandas._dtypes import frame_of

    return (
        frame_of({name: decoded[name] for name in index_fields}, rows),
        frame_of({name: decoded[name] for name in data_fields}, rows),
    )


def _listed(schema: pa.Schema) -> Schema:
    return [{"name": field.name, "type": str(field.type)} for field in schema]


def _schema(flat: pd.DataFrame) -> Schema:
    """The Arrow schema of a frame no Arrow table was built for (Arrow's inference scans object
    columns; a column Arrow cannot type shows its pandas dtype).
    """
    try:
        return _listed(pa.Schema.from_pandas(flat, preserve_index=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return [
            {"name": name, "type": str(dtype)}
            for name, dtype in zip(flat.columns, flat.dtypes, strict=True)
        ]


def _select(frame: pd.DataFrame, columns: list[Any]) -> pd.DataFrame:
    if list(frame.columns) == columns:
        return frame
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise UnpackingError(
            f"Columns: there is no column {', '.join(map(repr, missing))}; the columns are: "
            f"{', '.join(map(repr, frame.columns))}"
        )
    return frame[columns]
