"""The Python standard library types for packagers: scalars, str, bytes, containers and paths.

Small values are results; containers, bytes and long strings are files that come back as exactly
the type that was logged; paths are files as they are or directories as safe archives.
"""

from __future__ import annotations

from packagers_stdlib._archive import ARCHIVE_FORMATS, DEFAULT_ARCHIVE_FORMAT
from packagers_stdlib._bytes import BytearrayPackager, BytesPackager
from packagers_stdlib._containers import (
    ContainerPackager,
    DictPackager,
    FrozensetPackager,
    ListPackager,
    SetPackager,
    TuplePackager,
)
from packagers_stdlib._json_codec import CODEC
from packagers_stdlib._path import PathPackager
from packagers_stdlib._results import RESULT_MAX_CHARS
from packagers_stdlib._scalars import BoolPackager, FloatPackager, IntPackager, NonePackager
from packagers_stdlib._str import StrPackager
from packagers_stdlib._text_formats import FORMATS

__all__ = [
    "ARCHIVE_FORMATS",
    "CODEC",
    "DEFAULT_ARCHIVE_FORMAT",
    "FORMATS",
    "PACKAGERS",
    "RESULT_MAX_CHARS",
    "BoolPackager",
    "BytearrayPackager",
    "BytesPackager",
    "ContainerPackager",
    "DictPackager",
    "FloatPackager",
    "FrozensetPackager",
    "IntPackager",
    "ListPackager",
    "NonePackager",
    "PathPackager",
    "SetPackager",
    "StrPackager",
    "TuplePackager",
]

#: Every packager this plugin registers.
PACKAGERS = (
    NonePackager,
    BoolPackager,
    IntPackager,
    FloatPackager,
    StrPackager,
    BytesPackager,
    BytearrayPackager,
    DictPackager,
    ListPackager,
    TuplePackager,
    SetPackager,
    FrozensetPackager,
    PathPackager,
)
