"""PilImagePackager: every mode x format, packing kwargs, info, refusals, detachment, bombs."""

from __future__ import annotations

import contextlib
import io
import random
from array import array
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageStat

import packagers
from packagers import DataItem, LogHint, PackagersManager, PackingError, UnpackingError
from packagers.testing import PackagerConformance, round_trip
from packagers_pil import FORMATS, PilImagePackager

SIZE = (13, 7)

#: (format, modes it must round-trip exactly); lossless WebP is checked on its own.
LOSSLESS = [
    ("png", ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"]),
    ("tiff", ["1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I", "F", "CMYK", "LAB"]),
]
LOSSY = [("jpeg", ["L", "RGB", "CMYK"]), ("webp", ["L", "LA", "RGB", "RGBA"])]
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


def close_pixels(original: Image.Image, restored: Image.Image, tolerance: float = 8.0) -> None:
    assert (restored.mode, restored.size) == (original.mode, original.size)
    difference = ImageStat.Stat(ImageChops.difference(original, restored)).mean
    assert max(difference) < tolerance, difference


def pack_file(image: Image.Image, **kwargs: Any) -> tuple[Image.Image, packagers.Package]:
    with PackagersManager([PilImagePackager]) as manager:
        restored, package = round_trip(
            manager, image, LogHint("img", "file", packing_kwargs=kwargs), Image.Image
        )
        restored.tobytes()  # the image must outlive the manager's temporary files
    return restored, package


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


# -- round trips ------------------------------------------------------------------------------


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


# -- packing kwargs ---------------------------------------------------------------------------


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


# -- refusals ---------------------------------------------------------------------------------


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


# -- info -------------------------------------------------------------------------------------


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


# -- the caller's image and the unpacked one ----------------------------------------------------


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


# -- decompression bombs ------------------------------------------------------------------------


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


def test_images_are_never_offered_as_results() -> None:
    assert "result" not in PilImagePackager.packing_artifact_types()
