"""PilImagePackager round trips: every mode x format, exact where lossless, close where lossy."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageStat

from packagers.testing import PackagerConformance
from packagers_pil import FORMATS, PilImagePackager

from .image_samples import ALL_MODES, SIZE, noise, pack_file, same_pixels, smooth

#: (format, modes it must round-trip exactly); lossless WebP is checked on its own.
LOSSLESS = [
    ("png", ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"]),
    ("tiff", ["1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I", "F", "CMYK", "LAB"]),
]
LOSSY = [("jpeg", ["L", "RGB", "CMYK"]), ("webp", ["L", "LA", "RGB", "RGBA"])]


def close_pixels(original: Image.Image, restored: Image.Image, tolerance: float = 8.0) -> None:
    assert (restored.mode, restored.size) == (original.mode, original.size)
    difference = ImageStat.Stat(ImageChops.difference(original, restored)).mean
    assert max(difference) < tolerance, difference


def opened_png(image: Image.Image) -> Image.Image:
    """``image`` as ``Image.open`` returns it: a lazily loaded ``PngImageFile``."""
    stream = io.BytesIO()
    image.save(stream, "PNG")
    return Image.open(stream)


class TestPilImageConformance(PackagerConformance):
    packager_class = PilImagePackager

    def samples(self) -> list[Image.Image]:
        transparent = noise("P")
        transparent.info["transparency"] = 3
        return [*(noise(mode) for mode in ALL_MODES), transparent, opened_png(noise("RGBA"))]

    def assert_same(self, original: Any, restored: Any) -> None:
        same_pixels(original, restored)


@pytest.mark.parametrize(
    ("format", "mode"), [(fmt, mode) for fmt, modes in LOSSLESS for mode in modes]
)
def test_lossless_formats_keep_every_pixel(format: str, mode: str) -> None:
    original = noise(mode)
    restored, package = pack_file(original, format=format)
    same_pixels(original, restored)
    assert package.manifest["format"] == format
    palette = {"palette": 256} if mode == "P" else {}  # TIFF writes 256 entries, whatever
    assert package.manifest["instructions"] == {"format": format, "mode": mode, **palette}
    assert package.manifest["spec"] == {"mode": mode, "width": SIZE[0], "height": SIZE[1]}


@pytest.mark.parametrize("mode", ALL_MODES)
def test_default_format_is_png_or_tiff_where_png_cannot_hold_the_mode(mode: str) -> None:
    original = noise(mode)
    restored, package = pack_file(original)
    same_pixels(original, restored)
    expected = "png" if mode in FORMATS["png"].modes else "tiff"
    assert package.manifest["format"] == expected
    assert package.artifact is not None and package.artifact.src_path is not None


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA"])
def test_lossless_webp_keeps_every_pixel_even_under_transparency(mode: str) -> None:
    original = noise(mode)
    if "A" in mode:  # fully transparent pixels keep their colour (WebP's ``exact``)
        original.putalpha(Image.new("L", SIZE, 0))
    restored, _ = pack_file(original, format="webp", lossless=True)
    same_pixels(original, restored)


@pytest.mark.parametrize(
    ("format", "mode"), [(fmt, mode) for fmt, modes in LOSSY for mode in modes]
)
def test_lossy_formats_keep_mode_and_size_and_close_pixels(format: str, mode: str) -> None:
    original = smooth(mode)
    restored, _ = pack_file(original, format=format, quality=90)
    close_pixels(original, restored)


def test_images_opened_from_files_are_packed_as_subclasses() -> None:
    with opened_png(noise("RGB")) as source:
        assert type(source) is not Image.Image
        restored, package = pack_file(source)
        assert package.manifest["object_type"] == "PIL.PngImagePlugin.PngImageFile"
        same_pixels(source, restored)


def test_a_jpeg_compressed_tiff_is_repacked_losslessly(tmp_path: Path) -> None:
    path = tmp_path / "photo.tiff"
    smooth("RGB").save(path, compression="jpeg")
    with Image.open(path) as source:
        restored, _ = pack_file(source, format="tiff")
        same_pixels(source, restored)
