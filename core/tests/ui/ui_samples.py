"""The functions the UI tests run, and hand-made preview files in the store layout.

Previews are normally written by the packagers when they pack; these tests write them by hand,
next to artifacts logged for real, so the UI is tested apart from any plugin's preview code.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import zlib
from typing import Any

from packagers import DataItem

HOSTILE = "<script>window.hostile = 1</script><b>bold?</b>"


def make_raw(rows: int = 4) -> bytes:
    lines = ["x,y"] + [f"{i},{i * i}" for i in range(rows)]
    return "\n".join(lines).encode()


def clean(raw: DataItem) -> tuple[int, bytes]:
    with raw.open() as stream:
        data = stream.read()
    return data.count(b"\n"), data


def train(data: DataItem, lr: float = 0.01, note: str = "") -> tuple[float, bytes]:
    return round(1 - lr, 4), f"weights lr={lr}".encode()


def plot(data: DataItem) -> bytes:
    return tiny_png(12, 8)


def fit(data: DataItem) -> tuple[dict[str, float], float, bytes]:
    """A model, its score and its fit curve: the model's manifest links the other two."""
    return {"slope": 2.0}, 0.875, tiny_png(6, 4)


def fail(data: DataItem) -> int:
    raise ValueError("the data is not what this step expected")


def tiny_png(width: int, height: int) -> bytes:
    """A real RGB PNG (a gradient), built with zlib alone: no imaging library needed."""

    def chunk(tag: bytes, payload: bytes) -> bytes:
        body = tag + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 20 % 256, y * 30 % 256, 160)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def write_preview(store_root: str, uri: str, preview: dict[str, Any]) -> None:
    """A preview file where the contract puts it: artifacts/<project>/<key>/previews/<v>.json."""
    project, _, rest = uri.removeprefix("store://").partition("/")
    key, _, version = rest.partition("@")
    directory = os.path.join(store_root, "artifacts", project, key, "previews")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, f"{version}.json"), "w") as stream:
        json.dump({"schema": 1, **preview}, stream)


def table_preview(rows: int) -> dict[str, Any]:
    return {
        "kind": "table",
        "shape": [rows, 2],
        "columns": ["x", "y"],
        "dtypes": {"x": "int64", "y": "int64"},
        "rows": [[i, i * i] for i in range(rows)],
        "index": list(range(rows)),
        "stats": {"x": {"mean": (rows - 1) / 2, "min": 0, "max": rows - 1}},
        "truncated": False,
    }


def image_preview() -> dict[str, Any]:
    return {
        "kind": "image",
        "png": base64.b64encode(tiny_png(12, 8)).decode(),
        "width": 12,
        "height": 8,
        "mode": "RGB",
        "format": "PNG",
    }


def array_preview(lr: float) -> dict[str, Any]:
    return {
        "kind": "array",
        "shape": [4],
        "dtype": "float64",
        "min": 0.0,
        "max": lr * 3,
        "mean": lr * 1.5,
        "nan_count": 0,
        "first": [0.0, lr, lr * 2, lr * 3],
        "histogram": {"edges": [0, lr, lr * 2, lr * 3], "counts": [1, 2, 1]},
    }
