"""The caller's image is never changed; the unpacked one is loaded and detached from its file."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from PIL import Image

import packagers
from packagers import DataItem, PackagersManager, PackingError
from packagers_pil import PilImagePackager

from .image_samples import noise, pack_file, same_pixels


@pytest.mark.parametrize(
    "hint",
    ["img", 'img : file[format="tiff"]', 'img : file[format="jpeg", quality=50]', "img : plot"],
)
@pytest.mark.parametrize("mode", ["RGB", "P", "F"])
def test_the_callers_image_is_never_changed(hint: str, mode: str) -> None:
    image = noise(mode)
    image.info.update({"dpi": (72, 72), "Description": "mine"})
    before = (dict(vars(image)), dict(image.info), image.tobytes(), image.getpalette())
    # jpeg refuses P and F: a refusal must not touch the image either
    with PackagersManager([PilImagePackager]) as manager, contextlib.suppress(PackingError):
        manager.pack(image, hint)
    assert (dict(vars(image)), dict(image.info), image.tobytes(), image.getpalette()) == before
    assert not hasattr(image, "encoderinfo")


def test_encoderinfo_a_user_set_does_not_leak_into_the_file() -> None:
    image = noise("RGB")
    image.encoderinfo = {"compression": "jpeg"}  # Pillow's save would read it
    restored, _ = pack_file(image, format="tiff")
    same_pixels(image, restored)
    assert image.encoderinfo == {"compression": "jpeg"}


def test_unpacked_images_are_loaded_and_detached_from_their_file(tmp_path: Path) -> None:
    original = noise("L", (64, 64))
    path = tmp_path / "raw.tiff"
    original.save(path, compression="raw")  # uncompressed L: Pillow memory-maps it
    with PackagersManager([PilImagePackager]) as manager:
        restored = manager.unpack(DataItem(path), Image.Image)
    path.write_bytes(b"\0" * path.stat().st_size)
    path.unlink()
    same_pixels(original, restored)
    assert type(restored) is Image.Image and restored.format == "TIFF"
    assert not restored.readonly


def test_multi_frame_images_warn_that_one_frame_is_packed(tmp_path: Path) -> None:
    path = tmp_path / "two.gif"
    first, second = noise("P"), noise("P", seed=1)
    first.save(path, save_all=True, append_images=[second])
    with Image.open(path) as animation:
        with pytest.warns(packagers.PackagersWarning, match="2 frames; only the current one"):
            restored, _ = pack_file(animation)
        same_pixels(animation, restored)
    with Image.open(path) as closed:
        closed.load()
    restored, _ = pack_file(closed)  # closed before its frames were counted: no count, no warning
    same_pixels(animation, restored)
