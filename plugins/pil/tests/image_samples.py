"""PilImagePackager test helpers: sample images (noise, gradients), exact comparison, a packer."""

from __future__ import annotations

import random
from array import array
from typing import Any

from PIL import Image

import packagers
from packagers import LogHint, PackagersManager
from packagers.testing import round_trip
from packagers_pil import PilImagePackager

SIZE = (13, 7)
ALL_MODES = ["1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I", "F", "CMYK", "LAB"]


def noise(mode: str, size: tuple[int, int] = SIZE, seed: int = 0) -> Image.Image:
    """Random pixels: any change a lossless format made would show."""
    rng = random.Random(f"{mode}-{seed}")
    if mode == "F":
        values = array("f", (rng.uniform(-1e6, 1e6) for _ in range(size[0] * size[1])))
        return Image.frombytes("F", size, values.tobytes())
    length = len(Image.new(mode, size).tobytes())
    image = Image.frombytes(mode, size, rng.randbytes(length))
    if mode == "P":
        image.putpalette(rng.randbytes(768))
    return image


def smooth(mode: str, size: tuple[int, int] = (64, 48)) -> Image.Image:
    """Gradients, which lossy codecs keep close (noise they would not)."""
    ramps = [
        Image.linear_gradient("L").resize(size),
        Image.linear_gradient("L").rotate(90).resize(size),
        Image.radial_gradient("L").resize(size),
        Image.new("L", size, 200),
    ]
    return Image.merge(mode, ramps[: len(mode)])


def same_pixels(original: Image.Image, restored: Image.Image) -> None:
    assert isinstance(restored, Image.Image)
    assert (restored.mode, restored.size) == (original.mode, original.size)
    assert restored.tobytes() == original.tobytes()
    if original.mode == "P":
        assert restored.getpalette() == original.getpalette()


def pack_file(image: Image.Image, **kwargs: Any) -> tuple[Image.Image, packagers.Package]:
    with PackagersManager([PilImagePackager]) as manager:
        restored, package = round_trip(
            manager, image, LogHint("img", "file", packing_kwargs=kwargs), Image.Image
        )
        restored.tobytes()  # the image must outlive the manager's temporary files
    return restored, package
