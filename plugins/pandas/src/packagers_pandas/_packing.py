"""The flow a DataFrame and a Series share: format, flat file, manifest and instructions; and back.

Importing this module does not import pandas or pyarrow: the methods import what they use.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from packagers import (
    Artifact,
    ArtifactType,
    DatasetArtifact,
    DefaultPackager,
    PackingError,
)
from packagers.formats import is_pickle
from packagers_pandas._columns import requested_columns

if TYPE_CHECKING:
    import pandas as pd

    from packagers import DataItem

__all__ = ["PREVIEW_MAX_COLUMNS", "PREVIEW_ROWS", "PandasPackager"]

#: A dataset's manifest previews its first rows when it has at most this many columns.
PREVIEW_MAX_COLUMNS = 20
PREVIEW_ROWS = 5


class PandasPackager(DefaultPackager):
    """Packs a pandas object into a file of one of the ``FORMATS`` (parquet by default).

    ``dataset`` and ``file`` write the same file; a dataset's manifest also records the row and
    column counts, the Arrow schema and a preview. The unpacking instructions hold the layout that
    rebuilds what the format does not keep (index, labels, dtypes), so every format round-trips
    exactly. Plain files (not packed by us) unpack by their suffix.
    """

    DEFAULT_PACKING_ARTIFACT_TYPE = ArtifactType.DATASET
    DEFAULT_UNPACKING_ARTIFACT_TYPE = ArtifactType.DATASET
    RESULTS = False  # a result is a JSON value

    def get_default_unpacking_artifact_type(self, data_item: DataItem) -> str:
        if is_pickle(data_item.suffix):
            return ArtifactType.OBJECT
        return ArtifactType.DATASET

    def pack_dataset(
        self, obj: Any, key: str, format: str = "parquet"
    ) -> tuple[DatasetArtifact, dict[str, Any]]:
        path, name, spec, instructions = self._write(obj, key, format)
        return DatasetArtifact(key, path, format=name, **spec), instructions

    def pack_file(
        self, obj: Any, key: str, format: str = "parquet"
    ) -> tuple[Artifact, dict[str, Any]]:
        path, name, spec, instructions = self._write(obj, key, format)
        artifact = Artifact(key, path, format=name, rows=spec["rows"], columns=spec["columns"])
        return artifact, instructions

    def unpack_dataset(
        self,
        data_item: DataItem,
        format: str | None = None,
        layout: dict[str, Any] | None = None,
        options: dict[str, Any] | None = None,
    ) -> Any:
        from packagers_pandas._formats import FORMATS
        from packagers_pandas._restore import rebuild, select_fields

        wanted = self._wanted_columns(data_item)
        row = FORMATS.for_suffix(data_item.suffix) if format is None else FORMATS.get(format)
        if layout is None:
            plain = row.read_plain(data_item.local(), None if wanted is None else list(wanted))
            return self._from_plain(plain, data_item)
        positions = select_fields(layout, wanted)
        index_fields = layout["index"].get("fields", [])
        data_fields = [layout["fields"][position] for position in positions]
        index_frame, data = row.read(
            data_item.local(), index_fields, data_fields, layout, options or {}
        )
        return rebuild(data, index_frame, layout, positions)

    unpack_file = unpack_dataset

    def preview(self, obj: Any, artifact_type: str) -> dict[str, Any] | None:
        from packagers_pandas._preview import table_preview

        return table_preview(obj)

    def unpack_object(self, data_item: DataItem, **instructions: Any) -> Any:
        obj = super().unpack_object(data_item, **instructions)
        wanted = self._wanted_columns(data_item)
        return obj if wanted is None else obj[list(wanted)]

    # -- what DataFrame and Series do differently --------------------------------------------------

    def _wanted_columns(self, data_item: DataItem) -> tuple[Hashable, ...] | None:
        return requested_columns(data_item)

    def _from_plain(self, frame: pd.DataFrame, data_item: DataItem) -> Any:
        return frame

    # -- writing -----------------------------------------------------------------------------------

    def _write(
        self, obj: Any, key: str, format: str
    ) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
        """Write ``obj``: the path, the format, the manifest spec and the instructions."""
        from packagers_pandas._formats import FORMATS
        from packagers_pandas._restore import flatten

        row = FORMATS.get(format, key=key)
        try:
            flat, layout = flatten(obj, row.holds_categories)
            path = self.temp_path(key, row.suffix)
            schema, options = row.write(flat, path)
        except PackingError as error:
            raise PackingError(f"{key!r} as {row.name}: {error}") from error
        except Exception as error:  # every writer's own error, with a way out
            way_out = "use the 'parquet' format" if row.name != "parquet" else "convert it"
            raise PackingError(
                f"{key!r} cannot be written as {row.name}: {type(error).__name__}: {error}; "
                f"{way_out}, or pack the object as a pickle (artifact type 'object')"
            ) from error
        instructions: dict[str, Any] = {"format": row.name, "layout": layout}
        if options:
            instructions["options"] = options
        return path, row.name, _manifest_spec(flat, layout, schema), instructions


def _manifest_spec(
    flat: pd.DataFrame, layout: dict[str, Any], schema: list[dict[str, str]]
) -> dict[str, Any]:
    """What is cheap to know: the shape, the Arrow schema, and the first rows of a narrow frame."""
    spec: dict[str, Any] = {
        "rows": layout["rows"],
        "columns": len(layout["fields"]),
        "index": layout["index"].get("fields", []),
        "schema": schema,
    }
    if spec["columns"] <= PREVIEW_MAX_COLUMNS:
        spec["preview"] = _preview(flat.head(PREVIEW_ROWS))
    return spec


def _preview(head: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as JSON records; values no codec carries are shown as text."""
    from packagers_pandas._codecs import to_json

    columns = []
    for position, name in enumerate(head.columns):
        series = head.iloc[:, position]
        try:
            columns.append(to_json(series, name))
        except PackingError:
            columns.append([str(value) for value in series.tolist()])
    return [dict(zip(head.columns, row, strict=True)) for row in zip(*columns, strict=True)]
