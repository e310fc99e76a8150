"""PilImagePackager refusals: modes a format cannot hold, missing codecs, no results."""

from __future__ import annotations

import pytest
from PIL import Image

from packagers import DataItem, LogHint, PackagersManager, PackingError, UnpackingError
from packagers.formats import UnknownFormatError
from packagers_pil import FORMATS, PilImagePackager

from .image_samples import ALL_MODES, noise, pack_file, smooth


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_jpeg_refuses_alpha_and_says_what_keeps_it(mode: str) -> None:
    with pytest.raises(
        PackingError, match=r"jpeg has no alpha channel.*keep the alpha: png, tiff, webp.*convert"
    ):
        pack_file(noise(mode), format="jpeg")


@pytest.mark.parametrize(
    ("format", "mode"),
    [
        (fmt, mode)
        for fmt, row in FORMATS.items()
        for mode in ALL_MODES
        if mode not in row.modes and not (fmt == "jpeg" and mode in ("RGBA", "LA"))
    ],
)
def test_a_mode_a_format_cannot_hold_names_the_formats_that_can(format: str, mode: str) -> None:
    fits = [name for name, row in FORMATS.items() if mode in row.modes]
    with pytest.raises(PackingError, match=f"cannot hold mode '{mode}'.*can: {', '.join(fits)}"):
        pack_file(noise(mode), format=format)


def test_a_mode_no_format_holds_suggests_converting_or_pickling() -> None:
    with pytest.raises(PackingError, match=r"no image file format holds mode 'HSV'.*img : object"):
        pack_file(noise("HSV"))


def test_a_pillow_without_a_formats_library_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As a Pillow built without libwebp behaves: no WebP writer, WebP files unidentified."""
    from PIL import WebPImagePlugin, features

    with PackagersManager([PilImagePackager]) as manager:
        package = manager.pack(
            smooth("RGB"), LogHint("img", "file", packing_kwargs={"format": "webp"})
        )
        item = DataItem(package.artifact.src_path, key="img", manifest=package.manifest)
        check = features.check
        monkeypatch.setattr(features, "check", lambda name: name != "webp" and check(name))
        monkeypatch.delitem(Image.SAVE, "WEBP")
        monkeypatch.setattr(WebPImagePlugin, "SUPPORTED", False)
        with pytest.raises(
            PackingError, match=r"without webp.*pip install --force-reinstall pillow"
        ):
            manager.pack(smooth("RGB"), LogHint("img", "file", packing_kwargs={"format": "webp"}))
        with (
            pytest.warns(UserWarning, match="WEBP support not installed"),
            pytest.raises(UnpackingError, match=r"without webp.*pip install"),
        ):
            manager.unpack(item, Image.Image)
        assert manager.pack(smooth("RGB"), "img").manifest["format"] == "png"


def test_a_recorded_format_this_version_does_not_know_lists_the_formats() -> None:
    """As an image packed by a newer packagers-pil in a format added since would be read."""
    with PackagersManager([PilImagePackager]) as manager:
        package = manager.pack(smooth("RGB"), "img : file")
        manifest = {**package.manifest, "instructions": {"format": "avif", "mode": "RGB"}}
        item = DataItem(package.artifact.src_path, key="img", manifest=manifest)
        with pytest.raises(UnknownFormatError, match=r"'img': unknown format 'avif'.*png, tiff"):
            manager.unpack(item, Image.Image)


def test_images_are_never_offered_as_results() -> None:
    assert "result" not in PilImagePackager.packing_artifact_types()
