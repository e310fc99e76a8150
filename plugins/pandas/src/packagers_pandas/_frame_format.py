"""What every frame format is: the interface the DataFrame, Series and Table packagers write and
read through, and the steps the formats share (the schema a manifest lists, a column selection).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

from packagers import UnpackingError
from packagers.formats import Format

if TYPE_CHECKING:
    import pandas as pd

#: The fields of a written file as the manifest lists them: ``[{"name": ..., "type": ...}]``.
Schema = list[dict[str, str]]

__all__ = [
    "FrameFormat",
    "Schema",
    "frame_of",
    "listed",
    "schema_of",
    "select_columns",
    "split_fields",
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


def split_fields(
    decoded: dict[str, Any], index_fields: list[str], data_fields: list[str], rows: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The decoded index fields and data fields as two frames of ``rows`` rows."""
    return (
        frame_of({name: decoded[name] for name in index_fields}, rows),
        frame_of({name: decoded[name] for name in data_fields}, rows),
    )


def frame_of(columns: dict[str, Any], rows: int) -> pd.DataFrame:
    """A frame of decoded columns, as they are: no copy, no consolidation, no dtype inference."""
    import numpy as np
    import pandas as pd

    index = pd.RangeIndex(rows)
    return pd.DataFrame(
        {
            name: pd.Series(values, index=index, dtype=object, copy=False)
            if getattr(values, "dtype", None) == np.dtype(object)
            else values
            for name, values in columns.items()
        },
        index=index,
        copy=False,
    )


def listed(schema: pa.Schema) -> Schema:
    """An Arrow schema as the manifest lists it."""
    return [{"name": field.name, "type": str(field.type)} for field in schema]


def schema_of(flat: pd.DataFrame) -> Schema:
    """The Arrow schema of a frame no Arrow table was built for (Arrow's inference scans object
    columns; a column Arrow cannot type shows its pandas dtype).
    """
    try:
        return listed(pa.Schema.from_pandas(flat, preserve_index=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return [
            {"name": name, "type": str(dtype)}
            for name, dtype in zip(flat.columns, flat.dtypes, strict=True)
        ]


def select_columns(frame: pd.DataFrame, columns: list[Any]) -> pd.DataFrame:
    """The ``columns`` of a file we did not write, in that order; a missing one is named."""
    if list(frame.columns) == columns:
        return frame
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise UnpackingError(
            f"Columns: there is no column {', '.join(map(repr, missing))}; the columns are: "
            f"{', '.join(map(repr, frame.columns))}"
        )
    return frame[columns]
