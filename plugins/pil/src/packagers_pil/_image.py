"""The PIL image packager: files that come back as the same image, and PNG plots to look at."""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any

from packagers import Artifact, DefaultPackager, PackingError, PlotArtifact, UnpackingError
from packagers.formats import require
from packagers.plugin_api import warn
from packagers_pil._formats import (
    ALPHA_MODES,
    FORMATS,
    READABLE_FORMATS,
    ImageFormat,
    default_format,
)
from packagers_pil._preview import image_preview

if TYPE_CHECKING:
    from PIL import Image

    from packagers import DataItem

__all__ = ["PilImagePackager"]

#: The most entries a palette has (indices are bytes).
_PALETTE_ENTRIES = 256

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
        row = (
            default_format(key, obj.mode)
            if format is None
            else FORMATS.get(format, key=key, available=False)
        )
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
        instructions: dict[str, Any] = {"format": row.name, "mode": obj.mode}
        if obj.mode == "P":
            instructions.update(_palette_record(obj))
        return artifact, instructions

    def pack_plot(self, obj: Image.Image, key: str) -> tuple[PlotArtifact, dict[str, Any]]:
        png = FORMATS["png"]
        image = obj if obj.mode in png.modes else _displayable(obj, key)
        path = self._save(image, key, png, {})
        return PlotArtifact(key, path, format=png.name, width=obj.width, height=obj.height), {}

    def preview(self, obj: Image.Image, artifact_type: str) -> dict[str, Any] | None:
        return image_preview(obj)

    def unpack_file(
        self,
        data_item: DataItem,
        format: str | None = None,
        mode: str | None = None,
        palette: int | None = None,
        transparency: int | dict[str, str] | None = None,
        alphas: str | None = None,
    ) -> Image.Image:
        from PIL import Image

        # a recorded format this version does not know: the registry's error, listing the known
        row = None if format is None else FORMATS.get(format, key=data_item.key, available=False)
        decoders = [row.pillow] if row is not None else list(READABLE_FORMATS)
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
            if row is not None:
                require(row, data_item.key)
            raise UnpackingError(
                f"{data_item.key!r} ({data_item.url}) is not a readable "
                f"{'/'.join(decoders)} image: {error}"
            ) from error
        if mode is not None and image.mode != mode:  # WebP stores gray images as RGB(A)
            image = image.convert(mode)
        if palette is not None:
            _restore_palette(image, palette, transparency, alphas)
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
            _palette_view(image).save(path, row.pillow, **_info_params(image, row), **params)
        except (KeyError, OSError):  # how Pillow says it lacks the format's library
            require(row, key)
            raise
        return path


def _view(image: Image.Image) -> Image.Image:
    """A plain Image on the same pixel core and a copy of ``info``/palette, without copying pixels.

    ``Image.save`` writes ``encoderinfo`` attributes onto the image it saves (and reads back any
    a user set there); saving this view keeps the caller's image untouched.
    """
    image.load()
    return image._new(image.im)


def _palette_view(image: Image.Image) -> Image.Image:
    """The image to save: a palette that every pixel and the transparency index point into.

    PNG writes as many palette entries as the palette has and packs pixels in as few bits as
    they need, so an index past the palette's end would change (3 becomes 1 with 2 entries) and
    a transparency past it would be cut. Such a palette is padded with black entries on a copy;
    the instructions record the real size, which unpacking restores.
    """
    view = _view(image)
    if image.mode != "P":
        return view
    size = _palette_size(image)
    _, highest = typing.cast("tuple[int, int]", image.getextrema())  # of a P image: indices
    needed = max(highest + 1, size)
    transparency = image.info.get("transparency")
    if isinstance(transparency, int):
        needed = max(needed, transparency + 1)
    elif isinstance(transparency, bytes):
        needed = max(needed, len(transparency))
    needed = min(needed, _PALETTE_ENTRIES)
    if needed <= size:
        return view
    padded = image.copy()  # the view shares the pixel core, whose palette putpalette replaces
    rawmode = image.palette.mode if image.palette is not None else "RGB"
    entries = image.getpalette(rawmode) or []
    padded.putpalette(entries + [0] * len(rawmode) * (needed - size), rawmode)
    return padded


def _palette_size(image: Image.Image) -> int:
    return len(image.getpalette() or []) // 3


def _palette_record(image: Image.Image) -> dict[str, Any]:
    """What a palette image's file may not keep as it was: the palette's size (TIFF pads it to
    256 entries) and the transparency (TIFF drops it; PNG reads a single transparent entry back
    as an index, whichever form it was given in).
    """
    record: dict[str, Any] = {"palette": _palette_size(image)}
    if image.palette is not None and image.palette.mode == "RGBA":  # files keep RGB entries
        record["alphas"] = bytes(image.getpalette("RGBA")[3::4]).hex()  # type: ignore[index]
    transparency = image.info.get("transparency")
    if isinstance(transparency, int):
        record["transparency"] = transparency
    elif isinstance(transparency, bytes):
        record["transparency"] = {"bytes": transparency.hex()}
    return record


def _restore_palette(
    image: Image.Image,
    size: int,
    transparency: int | dict[str, str] | None,
    alphas: str | None,
) -> None:
    if image.mode != "P":
        return
    entries = image.getpalette() or []
    if alphas is not None:
        alpha = bytes.fromhex(alphas)
        rgba = [
            value
            for entry in range(size)
            for value in (*entries[3 * entry : 3 * entry + 3], alpha[entry])
        ]
        image.putpalette(rgba, "RGBA")
    elif len(entries) != 3 * size:
        image.putpalette(entries[: 3 * size])
    if isinstance(transparency, dict):
        image.info["transparency"] = bytes.fromhex(transparency["bytes"])
    elif transparency is not None:
        image.info["transparency"] = transparency
    else:
        image.info.pop("transparency", None)


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
