"""The pyarrow Table packager: Arrow in, Arrow out, never through pandas."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from packagers import (
    Artifact,
    ArtifactType,
    DatasetArtifact,
    DefaultPackager,
    PackingError,
    UnpackingError,
)
from packagers_pandas._columns import requested_columns
from packagers_pandas._packing import PREVIEW_MAX_COLUMNS, PREVIEW_ROWS

if TYPE_CHECKING:
    import pyarrow as pa

    from packagers import DataItem
    from packagers_pandas._formats import ArrowFormat

__all__ = ["ArrowTablePackager"]

#: Formats that keep every Arrow type and the schema metadata (orc keeps neither: read-only).
_PACKED_FORMATS = ("parquet", "feather")
_JSON_SCALARS = (str, int, float, bool, type(None))


class ArrowTablePackager(DefaultPackager):
    """Packs ``pyarrow.Table`` as parquet (default) or feather, schema metadata included.

    ``Annotated[pa.Table, Columns("a")]`` reads only those columns; plain parquet, feather and
    orc files unpack by their suffix.
    """

    PACKABLE_OBJECT_TYPE = "pyarrow.Table"
    DEFAULT_PACKING_ARTIFACT_TYPE = ArtifactType.DATASET
    RESULTS = False  # a result is a JSON value
    DEFAULT_UNPACKING_ARTIFACT_TYPE = ArtifactType.DATASET

    def pack_dataset(
        self, obj: pa.Table, key: str, format: str = "parquet"
    ) -> tuple[DatasetArtifact, dict[str, Any]]:
        path, row = self._write(obj, key, format)
        spec: dict[str, Any] = {
            "rows": obj.num_rows,
            "columns": obj.num_columns,
            "schema": [{"name": field.name, "type": str(field.type)} for field in obj.schema],
        }
        if obj.num_columns <= PREVIEW_MAX_COLUMNS:
            spec["preview"] = [
                {name: _json_safe(value) for name, value in record.items()}
                for record in obj.slice(0, PREVIEW_ROWS).to_pylist()
            ]
        return DatasetArtifact(key, path, format=row.name, **spec), {"format": row.name}

    def pack_file(
        self, obj: pa.Table, key: str, format: str = "parquet"
    ) -> tuple[Artifact, dict[str, Any]]:
        path, row = self._write(obj, key, format)
        return Artifact(key, path, format=row.name), {"format": row.name}

    def unpack_dataset(self, data_item: DataItem, format: str | None = None) -> pa.Table:
        from packagers_pandas._formats import ArrowFormat, format_for_suffix, get_format

        if format is None:
            row = format_for_suffix(data_item.suffix, family="arrow")
        else:
            row = get_format(format, UnpackingError, family="arrow")
        assert isinstance(row, ArrowFormat)
        wanted = requested_columns(data_item)  # Arrow names are strings
        columns = None if wanted is None else [str(name) for name in wanted]
        return row.read_table(data_item.local(), columns)

    unpack_file = unpack_dataset

    def _write(self, obj: pa.Table, key: str, format: str) -> tuple[str, ArrowFormat]:
        from packagers_pandas._formats import ArrowFormat, get_format

        try:
            row: Any = get_format(format)
        except PackingError:
            row = None
        if not isinstance(row, ArrowFormat) or row.name not in _PACKED_FORMATS:
            raise PackingError(
                f"{key!r}: a pyarrow.Table packs as {' or '.join(_PACKED_FORMATS)}, not "
                f"{format!r} (orc would lose types and the schema metadata; for the other "
                "formats, pack table.to_pandas())"
            )
        path = self.temp_path(key, row.suffix)
        row.write_table(obj, path)
        return path, row


def _json_safe(value: Any) -> Any:
    """A preview value as standard JSON, as the DataFrame preview shows it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value if isinstance(value, _JSON_SCALARS) else str(value)
