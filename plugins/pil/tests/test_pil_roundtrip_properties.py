"""Property-based round trips: random images of every mode through every format.

The README's mode table is the promise: the same pixels (and palette) back where it says so,
the same mode and size from lossy formats, and a ``PackingError`` naming the formats that fit
where a format cannot hold the mode. Examples are deterministic and few by default;
``PACKAGERS_HYPOTHESIS=fuzz`` runs many more (see the repository's conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from packagers import LogHint, PackagersManager, PackingError
from packagers.testing import round_trip
from packagers_pil import PilImagePackager

#: Modes the README's table lists, and the formats that keep them exactly (✓) or closely (≈).
EXACT = {
    "png": {"1", "L", "LA", "P", "RGB", "RGBA", "I;16"},
    "tiff": {"1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I", "F", "CMYK", "LAB"},
    "webp-lossless": {"L", "LA", "RGB", "RGBA"},
}
CLOSE = {"jpeg": {"L", "RGB", "CMYK"}, "webp": {"L", "LA", "RGB", "RGBA"}}
MODES = sorted(EXACT["tiff"])
#: Packing kwargs of each row of the table.
KWARGS: dict[str, dict[str, Any]] = {
    "png": {"format": "png"},
    "tiff": {"format": "tiff"},
    "webp-lossless": {"format": "webp", "lossless": True},
    "jpeg": {"format": "jpeg"},
    "webp": {"format": "webp"},
}


@st.composite
def images(draw: st.DrawFn, modes: list[str] = MODES) -> Image.Image:
    """Random pixels of ``mode``; palette images with an RGB or RGBA palette of any size and,
    maybe, a transparency (an index or alphas), both of which may reach past the palette's end."""
    mode = draw(st.sampled_from(modes))
    size = (draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    length = len(Image.new(mode, size).tobytes())
    image = Image.frombytes(mode, size, draw(st.binary(min_size=length, max_size=length)))
    if mode == "P":
        entries = draw(st.integers(1, 256))
        rawmode = draw(st.sampled_from(["RGB", "RGBA"]))
        width = len(rawmode) * entries
        image.putpalette(draw(st.binary(min_size=width, max_size=width)), rawmode)
        transparency = draw(st.none() | st.integers(0, 255) | st.binary(min_size=1, max_size=256))
        if transparency is not None:
            image.info["transparency"] = transparency
    return image


def same_image(original: Image.Image, restored: Image.Image) -> None:
    assert (restored.mode, restored.size) == (original.mode, original.size)
    assert restored.tobytes() == original.tobytes()
    if original.mode == "P":
        assert restored.palette.mode == original.palette.mode
        assert restored.getpalette(original.palette.mode) == original.getpalette(
            original.palette.mode
        )
        assert restored.info.get("transparency") == original.info.get("transparency")


def pack(manager: PackagersManager, image: Image.Image, row: str) -> Image.Image:
    hint = LogHint("img", "file", packing_kwargs=KWARGS[row])
    restored, _ = round_trip(manager, image, hint, Image.Image)
    return restored  # type: ignore[no-any-return]


@pytest.fixture
def manager() -> Any:
    with PackagersManager([PilImagePackager]) as packagers:
        yield packagers


@given(image=images())
@pytest.mark.parametrize("row", list(EXACT))
def test_lossless_formats_keep_every_pixel_or_refuse_the_mode(
    manager: PackagersManager, row: str, image: Image.Image
) -> None:
    before, palette, info = image.tobytes(), image.getpalette(), dict(image.info)
    if image.mode not in EXACT[row]:
        with pytest.raises(PackingError, match="formats that"):
            pack(manager, image, row)
        return
    same_image(image, pack(manager, image, row))
    assert (image.tobytes(), image.getpalette(), image.info) == (before, palette, info)


@given(image=images())
@pytest.mark.parametrize("row", list(CLOSE))
def test_lossy_formats_keep_mode_and_size_or_refuse_the_mode(
    manager: PackagersManager, row: str, image: Image.Image
) -> None:
    if image.mode not in CLOSE[row]:
        with pytest.raises(PackingError, match="formats that|cannot hold"):
            pack(manager, image, row)
        return
    restored = pack(manager, image, row)
    assert (restored.mode, restored.size) == (image.mode, image.size)


@given(image=images())
def test_the_default_format_is_lossless_for_every_mode(
    manager: PackagersManager, image: Image.Image
) -> None:
    restored, package = round_trip(manager, image, LogHint("img"), Image.Image)
    assert package.manifest["format"] == ("png" if image.mode in EXACT["png"] else "tiff")
    same_image(image, restored)


@given(image=images())
def test_plots_are_pngs_of_every_mode_never_unpacked(
    manager: PackagersManager, image: Image.Image
) -> None:
    package = manager.pack(image, LogHint("img", "plot"))
    assert package.manifest["format"] == "png"
    assert package.manifest["spec"] == {"width": image.width, "height": image.height}
    assert package.artifact is not None and package.artifact.src_path is not None
    with Image.open(package.artifact.src_path) as shown:
        assert shown.size == image.size
