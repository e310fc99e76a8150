"""Previews as the UI shows them: read as JSON beside the manifest, checked, never unpickled.

A packager stored the preview when it packed the artifact (``artifacts/<project>/<key>/previews/
<version>.json``, ``{"schema": 1, "kind": ...}``). The UI reads only that JSON, so it needs neither
pandas, numpy nor PIL, and an artifact whose preview is missing, of a newer schema or of an unknown
kind simply shows its manifest.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from packagers.store.errors import StoreError

if TYPE_CHECKING:
    from packagers.store import Store

__all__ = ["KINDS", "load_preview", "preview_png"]

KINDS = frozenset({"table", "image", "array", "json", "text"})
_SCHEMA = 1
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The drawing box of an array's histogram, in SVG units.
_BARS_WIDTH, _BARS_HEIGHT = 240, 60


def _read(store: Store, uri: str) -> dict[str, Any] | None:
    try:
        preview = store.read_preview(uri)
    except StoreError:  # a damaged preview file is no reason to fail the page
        return None
    if (
        not isinstance(preview, dict)
        or preview.get("schema") != _SCHEMA
        or preview.get("kind") not in KINDS
    ):
        return None
    return preview


def load_preview(store: Store, uri: str) -> dict[str, Any] | None:
    """The preview of the version ``uri`` names, ready for a page and for JSON, or None.

    An image's PNG is not inlined (the page's policy forbids ``data:`` images): it gets the URL
    that serves it. An array's histogram gets the bars to draw.
    """
    preview = _read(store, uri)
    if preview is None:
        return None
    shown = dict(preview)
    if shown["kind"] == "image":
        shown.pop("png", None)
        shown["image_url"] = f"/preview.png?uri={quote(uri, safe='')}"
    if shown["kind"] == "array":
        shown["bars"] = _bars(shown.get("histogram"))
    return shown


def preview_png(store: Store, uri: str) -> bytes | None:
    """The thumbnail of an image preview, when it is one and really is a PNG."""
    preview = _read(store, uri)
    if preview is None or preview["kind"] != "image" or not isinstance(preview.get("png"), str):
        return None
    try:
        data = base64.b64decode(preview["png"], validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if data.startswith(_PNG_SIGNATURE) else None


def _bars(histogram: Any) -> list[dict[str, float]]:
    """SVG rectangles for a histogram's counts, scaled to the drawing box."""
    counts = histogram.get("counts") if isinstance(histogram, dict) else None
    if not isinstance(counts, list) or not counts:
        return []
    numbers = [count if isinstance(count, (int, float)) else 0 for count in counts]
    top = max(numbers) or 1
    width = _BARS_WIDTH / len(numbers)
    bars = []
    for position, count in enumerate(numbers):
        height = _BARS_HEIGHT * count / top
        bars.append(
            {
                "x": round(position * width, 2),
                "y": round(_BARS_HEIGHT - height, 2),
                "width": round(max(width - 1, 0.5), 2),
                "height": round(height, 2),
                "count": count,
            }
        )
    return bars
