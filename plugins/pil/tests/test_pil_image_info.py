"""PilImagePackager keeps an image's info: dpi, ICC profile, EXIF, PNG text, palettes."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image

from packagers import PackagersManager
from packagers_pil import PilImagePackager

from .image_samples import noise, pack_file, same_pixels, smooth


@pytest.mark.parametrize(
    ("format", "tolerance"),
    [("png", 0.02), ("tiff", 0.0), ("jpeg", 0.5)],  # PNG stores whole dots per metre
)
def test_dpi_is_kept_where_the_format_has_it(format: str, tolerance: float) -> None:
    image = smooth("RGB")
    image.info["dpi"] = (300.0, 150.0)
    restored, _ = pack_file(image, format=format)
    assert restored.info["dpi"] == pytest.approx((300.0, 150.0), abs=tolerance)


@pytest.mark.parametrize("format", ["png", "tiff", "jpeg", "webp"])
def test_icc_profile_is_kept(format: str) -> None:
    from PIL import ImageCms

    image = smooth("RGB")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.info["icc_profile"] = profile
    restored, _ = pack_file(image, format=format)
    assert restored.info["icc_profile"] == profile


@pytest.mark.parametrize("format", ["png", "jpeg", "webp"])
def test_exif_is_kept(format: str) -> None:
    image = smooth("RGB")
    exif = Image.Exif()
    exif[0x010E] = "a test image"  # ImageDescription
    image.info["exif"] = exif.tobytes()
    restored, _ = pack_file(image, format=format)
    assert restored.getexif()[0x010E] == "a test image"


def test_png_keeps_text_and_palette_transparency() -> None:
    image = noise("P")
    image.info.update({"transparency": 5, "Description": "ten frames", "compression": "raw"})
    restored, _ = pack_file(image)
    assert restored.info["transparency"] == 5
    assert restored.info["Description"] == "ten frames"
    assert "compression" not in restored.info  # a TIFF codec name, not text about the image


def short_palette(entries: int, pixels: bytes, transparency: Any = None) -> Image.Image:
    image = Image.frombytes("P", (len(pixels), 1), pixels)
    image.putpalette(bytes(range(3 * entries)))
    if transparency is not None:
        image.info["transparency"] = transparency
    return image


@pytest.mark.parametrize("format", ["png", "tiff"])
@pytest.mark.parametrize(
    "image",
    [
        short_palette(2, bytes([0, 1, 3])),
        short_palette(16, bytes([0, 200, 3, 255])),
        short_palette(3, bytes([0, 1, 2]), transparency=5),
        short_palette(3, bytes([0, 1, 2]), transparency=b"\x00\x80\x10\xff"),
        short_palette(3, bytes([0, 1, 2]), transparency=b"\xff\x00"),
        short_palette(1, bytes([0])),
    ],
    ids=[
        "index-past-2",
        "index-past-16",
        "transparency-past",
        "alphas-past",
        "one-transparent",
        "one-entry",
    ],
)
def test_palettes_come_back_as_they_were(image: Image.Image, format: str) -> None:
    """Indices and a transparency past the palette's end, and its size (TIFF pads to 256)."""
    palette, pixels = image.getpalette(), image.tobytes()
    restored, package = pack_file(image, format=format)
    same_pixels(image, restored)
    assert restored.info.get("transparency") == image.info.get("transparency")
    assert (image.getpalette(), image.tobytes()) == (palette, pixels)  # the caller's image
    assert package.manifest["instructions"]["palette"] == len(palette) // 3


@pytest.mark.parametrize("format", ["png", "tiff"])
def test_rgba_palettes_keep_their_alphas(format: str) -> None:
    image = Image.frombytes("P", (3, 1), bytes([0, 1, 5]))
    image.putpalette(bytes([10, 20, 30, 128, 40, 50, 60, 255, 70, 80, 90, 0]), "RGBA")
    restored, _ = pack_file(image, format=format)
    assert restored.palette.mode == "RGBA"
    assert restored.getpalette("RGBA") == image.getpalette("RGBA")
    assert restored.tobytes() == image.tobytes()
    assert "transparency" not in restored.info


def test_a_padded_palette_makes_a_valid_png() -> None:
    """Plain readers see every index in the file's palette (black past the image's own)."""
    image = short_palette(2, bytes([0, 1, 3]), transparency=4)
    with PackagersManager([PilImagePackager]) as manager:
        package = manager.pack(image, "img")
        assert package.artifact is not None and package.artifact.src_path is not None
        plain = Image.open(package.artifact.src_path)
        plain.load()
    assert plain.tobytes() == bytes([0, 1, 3])
    assert plain.getpalette() == [0, 1, 2, 3, 4, 5] + [0] * 9
    assert plain.info["transparency"] == 4
