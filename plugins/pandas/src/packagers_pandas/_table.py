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
    UnknownFormatError,
)
from packagers_pandas._columns import requested_columns
from packagers_pandas._packing import PREVIEW_MAX_COLUMNS, PREVIEW_ROWS

if TYPE_CHECKING:
    from collections.abc import Callable

    import pyarrow as pa

    from packagers import DataItem
    from packagers_pandas._arrow_formats import ArrowFormat

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
            head = obj.slice(0, PREVIEW_ROWS)
            columns = [_preview(column) for column in head.columns]
            spec["preview"] = [
                {name: values[row] for name, values in zip(head.column_names, columns, strict=True)}
                for row in range(head.num_rows)
            ]
        artifact = DatasetArtifact(key, path, format=row.name, **spec)
        return artifact, _instructions(obj, row.name, path)

    def pack_file(
        self, obj: pa.Table, key: str, format: str = "parquet"
    ) -> tuple[Artifact, dict[str, Any]]:
        path, row = self._write(obj, key, format)
        return Artifact(key, path, format=row.name), _instructions(obj, row.name, path)

    def unpack_dataset(
        self,
        data_item: DataItem,
        format: str | None = None,
        types: dict[str, Any] | None = None,
    ) -> pa.Table:
        from packagers_pandas._arrow_formats import ArrowFormat
        from packagers_pandas._formats import ARROW_FORMATS

        if format is None:
            row = ARROW_FORMATS.for_suffix(data_item.suffix)
        else:
            row = ARROW_FORMATS.get(format)
        assert isinstance(row, ArrowFormat)
        wanted = requested_columns(data_item)  # Arrow names are strings
        columns = None if wanted is None else [str(name) for name in wanted]
        table = row.read_table(data_item.local(), columns)
        return table if types is None else _restore_types(table, types, whole=columns is None)

    unpack_file = unpack_dataset

    def _write(self, obj: pa.Table, key: str, format: str) -> tuple[str, ArrowFormat]:
        from packagers_pandas._arrow_formats import ArrowFormat
        from packagers_pandas._formats import ARROW_FORMATS

        try:
            row: Any = ARROW_FORMATS.get(format, key=key)
        except UnknownFormatError:
            row = None
        if not isinstance(row, ArrowFormat) or row.name not in _PACKED_FORMATS:
            raise PackingError(
                f"{key!r}: a pyarrow.Table packs as {' or '.join(_PACKED_FORMATS)}, not "
                f"{format!r} (orc would lose types and the schema metadata; for the other "
                "formats, pack table.to_pandas())"
            )
        if row.name == "parquet" and obj.num_rows and not obj.num_columns:
            raise PackingError(
                f"{key!r}: a parquet file of no columns holds no rows, so this table of "
                f"{obj.num_rows} rows would come back empty; use format='feather'"
            )
        if row.name == "parquet" and any(_holds(f.type, _null_dictionary) for f in obj.schema):
            raise PackingError(
                f"{key!r}: parquet cannot hold a dictionary of nulls (Arrow writes none, or reads "
                "it back as nulls); use format='feather'"
            )
        path = self.temp_path(key, row.suffix)
        row.write_table(obj, path)
        return path, row


def _instructions(table: pa.Table, name: str, path: str) -> dict[str, Any]:
    """The format, and for parquet the fields whose type the file does not keep.

    Parquet has no timestamps in seconds (Arrow writes milliseconds) and reads some dictionaries
    back with other value types (``large_string`` as ``string``); those fields, as the file's
    own schema shows them (its footer only is read), are recorded with their types and metadata
    to be cast back.
    """
    instructions: dict[str, Any] = {"format": name}
    if name == "parquet":
        import base64

        import pyarrow as pa
        import pyarrow.parquet as pq

        written = pq.read_schema(path)
        positions = [
            position
            for position, (field, stored) in enumerate(zip(table.schema, written, strict=True))
            if field.type != stored.type
        ]
        if positions:
            changed = pa.schema([table.schema.field(position) for position in positions])
            serialized = base64.b64encode(changed.serialize().to_pybytes()).decode("ascii")
            instructions["types"] = {"schema": serialized, "positions": positions}
    return instructions


def _holds(arrow_type: pa.DataType, matches: Callable[[pa.DataType], bool]) -> bool:
    """Whether ``arrow_type`` or a type nested in it (a list's, a struct's...) ``matches``."""
    import pyarrow as pa

    if matches(arrow_type):
        return True
    if pa.types.is_dictionary(arrow_type):
        return _holds(arrow_type.value_type, matches)
    children = range(arrow_type.num_fields)
    return any(_holds(arrow_type.field(index).type, matches) for index in children)


def _null_dictionary(arrow_type: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_dictionary(arrow_type) and pa.types.is_null(arrow_type.value_type))


def _restore_types(table: pa.Table, types: dict[str, Any], whole: bool) -> pa.Table:
    """The recorded fields cast back to their own types (exact: the values came from them).

    A whole table has every field where it was written; of some columns, a field is found by
    its name (a name fields share finds none: Arrow cannot select those apart).
    """
    import base64

    import pyarrow as pa

    schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(types["schema"])))
    for field, position in zip(schema, types["positions"], strict=True):
        index = position if whole else table.schema.get_field_index(field.name)
        if index >= 0:
            table = table.set_column(index, field, table.column(index).cast(field.type))
    return table


def _preview(column: pa.ChunkedArray) -> list[Any]:
    """A column's first values as JSON; values Python has no object for (timestamps past year
    9999) are shown as Arrow writes them, and a preview never stops the packing.
    """
    import pyarrow as pa

    try:
        return [_json_safe(value) for value in column.to_pylist()]
    except (OverflowError, ValueError):
        try:
            return column.cast(pa.string()).to_pylist()  # type: ignore[no-any-return]
        except pa.ArrowException:
            return [None] * len(column)


def _json_safe(value: Any) -> Any:
    """A preview value as standard JSON, as the DataFrame preview shows it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value if isinstance(value, _JSON_SCALARS) else str(value)
