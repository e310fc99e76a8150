"""The cell formats (csv, xlsx, h5, xml), which pandas writes cell by cell: columns the format
cannot hold exactly are written as text by the codec in ``_codecs``, and a *missing marker* that
no value of the frame uses tells a missing value from an empty string.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from packagers import PackingError
from packagers_pandas._frame_format import (
    FrameFormat,
    Schema,
    schema_of,
    select_columns,
    split_fields,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["CSV", "H5", "XLSX", "XML", "CellFormat"]


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

        from packagers_pandas._codecs import to_text

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
        return schema_of(flat), {"missing_marker": marker}

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

        from packagers_pandas._codecs import from_text

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
        return split_fields(decoded, index_fields, data_fields, rows)

    def read_plain(self, path: str, columns: list[Any] | None) -> pd.DataFrame:
        frame = self.plain_reader(path)
        return frame if columns is None else select_columns(frame, columns)


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


CSV = CellFormat(
    name="csv",
    suffixes=(".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz", ".csv.zst"),
    write_frame=_write_csv,
    read_frame=_read_csv,
    plain_reader=_read_csv_plain,
)

XLSX = CellFormat(
    name="xlsx",
    suffixes=(".xlsx", ".xlsm"),
    aliases=("excel",),
    library="openpyxl",
    install="pip install openpyxl (or pip install 'packagers-pandas[xlsx]')",
    write_frame=_write_xlsx,
    read_frame=_read_xlsx,
    plain_reader=_read_xlsx_plain,
    native=_excel_numbers,
)

H5 = CellFormat(
    name="h5",
    suffixes=(".h5", ".hdf5", ".hdf"),
    aliases=("hdf5", "hdf"),
    library="tables",
    install="pip install tables (or pip install 'packagers-pandas[h5]')",
    write_frame=_write_h5,
    read_frame=_read_h5,
    plain_reader=_read_h5_plain,
    native=_numbers,
)

XML = CellFormat(
    name="xml",
    suffixes=(".xml",),
    library="lxml",
    install="pip install lxml (or pip install 'packagers-pandas[xml]')",
    write_frame=_write_xml,
    read_frame=_read_xml,
    plain_reader=_read_xml_plain,
)
