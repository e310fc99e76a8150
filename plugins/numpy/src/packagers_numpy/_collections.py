"""Lists and dicts of arrays as one npz archive, restored as the same collection in the same order.

These packagers take ``list[np.ndarray]`` and ``dict[str, np.ndarray]`` before the stdlib list and
dict packagers (``PRIORITY = 4``), and only those: ``is_packable`` looks at every item, so any
other list or dict stays with the stdlib plugin.
"""

from __future__ import annotations

import sys
import typing
from typing import TYPE_CHECKING, Any, ClassVar

from packagers import Artifact, DefaultPackager, UnpackingError
from packagers.formats import FormatRegistry
from packagers.type_hints import hint_origin, split_hint
from packagers_numpy._formats import (
    ARRAY_FORMATS,
    choose_format,
    load_pickle,
    plain_format,
    save_pickle,
)
from packagers_numpy._npz import load_npz, save_npz
from packagers_numpy._preview import arrays_preview

if TYPE_CHECKING:
    import numpy as np

    from packagers import DataItem

__all__ = ["NDArrayDictPackager", "NDArrayListPackager"]

#: An npz archive, or a pickle when an array holds Python objects.
_COLLECTION_FORMATS = FormatRegistry(
    "array collection", (ARRAY_FORMATS["npz"], ARRAY_FORMATS["pkl"])
)


class _ArrayCollectionPackager(DefaultPackager):
    """What both collections share; a subclass says how its arrays are named and rebuilt.

    The npz member names and their order are recorded in the instructions, so the collection
    comes back in the same order whatever reads the archive.
    """

    PRIORITY = 4  # the stdlib list/dict packagers would pickle the arrays
    DEFAULT_PACKING_ARTIFACT_TYPE = "file"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"
    #: The key type of a hint's ``dict[K, ...]``, or None for lists.
    _NAME_HINT: ClassVar[type | None] = None

    @staticmethod
    def _named(obj: Any) -> dict[str, Any] | None:
        """The items under their npz member names, in order; None when a name is not a str."""
        raise NotImplementedError

    @staticmethod
    def _rebuild(named: dict[str, Any]) -> Any:
        """The collection from its named items, in order."""
        raise NotImplementedError

    def is_packable(self, obj: Any, artifact_type: str | None = None) -> bool:
        numpy = sys.modules.get("numpy")  # no array exists before numpy is imported
        if numpy is None or not obj or not super().is_packable(obj, artifact_type):
            return False
        named = self._named(obj)
        return named is not None and all(type(item) is numpy.ndarray for item in named.values())

    def is_unpackable(
        self, data_item: DataItem, type_hint: Any, artifact_type: str | None = None
    ) -> bool:
        """Plain npz files, for a bare ``list``/``dict`` hint or one of arrays."""
        if not (
            super().is_unpackable(data_item, type_hint, artifact_type)
            and data_item.suffix.lower().endswith(ARRAY_FORMATS["npz"].suffixes)
        ):
            return False
        args = typing.get_args(split_hint(type_hint)[0])
        if not args:
            return True
        import numpy as np

        names_fit = self._NAME_HINT is None or args[0] in (self._NAME_HINT, typing.Any)
        return names_fit and hint_origin(args[-1]) in (np.ndarray, object)

    def pack_result(self, obj: Any, key: str) -> dict[str, Any]:
        named = self._named(obj) or {}
        return {key: self._rebuild({name: array.tolist() for name, array in named.items()})}

    def pack_file(
        self, obj: Any, key: str, format: str | None = None, compress: bool = False
    ) -> tuple[Artifact, dict[str, Any]]:
        named: dict[str, np.ndarray[Any, Any]] = self._named(obj) or {}
        name = choose_format(
            key,
            format,
            compress,
            pickled=any(array.dtype.hasobject for array in named.values()),
            formats=_COLLECTION_FORMATS,
            what=lambda: f"a {type(obj).__name__} of arrays",
        )
        path = self.temp_path(key, ARRAY_FORMATS[name].suffix)
        instructions: dict[str, Any] = {"format": name}
        if name == "pkl":
            instructions["pickled"] = save_pickle(obj, path)
        else:
            instructions["expanded_size"] = save_npz(path, named, compress)
            instructions["names"] = list(named)
        return Artifact(key, path, format=name, length=len(named)), instructions

    def preview(self, obj: Any, artifact_type: str) -> dict[str, Any]:
        return arrays_preview(obj)

    def unpack_file(
        self,
        data_item: DataItem,
        format: str | None = None,
        names: list[str] | None = None,
        pickled: dict[str, Any] | None = None,
        expanded_size: int | None = None,
    ) -> Any:
        name = format or plain_format(data_item)
        expected = typing.cast(type, self.packable_type())
        if name == "pkl":
            obj = load_pickle(data_item, pickled)
            if type(obj) is not expected:
                raise UnpackingError(
                    f"{data_item.key!r} holds a pickled {type(obj).__name__}, not a "
                    f"{expected.__name__}"
                )
            return obj
        if name != "npz":
            raise UnpackingError(
                f"{data_item.key!r} is a {name} file; a {expected.__name__} of arrays is read "
                "from an npz archive"
            )
        arrays = load_npz(data_item, expanded_size)
        if names is None:
            return self._rebuild(arrays)
        missing = [member for member in names if member not in arrays]
        if missing:
            raise UnpackingError(
                f"{data_item.key!r}: the npz archive lacks the recorded arrays "
                f"{', '.join(map(repr, missing[:10]))}; the file was changed or is another one"
            )
        return self._rebuild({member: arrays[member] for member in names})


class NDArrayListPackager(_ArrayCollectionPackager):
    """Packs a non-empty ``list`` of ``np.ndarray`` as one npz (members ``arr_0``, ``arr_1``...)."""

    PACKABLE_OBJECT_TYPE = list

    @staticmethod
    def _named(obj: list[Any]) -> dict[str, Any]:
        return {f"arr_{index}": item for index, item in enumerate(obj)}

    @staticmethod
    def _rebuild(named: dict[str, Any]) -> list[Any]:
        return list(named.values())


class NDArrayDictPackager(_ArrayCollectionPackager):
    """Packs a non-empty ``dict`` of str to ``np.ndarray`` as one npz, a member per key."""

    PACKABLE_OBJECT_TYPE = dict
    _NAME_HINT = str

    @staticmethod
    def _named(obj: dict[Any, Any]) -> dict[str, Any] | None:
        return dict(obj) if all(type(name) is str for name in obj) else None

    @staticmethod
    def _rebuild(named: dict[str, Any]) -> dict[str, Any]:
        return named
