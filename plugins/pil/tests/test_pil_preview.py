"""Image previews: a PNG thumbnail of at most 256 px, the size and mode of the image itself."""

from __future__ import annotations

import base64
import io
import json
import random

import pytest
from PIL import Image

from packagers import PackagersManager
from packagers.previews import MAX_BYTES, THUMBNAIL_SIZE
from packagers_pil import PilImagePackager


def preview_of(image: Image.Image, hint: str = "image") -> dict:
    with PackagersManager([PilImagePackager]) as manager:
        preview = manager.pack(image, hint).preview
    assert preview is not None
    assert len(json.dumps(preview, allow_nan=False)) <= MAX_BYTES
    return preview


def thumbnail(preview: dict) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(preview["png"])), formats=["PNG"])


def test_a_large_image_gets_a_thumbnail_and_its_own_size() -> None:
    image = Image.new("RGB", (1000, 400), "red")
    preview = preview_of(image, 'image : file[format="jpeg"]')
    assert preview["kind"] == "image" and preview["schema"] == 1
    assert (preview["width"], preview["height"], preview["mode"]) == (1000, 400, "RGB")
    assert preview["format"] == "jpeg"
    small = thumbnail(preview)
    assert small.size == (THUMBNAIL_SIZE, 102)
    assert small.getpixel((10, 10)) == (255, 0, 0)
    assert image.size == (1000, 400) and not hasattr(image, "encoderinfo")  # untouched


def test_a_plot_preview_names_png() -> None:
    assert preview_of(Image.new("L", (10, 10)), "image : plot")["format"] == "png"


def test_a_noisy_image_too_large_as_png_is_shown_smaller() -> None:
    noise = random.Random(0).randbytes(600 * 600 * 4)
    preview = preview_of(Image.frombytes("RGBA", (600, 600), noise))
    assert thumbnail(preview).size == (THUMBNAIL_SIZE // 2, THUMBNAIL_SIZE // 2)


@pytest.mark.parametrize(
    ("mode", "shown"),
    [("I;16", "L"), ("F", "L"), ("1", "L"), ("P", "RGB"), ("CMYK", "RGB"), ("LA", "LA")],
)
def test_every_mode_is_shown_in_a_png_mode(mode: str, shown: str) -> None:
    preview = preview_of(Image.new(mode, (300, 30)))
    assert preview["mode"] == mode
    assert thumbnail(preview).mode == shown


def test_a_wide_gray_image_is_stretched_to_eight_bits() -> None:
    image = Image.frombytes("I;16", (2, 1), (1000).to_bytes(2, "little") * 2)
    image.putpixel((0, 0), 0)
    small = thumbnail(preview_of(image))
    assert [small.getpixel((0, 0)), small.getpixel((1, 0))] == [0, 255]
