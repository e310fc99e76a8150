"""The JSON format: ``{"columns": [...], "data": [[...], ...]}`` (pandas' ``split`` orient
without the index), numbers as JSON numbers, the rest as text by the codec in ``_codecs``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from packagers_pandas._frame_format import (
    FrameFormat,
    Schema,
    schema_of,
    select_columns,
    split_fields,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["JSON", "JsonFormat"]


@dataclass(frozen=True)
class JsonFormat(FrameFormat):
    """pandas' ``split`` layout without the index (``pd.read_json(path, orient="split")``)."""

    family: ClassVar[str] = "json"

    def write(self, flat: pd.DataFrame, path: str) -> tuple[Schema, dict[str, Any]]:
        from packagers_pandas._codecs import to_json

        columns = [to_json(flat.iloc[:, i], name) for i, name in enumerate(flat.columns)]
        document = {"columns": list(flat.columns), "data": list(zip(*columns, strict=True))}
        with open(path, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=False, allow_nan=False)
        return schema_of(flat), {}

    def read(
        self,
        path: str,
        index_fields: list[str],
        data_fields: list[str],
        layout: dict[str, Any],
        options: dict[str, Any],
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        from packagers_pandas._codecs import from_json

        with open(path, encoding="utf-8") as stream:
            document = json.load(stream)
        written = {name: position for position, name in enumerate(document["columns"])}
        data = document["data"]
        decoded = {
            name: from_json([row[written[name]] for row in data], layout["dtypes"][name])
            for name in index_fields + data_fields
        }
        return split_fields(decoded, index_fields, data_fields, layout["rows"])

    def read_plain(self, path: str, columns: list[Any] | None) -> pd.DataFrame:
        import pandas as pd

        lines = path.endswith((".jsonl", ".ndjson"))
        frame = pd.read_json(path, lines=lines)
        return frame if columns is None else select_columns(frame, columns)


JSON = JsonFormat(name="json", suffixes=(".json", ".jsonl", ".ndjson"))
