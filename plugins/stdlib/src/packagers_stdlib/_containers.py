"""The dict, list, tuple, set and frozenset packagers: results when small, typed files when not.

One base class holds the logic; the five packagers differ only in their type. A file comes back
as exactly what was packed (tuples, sets, bytes and non-str keys included, at any depth) because
it is written with the typed-JSON codec and the instructions say so. A plain ``.json``, ``.yaml``
or ``.toml`` file a user made is read as plain data and turned into the hinted type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from packagers import Artifact, DefaultPackager, PackingError, UnpackingError
from packagers.formats import require
from packagers.previews import json_preview
from packagers_stdlib._json_codec import (
    CODEC,
    CodecError,
    NullError,
    encode,
    encode_items,
    ordered,
)
from packagers_stdlib._results import RESULT_MAX_CHARS, fits_result, to_result
from packagers_stdlib._text_formats import (
    DEFAULT_FORMAT,
    FORMATS,
    TextFormat,
)

if TYPE_CHECKING:
    from packagers import DataItem

__all__ = [
    "ContainerPackager",
    "DictPackager",
    "FrozensetPackager",
    "ListPackager",
    "SetPackager",
    "TuplePackager",
]

_SEQUENCES = (list, tuple, set, frozenset)


class ContainerPackager(DefaultPackager):
    """The shared behaviour of the builtin container packagers.

    Default artifact type: ``result`` when :func:`~packagers_stdlib._results.fits_result` (small,
    plain JSON), else ``file`` when every item has a typed-JSON form, else ``object`` (pickle).
    """

    PACKABLE_OBJECT_TYPE: ClassVar[type]
    DEFAULT_PACKING_ARTIFACT_TYPE = "result"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"
    #: Larger values (as compact JSON) default to a file; subclass to change it.
    RESULT_MAX_CHARS: ClassVar[int] = RESULT_MAX_CHARS

    def __init__(self) -> None:
        super().__init__()
        #: The object and JSON tree the last default choice encoded (see ``is_packable``).
        self._chosen: tuple[Any, Any] | None = None

    def is_packable(self, obj: Any, artifact_type: str | None = None) -> bool:
        # The manager asks this first for every object, then the default type, then packs. So
        # the tree encoded to choose ``file`` is reused by the pack that follows at once, and
        # never survives into another packing (nor holds a large tree for long).
        self._chosen = None
        return super().is_packable(obj, artifact_type)

    def get_default_packing_artifact_type(self, obj: Any) -> str:
        if fits_result(obj, self.RESULT_MAX_CHARS):
            return "result"
        try:
            self._chosen = (obj, self._tree(obj, FORMATS[DEFAULT_FORMAT]))
        except (CodecError, RecursionError):
            return "object"
        return "file"

    def pack_result(self, obj: Any, key: str) -> dict[str, Any]:
        try:
            return {key: to_result(obj)}
        except CodecError as error:
            raise PackingError(
                f"{key!r} cannot be a result (results are plain JSON): {error}; log it as a file "
                f'("{key} : file"), which keeps every type'
            ) from None
        except RecursionError:
            raise PackingError(_too_deep(key)) from None

    def pack_file(
        self, obj: Any, key: str, format: str = DEFAULT_FORMAT
    ) -> tuple[Artifact, dict[str, Any]]:
        fmt = FORMATS.get(format, key=key)
        if fmt.table_only and not (type(obj) is dict and all(type(k) is str for k in obj)):
            raise PackingError(
                f"cannot write {key!r} as {fmt.name}: a {fmt.name} document is a table, so only a "
                f"dict with str keys fits at the top level, not {_describe(obj)}; "
                'use format="json"'
            )
        chosen, self._chosen = self._chosen, None
        try:
            if chosen is not None and chosen[0] is obj and fmt.name == DEFAULT_FORMAT:
                tree = chosen[1]
            else:
                tree = self._tree(obj, fmt)
        except NullError as error:
            raise PackingError(
                f"cannot write {key!r} as {fmt.name}: {error} ({fmt.name} has no null); "
                'use format="json" or "yaml"'
            ) from None
        except CodecError as error:
            raise PackingError(
                f"cannot write {key!r} as {fmt.name}: {error}; log it as an object "
                f'("{key} : object") to pickle it'
            ) from None
        except RecursionError:
            raise PackingError(_too_deep(key)) from None
        path = self.temp_path(key, fmt.suffix)
        try:
            fmt.write(tree, path)
        except ImportError:
            require(fmt, key)  # says what to install
            raise
        except UnicodeEncodeError as error:
            bad = error.object[error.start : error.end]
            raise PackingError(
                f"cannot write {key!r} as {fmt.name}: a str holds {bad!r}, which is not valid "
                'Unicode (a lone surrogate); use format="json", which escapes it'
            ) from None
        return Artifact(key, path, format=fmt.name, length=len(obj)), {
            "format": fmt.name,
            "codec": CODEC,
        }

    def preview(self, obj: Any, artifact_type: str) -> dict[str, Any]:
        return json_preview(obj)

    def unpack_result(self, data_item: DataItem) -> Any:
        """A result's JSON array as this packager's type again: a logged tuple is a tuple."""
        return self._from_value((data_item.manifest or {}).get("value"), data_item)

    def unpack_file(
        self, data_item: DataItem, format: str | None = None, codec: str | None = None
    ) -> Any:
        if format is None and codec is None:
            format, codec = _recorded(data_item)
        if format is None:
            fmt = FORMATS.for_suffix(data_item.suffix, key=data_item.key, available=False)
        else:
            fmt = FORMATS.get(format, key=data_item.key, available=False)
        if codec not in (None, CODEC):
            raise UnpackingError(
                f"{data_item.key!r} was written with the codec {codec!r}; this packagers-stdlib "
                f"reads {CODEC!r}: upgrade packagers-stdlib"
            )
        try:
            value = fmt.read(data_item.local(), tagged=codec is not None)
        except ImportError:
            require(fmt, data_item.key)  # says what to install
            raise
        return self._from_value(value, data_item)

    # -- what differs between the container types ---------------------------------------------

    def _tree(self, obj: Any, fmt: TextFormat) -> Any:
        """The JSON-native tree written for ``obj``: a plain array at the top of a sequence."""
        items = ordered(obj) if isinstance(obj, (set, frozenset)) else obj
        return encode_items(items, max_int_bits=fmt.max_int_bits, allow_none=fmt.holds_none)

    def _from_value(self, value: Any, data_item: DataItem) -> Any:
        """The file's top-level value as this packager's type (a plain array makes any sequence)."""
        cls = self.PACKABLE_OBJECT_TYPE
        if type(value) is cls:
            return value
        if not isinstance(value, _SEQUENCES):
            raise UnpackingError(
                f"{data_item.key!r} holds {_describe(value)}, not a {cls.__name__} or any sequence"
            )
        try:
            return cls(value)
        except TypeError as error:
            raise UnpackingError(
                f"{data_item.key!r}: its items cannot make a {cls.__name__}: {error}"
            ) from None


class DictPackager(ContainerPackager):
    """``dict``: keys of any builtin hashable type come back as they were, in order."""

    PACKABLE_OBJECT_TYPE = dict

    def _tree(self, obj: Any, fmt: TextFormat) -> Any:
        return encode(obj, max_int_bits=fmt.max_int_bits, allow_none=fmt.holds_none)

    def _from_value(self, value: Any, data_item: DataItem) -> Any:
        if type(value) is not dict:
            raise UnpackingError(f"{data_item.key!r} holds {_describe(value)}, not a dict")
        return value


class ListPackager(ContainerPackager):
    """``list``."""

    PACKABLE_OBJECT_TYPE = list


class TuplePackager(ContainerPackager):
    """``tuple``: a JSON array at the top of the file, a tuple again when unpacked."""

    PACKABLE_OBJECT_TYPE = tuple


class SetPackager(ContainerPackager):
    """``set``: written sorted when the items compare, so equal sets give equal files."""

    PACKABLE_OBJECT_TYPE = set


class FrozensetPackager(ContainerPackager):
    """``frozenset``: written like a set."""

    PACKABLE_OBJECT_TYPE = frozenset


def _recorded(data_item: DataItem) -> tuple[str | None, str | None]:
    """Our instructions from the manifest, when the manager unpacks with another type's packager.

    A tuple logged as a file and asked for as a list goes to the list packager without
    instructions; the manifest still says how the file was written.
    """
    instructions = (data_item.manifest or {}).get("instructions") or {}
    if instructions.get("codec") == CODEC:
        return instructions.get("format"), CODEC
    return None, None


def _describe(value: Any) -> str:
    return "null" if value is None else f"a {type(value).__name__}"


def _too_deep(key: str) -> str:
    return f"{key!r} is nested too deeply (or contains itself); log it as an object"
