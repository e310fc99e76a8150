"""DataFramePackager manifests: shape, Arrow schema and a JSON-safe preview."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from .frame_samples import pack


def test_dataset_manifest_records_shape_schema_and_preview() -> None:
    frame = pd.DataFrame(
        {
            "x": np.arange(8, dtype="int64"),
            "when": pd.date_range("2020", periods=8, tz="UTC").as_unit("ns"),
        },
        index=pd.Index(list("abcdefgh"), name="key"),
    )
    _, package = pack(frame)
    spec = package.manifest["spec"]
    json.dumps(spec, allow_nan=False)
    assert spec["rows"] == 8 and spec["columns"] == 2 and spec["index"] == ["key"]
    key, *columns = spec["schema"]
    # Arrow's type for text: pandas 3's `str` dtype is large_string, pandas 2's object string.
    assert key in ({"name": "key", "type": "large_string"}, {"name": "key", "type": "string"})
    assert columns == [
        {"name": "x", "type": "int64"},
        {"name": "when", "type": "timestamp[ns, tz=UTC]"},
    ]
    assert spec["preview"][:2] == [
        {"key": "a", "x": 0, "when": "2020-01-01 00:00:00+00:00"},
        {"key": "b", "x": 1, "when": "2020-01-02 00:00:00+00:00"},
    ]
    assert len(spec["preview"]) == 5


def test_preview_only_for_narrow_frames_and_json_safe() -> None:
    wide = pd.DataFrame(np.zeros((3, 21)))
    narrow = pd.DataFrame({"f": [np.nan, np.inf], "p": pd.period_range("2020", periods=2)})
    assert "preview" not in pack(wide)[1].manifest["spec"]
    preview = pack(narrow)[1].manifest["spec"]["preview"]
    json.dumps(preview, allow_nan=False)
    assert preview == [{"f": None, "p": "2020-01-01"}, {"f": "Infinity", "p": "2020-01-02"}]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_text_formats_record_the_arrow_schema_too(fmt: str) -> None:
    frame = pd.DataFrame({"a": [1, 2], "o": pd.Series([1, "x"], dtype=object)})
    if fmt == "csv":
        frame = frame[["a"]]
    schema = pack(frame, fmt)[1].manifest["spec"]["schema"]
    assert schema[0] == {"name": "a", "type": "int64"}
    if fmt == "json":  # Arrow cannot type a mixed column: its pandas dtype is shown
        assert schema[1] == {"name": "o", "type": "object"}
