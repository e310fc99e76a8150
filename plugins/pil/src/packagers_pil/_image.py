"""The PIL image packager: files that come back as the same image, and PNG plots to look at."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packagers import Artifact, DefaultPackager, PackingError, PlotArtifact, UnpackingError
from packagers._warnings import warn
from packagers_pil._formats import (
    ALPHA_MODES,
    FORMATS,
    READABLE_FORMATS,
    ImageFormat,
    default_format,
    get_format,
)
from packagers_pil._preview import image_preview

if TYPE_CHECKING:
    from PIL import Image

    from packagers import DataItem

__all__ = ["PilImagePackager"]

#: TIFF readers put the codec name in ``info``; it describes the old file, not the image.
_NOT_TEXT = frozenset({"compression"})


class PilImagePackager(DefaultPackager):
    """Packs ``PIL.Image.Image`` objects (and the per-format subclasses ``Image.open`` returns).

    ``file`` is lossless by default (PNG, or TIFF for modes PNG cannot hold) and records the mode
    so lossy formats come back in it too; ``plot`` is a PNG for display only (pack-only). Plain
    image files unpack through ``file`` with the decoder chosen by content.
    """

    PACKABLE_OBJECT_TYPE = "PIL.Image.Image"
    LIBRARY_DISTRIBUTION = "pillow"  # the PIL module's distribution
    PACK_SUBCLASSES = True
    DEFAULT_PACKING_ARTIFACT_TYPE = "file"
    RESULTS = False  # a result is a JSON value
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"

    def pack_file(
        self,
        obj: Image.Image,
        key: str,
        format: str | None = None,
        quality: int | None = None,
        lossless: bool | None = None,
        compression: str | None = None,
        compress_level: int | None = None,
    ) -> tuple[Artifact, dict[str, Any]]:
        row = default_format(key, obj.mode) if format is None else get_format(key, format)
        given = {
            "quality": quality,
            "lossless": lossless,
            "compression": compression,
            "compress_level": compress_level,
        }
        params = row.save_params(key, obj.mode, {k: v for k, v in given.items() if v is not None})
        path = self._save(obj, key, row, params)
        artifact = Artifact(
            key, path, format=row.name, mode=obj.mode, width=obj.width, height=obj.height
        )
        return artifact, {"format": row.name, "mode": obj.mode}

    def pack_plot(self, obj: Image.Image, key: str) -> tuple[PlotArtifact, dict[str, Any]]:
        png = FORMATS["png"]
        image = obj if obj.mode in png.modes else _displayable(obj, key)
        path = self._save(image, key, png, {})
        return PlotArtifact(key, path, format=png.name, width=obj.width, height=obj.height), {}

    def preview(self, obj: Image.Image, artifact_type: str) -> dict[str, Any] | None:
        return image_preview(obj)

    def unpack_file(
        self, data_item: DataItem, format: str | None = None, mode: str | None = None
    ) -> Image.Image:
        from PIL import Image

        decoders = [FORMATS[format].pillow] if format is not None else list(READABLE_FORMATS)
        path = data_item.local()
        try:
            with Image.open(path, formats=decoders) as opened:
                opened.load()
                image = _detached(opened)
                source_format = opened.format
        except Image.DecompressionBombError as error:
            raise UnpackingError(
                f"{data_item.key!r} was refused as a possible decompression bomb: {error} "
                "Pillow's limit stays on; if the file is trusted, raise PIL.Image.MAX_IMAGE_PIXELS"
            ) from error
        except OSError as error:  # UnidentifiedImageError included
            missing = None if format is None else FORMATS[format].missing_support()
            if missing is not None:
                raise UnpackingError(f"{data_item.key!r}: {missing}") from error
            raise UnpackingError(
                f"{data_item.key!r} ({data_item.url}) is not a readable "
                f"{'/'.join(decoders)} image: {error}"
            ) from error
        if mode is not None and image.mode != mode:  # WebP stores gray images as RGB(A)
            image = image.convert(mode)
        image.format = source_format
        return image

    def _save(self, image: Image.Image, key: str, row: ImageFormat, params: dict[str, Any]) -> str:
        frames = _frame_count(image)
        if frames > 1:
            warn(
                f"{key!r}: the image has {frames} frames; only the current one is packed",
                PackingError,
            )
        path = self.temp_path(key, row.suffix)
        try:
            _view(image).save(path, row.pillow, **_info_params(image, row), **params)
        except (KeyError, OSError) as error:  # how Pillow says it lacks the format's library
            missing = row.missing_support()
            if missing is None:
                raise
            raise PackingError(f"{key!r}: {missing}") from error
        return path


def _view(image: Image.Image) -> Image.Image:
    """A plain Image on the same pixel core and a copy of ``info``/palette, without copying pixels.

    ``Image.save`` writes ``encoderinfo`` attributes onto the image it saves (and reads back any
    a user set there); saving this view keeps the caller's image untouched.
    """
    image.load()
    return image._new(image.im)


def _detached(opened: Image.Image) -> Image.Image:
    """The loaded image with no tie to its file: no handle, no pixels mapped from the file."""
    core = opened.im.copy() if opened.readonly else opened.im  # readonly: memory-mapped file
    return opened._new(core)


def _frame_count(image: Image.Image) -> int:
    try:
        return int(getattr(image, "n_frames", 1))
    except ValueError:  # a closed multi-frame file cannot be counted
        return 1


def _info_params(image: Image.Image, row: ImageFormat) -> dict[str, Any]:
    """The ``save`` parameters that carry the image's ``info`` into a ``row`` file."""
    params = {key: image.info[key] for key in row.info_keys if image.info.get(key)}
    if row.text:
        from PIL.PngImagePlugin import PngInfo

        chunks = PngInfo()
        for key, value in image.info.items():
            if isinstance(key, str) and isinstance(value, str) and key not in _NOT_TEXT:
                chunks.add_text(key, value)
        if chunks.chunks:
            params["pnginfo"] = chunks
    return params


def _displayable(image: Image.Image, key: str) -> Image.Image:
    """An RGB(A) copy of an image whose mode PNG cannot hold (values outside 0-255 clip)."""
    try:
        return image.convert("RGBA" if image.mode in ALPHA_MODES else "RGB")
    except ValueError as error:
        raise PackingError(
            f"{key!r}: a mode {image.mode!r} image cannot be shown as a PNG plot ({error}); "
            "convert it to RGB or RGBA first"
        ) from error
