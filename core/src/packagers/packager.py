"""The contract every packager fulfils, whoever wrote it."""

from __future__ import annotations

import contextlib
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterator
from types import EllipsisType
from typing import TYPE_CHECKING, Any, ClassVar

from packagers.artifacts import ArtifactType
from packagers.type_hints import hint_origin, import_type, type_name

if TYPE_CHECKING:
    from packagers._digest import DigestingWriter
    from packagers.artifacts import Artifact
    from packagers.data_item import DataItem

__all__ = ["FIRST_PRIORITY", "LAST_PRIORITY", "Packager", "is_priority"]

#: Packagers are tried from priority 1 to 10; failed and blocked plugins are listed last.
FIRST_PRIORITY, LAST_PRIORITY = 1, 10

_UNRESOLVED = object()


def is_priority(value: object) -> bool:
    """Whether ``value`` can be a packager's priority: an int (not a bool) from 1 to 10."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and FIRST_PRIORITY <= value <= LAST_PRIORITY
    )


class Packager(ABC):
    """Turns objects of one type into artifacts or results, and data items back into objects.

    Subclasses set the class variables below and implement :meth:`pack`, :meth:`unpack` and the
    two artifact-type listings. Most authors want :class:`~packagers.DefaultPackager` instead.
    """

    #: The type handled: a class, a dotted name such as ``"pandas.DataFrame"`` (resolved only once
    #: its top-level module is imported, so the plugin never imports its library), or ``...`` (any).
    PACKABLE_OBJECT_TYPE: ClassVar[type | str | EllipsisType] = ...
    PACK_SUBCLASSES: ClassVar[bool] = False
    #: 1 (highest) .. 10 (lowest). Unset (``...``): 5 for plugins, 3 for custom packagers.
    PRIORITY: ClassVar[int | EllipsisType] = ...
    DEFAULT_PACKING_ARTIFACT_TYPE: ClassVar[str] = ArtifactType.OBJECT
    DEFAULT_UNPACKING_ARTIFACT_TYPE: ClassVar[str] = ArtifactType.OBJECT
    BUNDLE_FROM_LIST: ClassVar[bool] = False
    BUNDLE_FROM_DICT: ClassVar[bool] = False
    #: The top-level module the packager needs (``"PIL"``). Unset (None): the top-level module of
    #: a dotted ``PACKABLE_OBJECT_TYPE`` that is not in the standard library.
    LIBRARY: ClassVar[str | None] = None
    #: What ``pip install`` takes to get ``LIBRARY`` (``"pillow"``); None: the module's name.
    LIBRARY_DISTRIBUTION: ClassVar[str | None] = None

    _resolved_type: ClassVar[Any] = _UNRESOLVED

    def __init__(self) -> None:
        #: normalised path -> the path as given, in the order given (looked up on every pack)
        self._future_clearing_paths: dict[str, str] = {}
        self._digests: dict[str, tuple[str, int]] = {}  # path -> digest made while writing
        self._digest_outputs = False  # whether open_output hashes: see digesting_outputs

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._resolved_type = _UNRESOLVED

    # -- identity and type matching -------------------------------------------------------------

    @classmethod
    def qualified_name(cls) -> str:
        return type_name(cls)

    @classmethod
    def packable_type_name(cls) -> str:
        declared = cls.PACKABLE_OBJECT_TYPE
        if declared is ...:
            return "any"
        return declared if isinstance(declared, str) else type_name(declared)

    @classmethod
    def required_library(cls) -> str | None:
        """The top-level module this packager cannot work without, None for none."""
        if cls.LIBRARY is not None:
            return cls.LIBRARY
        declared = cls.PACKABLE_OBJECT_TYPE
        if not isinstance(declared, str):
            return None  # a class: its library is imported already
        top = declared.split(".", 1)[0]
        return None if top in sys.stdlib_module_names or top == "builtins" else top

    @classmethod
    def missing_library(cls) -> str | None:
        """What to ``pip install`` when the required library is not installed, else None.

        Found without importing it, so collecting the plugins stays cheap.
        """
        import importlib.util

        module = cls.required_library()
        if module is None or module in sys.modules or importlib.util.find_spec(module):
            return None
        return cls.LIBRARY_DISTRIBUTION or module

    @classmethod
    def packable_type(cls) -> type | None:
        """The handled class, or None while its library is not imported (nothing to match yet)."""
        resolved = cls._resolved_type
        if resolved is _UNRESOLVED:
            declared = cls.PACKABLE_OBJECT_TYPE
            if declared is ...:
                resolved = object
            elif isinstance(declared, str):
                resolved = import_type(declared, only_if_imported=True)
                if resolved is None:
                    return None
            else:
                resolved = declared
            cls._resolved_type = resolved
        return resolved  # type: ignore[no-any-return]

    @classmethod
    def handles_type(cls, tp: type) -> bool:
        """Whether objects of exactly ``tp`` belong to this packager."""
        packable = cls.packable_type()
        if packable is None:
            return False
        if packable is object and cls.PACKABLE_OBJECT_TYPE is ...:
            return True
        if tp is packable:
            return True
        return cls.PACK_SUBCLASSES and isinstance(tp, type) and issubclass(tp, packable)

    # -- artifact types ---------------------------------------------------------------------------

    @classmethod
    @abstractmethod
    def packing_artifact_types(cls) -> frozenset[str]:
        """Artifact types this packager can pack into."""

    @classmethod
    @abstractmethod
    def unpacking_artifact_types(cls) -> frozenset[str]:
        """Artifact types this packager can unpack from."""

    def get_default_packing_artifact_type(self, obj: Any) -> str:
        return self.DEFAULT_PACKING_ARTIFACT_TYPE

    def get_default_unpacking_artifact_type(self, data_item: DataItem) -> str:
        return self.DEFAULT_UNPACKING_ARTIFACT_TYPE

    def is_packable(self, obj: Any, artifact_type: str | None = None) -> bool:
        if not self.handles_type(type(obj)):
            return False
        return artifact_type is None or artifact_type in self.packing_artifact_types()

    def is_unpackable(
        self, data_item: DataItem, type_hint: Any, artifact_type: str | None = None
    ) -> bool:
        origin = hint_origin(type_hint)
        if isinstance(origin, str):
            origin = import_type(origin)
        if not isinstance(origin, type) or not self.handles_type(origin):
            return False
        return artifact_type is None or artifact_type in self.unpacking_artifact_types()

    # -- the work ---------------------------------------------------------------------------------

    @abstractmethod
    def pack(
        self,
        obj: Any,
        key: str,
        artifact_type: str,
        configurations: dict[str, Any],
    ) -> dict[str, Any] | tuple[Artifact, dict[str, Any]]:
        """A ``{key: value}`` result, or an artifact and the instructions to unpack it."""

    @abstractmethod
    def unpack(self, data_item: DataItem, artifact_type: str, instructions: dict[str, Any]) -> Any:
        """The object a data item holds, rebuilt with the instructions its packer returned."""

    def preview(self, obj: Any, artifact_type: str) -> dict[str, Any] | None:
        """A small look at ``obj`` for viewers that never load the artifact; None for none.

        Called by the manager after ``obj`` was packed as ``artifact_type``, on a helper thread
        and for at most :data:`packagers.previews.TIME_LIMIT` seconds, so it must only read
        ``obj``. Return a dict of one of the kinds in :mod:`packagers.previews` (its builders
        keep the bounds); one that raises, runs late or is too large is dropped, never an error.
        """
        return None

    def preview_is_bounded(self, obj: Any) -> bool:
        """Whether the preview of ``obj`` is sure to take microseconds whatever ``obj`` holds.

        True only for fixed work that only reads memory the packer itself reads (a sample of an
        array of numbers): no Python callbacks, no I/O, nothing that grows with ``obj``. The
        manager then makes the preview on the packing thread just before packing, without the
        :data:`~packagers.previews.TIME_LIMIT` a helper thread gives. It counts only where the
        class defining :meth:`preview` defines it.
        """
        return False

    # -- bundling ---------------------------------------------------------------------------------

    def unbundle(self, obj: Any) -> list[Any] | dict[Any, Any]:
        """Split a bundle-capable object into its items for itemized logging."""
        if self.BUNDLE_FROM_DICT:
            return dict(obj)
        return list(obj)

    def bundle(self, items: list[Any] | dict[Any, Any]) -> Any:
        """Rebuild the object from its unpacked items."""
        packable = self.packable_type()
        if packable is None or packable is object:
            return items
        return packable(items)

    # -- registration -----------------------------------------------------------------------------

    @classmethod
    def validate(cls) -> None:
        """Raise ``CollectionError`` when the class is not a usable packager (checked once)."""
        from packagers._errors import CollectionError

        priority = cls.PRIORITY
        if priority is not ... and not is_priority(priority):
            raise CollectionError(
                f"{cls.qualified_name()}: PRIORITY must be an int from 1 to 10, got {priority!r}"
            )

    # -- temporary files --------------------------------------------------------------------------

    def add_future_clearing_path(self, path: str | os.PathLike[str]) -> None:
        """Delete ``path`` once the run is over (after upload, also when the run failed)."""
        self._future_clearing_paths.setdefault(os.path.normpath(path), os.fspath(path))

    def will_clear(self, path: str | os.PathLike[str]) -> bool:
        """Whether :meth:`clear` deletes ``path``: it is registered, or inside a registered
        folder. As many lookups as ``path`` has parents, however many paths are registered."""
        current = os.path.normpath(path)
        while current not in self._future_clearing_paths:
            parent = os.path.dirname(current)
            if parent == current:
                return False
            current = parent
        return True

    def temp_path(self, key: str, suffix: str) -> str:
        """A fresh local path for a packer's output, deleted when the run ends.

        Paths share one private folder per process, named ``<key><suffix>`` (numbered before the
        suffix while that name is in use). Write the output at this path only, a file or a
        folder of files: anything else beside it stays until the process exits.
        """
        from packagers._scratch import scratch_path

        path = scratch_path(key, suffix)
        self.add_future_clearing_path(path)
        return path

    @contextlib.contextmanager
    def digesting_outputs(self, wanted: bool) -> Iterator[None]:
        """While the manager packs one object: whether :meth:`open_output` hashes the writes.

        The manager asks for it when the store will need the digest (``pack(digest=True)``).
        """
        previous, self._digest_outputs = self._digest_outputs, wanted
        try:
            yield
        finally:
            self._digest_outputs = previous

    def open_output(self, path: str) -> DigestingWriter:
        """A new binary file for a packer's output, its digest made while it is written.

        When the store will need the digest, each large write is hashed on a second thread as it
        is written, so the store does not read the file again. Write big buffers in one call.
        """
        from packagers._digest import DigestingWriter

        return DigestingWriter(path, self._record_digest, digest=self._digest_outputs)

    def _record_digest(self, path: str, digest: str | None, size: int) -> None:
        if digest is None:
            self._digests.pop(path, None)
        else:
            self._digests[path] = (digest, size)

    def written_digest(self, path: str) -> str | None:
        """The digest :meth:`open_output` made of ``path``, while the file still has that size."""
        found = self._digests.get(path)
        if found is None:
            return None
        try:
            unchanged = os.path.getsize(path) == found[1]
        except OSError:
            unchanged = False
        return found[0] if unchanged else None

    @property
    def future_clearing_paths(self) -> list[str]:
        return list(self._future_clearing_paths.values())

    def clear(self) -> None:
        import shutil

        from packagers._scratch import release

        paths = list(self._future_clearing_paths.values())
        self._future_clearing_paths.clear()
        self._digests.clear()
        for path in paths:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
            release(path)

    def __repr__(self) -> str:
        return f"<{self.qualified_name()} for {self.packable_type_name()}>"
