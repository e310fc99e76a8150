"""PilImagePackager's packing kwargs: quality and compression, aliases, and bad kwargs refused."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image

from packagers import LogHint, PackagersManager, PackingError
from packagers_pil import FORMATS, PilImagePackager

from .image_samples import noise, pack_file, same_pixels, smooth


def test_packing_kwargs_of_the_file_type_are_discoverable() -> None:
    assert PilImagePackager.packing_kwargs("file") == dict.fromkeys(
        ["format", "quality", "lossless", "compression", "compress_level"]
    )


def _packed_size(image: Image.Image, **kwargs: Any) -> int:
    with PackagersManager([PilImagePackager]) as manager:
        return int(manager.pack(image, LogHint("img", packing_kwargs=kwargs)).manifest["size"])


def test_quality_trades_size_for_fidelity() -> None:
    image = smooth("RGB", (128, 128))
    for format in ("jpeg", "webp"):
        assert _packed_size(image, format=format, quality=5) < _packed_size(
            image, format=format, quality=95
        )


@pytest.mark.parametrize("compression", ["raw", "tiff_lzw", "tiff_adobe_deflate", "packbits"])
def test_every_tiff_compression_is_lossless(compression: str) -> None:
    original = noise("F")
    restored, _ = pack_file(original, format="tiff", compression=compression)
    same_pixels(original, restored)


def test_compression_and_compress_level_shrink_flat_images() -> None:
    flat = Image.new("RGB", (64, 64), "navy")
    assert _packed_size(flat, format="tiff", compression="tiff_lzw") < _packed_size(
        flat, format="tiff", compression="raw"
    )
    image = smooth("RGB", (128, 128))
    assert _packed_size(image, compress_level=9) < _packed_size(image, compress_level=0)


@pytest.mark.parametrize(
    ("kwargs", "accepted"),
    [
        ({"format": "png", "quality": 90}, "compress_level"),
        ({"format": "jpeg", "lossless": True}, "quality"),
        ({"format": "tiff", "quality": 90}, "compression"),
        ({"format": "webp", "compression": "raw"}, "quality, lossless"),
    ],
)
def test_a_kwarg_the_format_does_not_take_lists_the_accepted_ones(
    kwargs: dict[str, Any], accepted: str
) -> None:
    with pytest.raises(PackingError, match=f"does not take .*accepts: {accepted}"):
        pack_file(noise("RGB"), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "accepts"),
    [
        ({"format": "jpeg", "quality": 101}, "an int from 0 to 100"),
        ({"format": "webp", "quality": "high"}, "an int from 0 to 100"),
        ({"format": "webp", "lossless": "yes"}, "True or False"),
        ({"format": "tiff", "compression": "jpeg"}, "'raw', 'tiff_lzw'"),
        ({"compress_level": 10}, "0 .fastest. to 9"),
    ],
)
def test_bad_kwarg_values_say_what_is_accepted(kwargs: dict[str, Any], accepts: str) -> None:
    with pytest.raises(PackingError, match=accepts):
        pack_file(noise("RGB"), **kwargs)


def test_unknown_kwargs_and_formats_are_refused() -> None:
    with pytest.raises(PackingError, match=r"unknown packing kwarg.*'dither'"):
        pack_file(noise("RGB"), dither=True)
    with pytest.raises(PackingError, match=r"unknown format 'bmp'.*png, tiff, jpeg, webp"):
        pack_file(noise("RGB"), format="bmp")


@pytest.mark.parametrize(("alias", "name"), [("jpg", "jpeg"), ("TIF", "tiff"), ("PNG", "png")])
def test_format_aliases(alias: str, name: str) -> None:
    _, package = pack_file(smooth("RGB"), format=alias)
    assert package.manifest["format"] == name
    assert package.artifact is not None and package.artifact.src_path is not None
    assert package.artifact.src_path.endswith(FORMATS[name].suffix)
