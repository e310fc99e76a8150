"""The plugin as users meet it: collected lazily, plain image files, plots that stay files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from packagers import DataItem, PackagersManager, PlotArtifact, UnpackingError
from packagers_pil import PilImagePackager


def gradient(mode: str = "RGB", size: tuple[int, int] = (40, 30)) -> Image.Image:
    return Image.linear_gradient("L").resize(size).convert(mode)


def test_importing_the_plugin_and_collecting_it_does_not_import_pil() -> None:
    code = (
        "import sys, packagers_pil, packagers_pil._plugin\n"
        "from packagers import PackagersManager, list_packagers\n"
        "names = [record.name for record in list_packagers()]\n"
        "assert 'packagers_pil._image.PilImagePackager' in names, names\n"
        "PackagersManager()\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] == 'PIL')\n"
        "assert not loaded, loaded\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


# -- through every collected plugin -----------------------------------------------------------


@pytest.mark.parametrize("opened", [False, True], ids=["new", "opened-from-file"])
def test_the_collected_manager_gives_images_to_this_packager(tmp_path: Path, opened: bool) -> None:
    image = gradient()
    if opened:
        image.save(tmp_path / "in.png")
        image = Image.open(tmp_path / "in.png")
    with PackagersManager() as manager:
        packager, artifact_type = manager.choose_packager(image)
        assert (type(packager), artifact_type) == (PilImagePackager, "file")
        package = manager.pack(image, "picture")
        assert package.manifest["packager"] == PilImagePackager.qualified_name()
        assert package.manifest["distribution"] == "packagers-pil"
        assert package.artifact is not None and package.artifact.src_path is not None
        item = DataItem(package.artifact.src_path, key="picture", manifest=package.manifest)
        restored = manager.unpack(item, Image.Image)
        assert restored.tobytes() == image.tobytes()
        assert manager.unpack(item) is not None  # no hint: the manifest's packager decides


# -- plain files ------------------------------------------------------------------------------

PLAIN = [
    (".png", {}, "PNG"),
    (".jpg", {"format": "JPEG"}, "JPEG"),
    (".jpeg", {"format": "JPEG"}, "JPEG"),
    (".webp", {"lossless": True}, "WEBP"),
    (".tif", {}, "TIFF"),
    (".tiff", {"compression": "tiff_lzw"}, "TIFF"),
    (".bmp", {}, "BMP"),
    (".gif", {}, "GIF"),
]


@pytest.mark.parametrize(("suffix", "save", "format"), PLAIN, ids=[row[0] for row in PLAIN])
def test_plain_image_files_unpack_with_an_image_hint(
    tmp_path: Path, suffix: str, save: dict[str, object], format: str
) -> None:
    original = gradient("P" if suffix == ".gif" else "RGB")
    path = tmp_path / f"photo{suffix}"
    original.save(path, **save)
    with PackagersManager([PilImagePackager]) as manager:
        restored = manager.unpack(path, Image.Image)
        assert manager.unpack(str(path), Image.Image | None).size == original.size
    assert path.exists()  # a user's file is read in place, never deleted
    assert (restored.format, restored.mode, restored.size) == (format, original.mode, original.size)
    if format != "JPEG":
        assert (
            ImageChops.difference(restored.convert("RGB"), original.convert("RGB")).getbbox()
            is None
        )


def test_the_decoder_is_chosen_by_content_not_by_suffix(tmp_path: Path) -> None:
    path = tmp_path / "misnamed.jpg"
    gradient().save(path, format="PNG")
    with PackagersManager([PilImagePackager]) as manager:
        assert manager.unpack(path, Image.Image).format == "PNG"


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.png", b"not an image at all"), ("picture.ppm", b"P5\n2 2\n255\n\0\1\2\3")],
    ids=["text", "decoder-not-allowed"],
)
def test_files_that_are_not_allowed_images_are_unpacking_errors(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with (
        PackagersManager([PilImagePackager]) as manager,
        pytest.raises(UnpackingError, match=r"not a readable PNG/JPEG/WEBP/TIFF/BMP/GIF image"),
    ):
        manager.unpack(path, Image.Image)


# -- plots ------------------------------------------------------------------------------------


def test_plot_is_pack_only() -> None:
    assert "plot" in PilImagePackager.packing_artifact_types()
    assert "plot" not in PilImagePackager.unpacking_artifact_types()
    assert not hasattr(PilImagePackager, "unpack_plot")


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "F", "CMYK"])
def test_a_plot_is_a_png_plot_artifact(mode: str) -> None:
    image = gradient(mode)
    before = image.tobytes()
    with PackagersManager([PilImagePackager]) as manager:
        package = manager.pack(image, "fit_plot : plot")
        artifact = package.artifact
        assert isinstance(artifact, PlotArtifact) and artifact.src_path is not None
        assert (package.manifest["kind"], package.manifest["format"]) == ("plot", "png")
        assert package.manifest["instructions"] == {}
        with Image.open(artifact.src_path) as shown:
            assert (shown.format, shown.size) == ("PNG", image.size)
            assert shown.mode in ("L", "P", "RGB", "RGBA")
    assert image.tobytes() == before and image.mode == mode


def test_a_plot_is_never_unpacked_into_an_image_but_its_file_is_reachable() -> None:
    with PackagersManager([PilImagePackager]) as manager:
        package = manager.pack(gradient(), "fit_plot : plot")
        assert package.artifact is not None and package.artifact.src_path is not None
        item = DataItem(package.artifact.src_path, key="fit_plot", manifest=package.manifest)
        with pytest.raises(
            UnpackingError, match=r"'plot' artifact.*cannot unpack.*DataItem or a Path"
        ):
            manager.unpack(item, Image.Image)
        path = manager.unpack(item, Path)
        assert isinstance(path, Path) and path.read_bytes().startswith(b"\x89PNG")
        assert manager.unpack(item, DataItem) is item
