"""Image previews: a PNG thumbnail small enough to sit in the preview's JSON."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any, cast

from packagers.previews import MAX_BYTES, THUMBNAIL_SIZE

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["image_preview"]

#: Modes a thumbnail keeps; any other is shown as 8-bit gray or RGB(A).
_SHOWN_MODES = frozenset({"L", "LA", "RGB", "RGBA"})
#: Modes whose values may exceed 8 bits: stretched to 0-255 so they show as more than white.
_WIDE_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
#: Base64 PNG bytes a thumbnail may take, leaving room for the rest of the preview.
_PNG_BUDGET = MAX_BYTES * 3 // 4


def image_preview(image: Image.Image) -> dict[str, Any] | None:
    """An ``image`` preview: the thumbnail (longest side at most ``THUMBNAIL_SIZE`` px), the size
    and mode of the image itself. A noisy thumbnail too large as PNG is tried at half the size;
    an empty image has no preview.
    """
    if not (image.width and image.height):
        return None
    for side in (THUMBNAIL_SIZE, THUMBNAIL_SIZE // 2):
        png = base64.b64encode(_png(_thumbnail(image, side))).decode("ascii")
        if len(png) <= _PNG_BUDGET:
            return {
                "kind": "image",
                "png": png,
                "width": image.width,
                "height": image.height,
                "mode": image.mode,
            }
    return None


def _thumbnail(image: Image.Image, side: int) -> Image.Image:
    """A new, displayable image at most ``side`` px each way; ``image`` itself is never changed."""
    from PIL import Image

    scale = side / max(image.width, image.height)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        small = image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    else:
        small = image.copy()
    if small.mode in _SHOWN_MODES:
        return small
    if small.mode in _WIDE_MODES:
        return _stretched(small)
    if small.mode == "1":
        return small.convert("L")
    has_alpha = "A" in small.mode or "transparency" in small.info
    return small.convert("RGBA" if has_alpha else "RGB")


def _stretched(image: Image.Image) -> Image.Image:
    """Gray levels of a 16-bit, 32-bit or float image spread over 0-255."""
    floats = image.convert("F")
    low, high = cast("tuple[float, float]", floats.getextrema())  # one band: two numbers
    span = (high - low) or 1.0
    return floats.point(lambda value: (value - low) * 255.0 / span).convert("L")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
