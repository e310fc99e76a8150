"""The image file formats, written once: modes they hold, packing kwargs they take, info they keep.

Everything format-specific the packager needs is a row of :data:`FORMATS`, so adding a format or
a kwarg is a table edit and every error message (accepted kwargs, formats that fit a mode) is
computed from the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from packagers import PackingError
from packagers.formats import Format, FormatRegistry

__all__ = [
    "ALPHA_MODES",
    "DEFAULT_FORMATS",
    "FORMATS",
    "READABLE_FORMATS",
    "ImageFormat",
    "default_format",
]

#: Modes with an alpha band: a format without any (JPEG) refuses them with its own message.
ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})

#: TIFF compressions that keep pixels exact for every TIFF mode below (``jpeg`` would not).
_TIFF_COMPRESSIONS = ("raw", "tiff_lzw", "tiff_adobe_deflate", "packbits")


def _is_int_in(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: type(value) is int and low <= value <= high


#: Packing kwarg -> (value check, what it accepts); a format row lists the kwargs it takes.
_OPTIONS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "quality": (_is_int_in(0, 100), "an int from 0 to 100"),
    "lossless": (lambda value: type(value) is bool, "True or False"),
    "compression": (
        lambda value: value in _TIFF_COMPRESSIONS,
        f"one of {', '.join(map(repr, _TIFF_COMPRESSIONS))}",
    ),
    "compress_level": (_is_int_in(0, 9), "an int from 0 (fastest) to 9 (smallest)"),
}


@dataclass(frozen=True, kw_only=True)
class ImageFormat(Format):
    """One file format as the packager uses it."""

    #: Pillow's format id (``Image.save(..., format=)`` / ``Image.open(..., formats=)``).
    pillow: str
    #: Modes packed into this format and restored on unpacking (exactly, unless lossy).
    modes: frozenset[str]
    #: Packing kwargs the format takes, beyond ``format``.
    options: tuple[str, ...] = ()
    #: Save parameters always passed (``exact`` keeps the colour of fully transparent WebP pixels).
    fixed: Mapping[str, Any] = field(default_factory=dict)
    #: Defaults for options Pillow would otherwise take from the image's own ``info``.
    defaults: Mapping[str, Any] = field(default_factory=dict)
    #: ``image.info`` entries the format stores, passed to ``save`` explicitly.
    info_keys: tuple[str, ...] = ()
    #: Whether the text entries of ``image.info`` are written too (PNG text chunks).
    text: bool = False
    #: The library Pillow codes this format with (a ``PIL.features`` name); a Pillow built
    #: without it cannot write or read the format.
    feature: str = ""

    def missing_library(self) -> str | None:
        """Why this Pillow cannot code the format, with what to install; None when it can.

        Checked only when Pillow fails on the format: the check costs more than a lookup.
        """
        from PIL import features

        if not self.feature or features.check(self.feature):
            return None
        return (
            f"this Pillow was built without {self.feature}, which the {self.name} format needs: "
            "pip install --force-reinstall pillow (its wheels include it)"
        )

    def save_params(self, key: str, mode: str, given: Mapping[str, Any]) -> dict[str, Any]:
        """Pillow ``save`` parameters for ``given`` packing kwargs, or a ``PackingError``."""
        self._check_mode(key, mode)
        unknown = sorted(name for name in given if name not in self.options)
        if unknown:
            accepted = ", ".join(self.options) or "no other kwargs"
            raise PackingError(
                f"{key!r}: format {self.name!r} does not take {', '.join(unknown)}; it accepts: "
                f"{accepted}"
            )
        for name, value in given.items():
            check, accepts = _OPTIONS[name]
            if not check(value):
                raise PackingError(
                    f"{key!r}: {name}={value!r} for format {self.name!r}; {name} must be {accepts}"
                )
        return {**self.defaults, **given, **self.fixed}

    def _check_mode(self, key: str, mode: str) -> None:
        if mode in self.modes:
            return
        fits = [row.name for row in FORMATS.values() if mode in row.modes]
        if not fits:
            raise _no_format_error(key, mode)
        if mode in ALPHA_MODES and not self.modes & ALPHA_MODES:
            raise PackingError(
                f"{key!r}: {self.name} has no alpha channel, so a mode {mode!r} image cannot be "
                f"packed as {self.name}; formats that keep the alpha: {', '.join(fits)}; or pack "
                "image.convert('RGB') to drop it"
            )
        raise PackingError(
            f"{key!r}: format {self.name!r} cannot hold mode {mode!r}; formats that can: "
            f"{', '.join(fits)} ({self.name} holds {', '.join(sorted(self.modes))})"
        )


FORMATS: FormatRegistry[ImageFormat] = FormatRegistry(
    "image",
    (
        ImageFormat(
            name="png",
            pillow="PNG",
            suffixes=(".png",),
            modes=frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16"}),
            options=("compress_level",),
            info_keys=("dpi", "icc_profile", "exif"),
            text=True,
            feature="zlib",
        ),
        ImageFormat(
            name="tiff",
            pillow="TIFF",
            suffixes=(".tiff", ".tif"),
            aliases=("tif",),
            modes=frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I", "F", "CMYK", "LAB"}),
            options=("compression",),
            # Pillow would reuse the compression of the file the image came from, even ``jpeg``.
            defaults={"compression": "tiff_lzw"},
            info_keys=("dpi", "icc_profile"),
            feature="libtiff",
        ),
        ImageFormat(
            name="jpeg",
            pillow="JPEG",
            suffixes=(".jpg", ".jpeg"),
            aliases=("jpg",),
            modes=frozenset({"L", "RGB", "CMYK"}),
            options=("quality",),
            info_keys=("dpi", "icc_profile", "exif"),
            feature="jpg",
        ),
        ImageFormat(
            name="webp",
            pillow="WEBP",
            suffixes=(".webp",),
            # WebP stores RGB(A); gray images go in as RGB(A) and are converted back on unpacking.
            modes=frozenset({"L", "LA", "RGB", "RGBA"}),
            options=("quality", "lossless"),
            fixed={"exact": True},
            info_keys=("icc_profile", "exif"),
            feature="webp",
        ),
    ),
)

#: The formats tried, in order, when no format is given: the first that holds the mode wins.
DEFAULT_FORMATS = ("png", "tiff")

#: Decoders allowed when unpacking; others (EPS runs Ghostscript, for one) are never reached.
READABLE_FORMATS = ("PNG", "JPEG", "WEBP", "TIFF", "BMP", "GIF")


def default_format(key: str, mode: str) -> ImageFormat:
    """PNG, or TIFF for the modes PNG cannot hold (``I``, ``F``, ``CMYK``, ``LAB``)."""
    for name in DEFAULT_FORMATS:
        if mode in FORMATS[name].modes:
            return FORMATS[name]
    raise _no_format_error(key, mode)


def _no_format_error(key: str, mode: str) -> PackingError:
    return PackingError(
        f"{key!r}: no image file format holds mode {mode!r}; convert the image first (for "
        f"example image.convert('RGBA')), or pack it as a pickle with '{key} : object'"
    )
