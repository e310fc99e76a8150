"""Decompression bombs: refused as unpacking errors, and Pillow's pixel limit left on."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from packagers import DataItem, PackagersManager, UnpackingError
from packagers_pil import PilImagePackager

from .image_samples import noise, pack_file


@pytest.fixture
def small_pixel_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """A limit a test image can exceed, instead of building a gigapixel file."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 20)
    return 20


def test_a_decompression_bomb_is_an_unpacking_error(small_pixel_limit: int) -> None:
    with PackagersManager([PilImagePackager]) as manager:
        package = manager.pack(noise("L"), "bomb")
        assert package.artifact is not None and package.artifact.src_path is not None
        item = DataItem(package.artifact.src_path, key="bomb", manifest=package.manifest)
        with pytest.raises(UnpackingError, match="'bomb' was refused as a possible decompression"):
            manager.unpack(item, Image.Image)
    assert small_pixel_limit == Image.MAX_IMAGE_PIXELS


def test_a_plain_file_bomb_is_an_unpacking_error(tmp_path: Path, small_pixel_limit: int) -> None:
    path = tmp_path / "bomb.png"
    noise("L").save(path)
    with (
        PackagersManager([PilImagePackager]) as manager,
        pytest.raises(UnpackingError, match=r"decompression bomb.*MAX_IMAGE_PIXELS"),
    ):
        manager.unpack(path, Image.Image)


def test_importing_and_using_the_plugin_keeps_the_bomb_limit_on() -> None:
    limit = Image.MAX_IMAGE_PIXELS
    pack_file(noise("RGB"))
    assert Image.MAX_IMAGE_PIXELS == limit is not None
