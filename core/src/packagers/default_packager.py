"""The convention-based packager: ``pack_<type>`` / ``unpack_<type>`` methods name what it does."""

from __future__ import annotations

import inspect
import os
import tempfile
from typing import TYPE_CHECKING, Any, ClassVar

from packagers._errors import CollectionError, PackingError, UnpackingError
from packagers.artifacts import Artifact
from packagers.packager import Packager

if TYPE_CHECKING:
    from packagers.data_item import DataItem

__all__ = ["DefaultPackager"]

_PACK = "pack_"
_UNPACK = "unpack_"


class DefaultPackager(Packager):
    """Routes each artifact type to its ``pack_<type>`` / ``unpack_<type>`` method.

    Packing and unpacking types are discovered independently, once per class: a type with only a
    ``pack_`` method is pack-only. ``result`` is always packable and ``object`` (pickle) always
    both. Extra parameters of ``pack_<type>`` are the packing kwargs users pass in log hints; the
    dict it returns beside the artifact comes back to ``unpack_<type>`` as keyword arguments.
    """

    _pack_methods: ClassVar[dict[str, inspect.Signature]] = {}
    _unpack_methods: ClassVar[dict[str, inspect.Signature]] = {}
    #: Per packing type: the accepted kwargs with defaults, and whether ``**kwargs`` takes any.
    _pack_kwargs: ClassVar[dict[str, tuple[dict[str, Any], bool]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _discover_all(cls)

    @classmethod
    def packing_artifact_types(cls) -> frozenset[str]:
        return frozenset(cls._pack_methods)

    @classmethod
    def unpacking_artifact_types(cls) -> frozenset[str]:
        return frozenset(cls._unpack_methods)

    @classmethod
    def packing_kwargs(cls, artifact_type: str) -> dict[str, Any]:
        """The packing kwargs ``pack_<artifact_type>`` accepts, with their defaults."""
        return dict(cls._pack_kwargs[artifact_type][0])

    @classmethod
    def validate(cls) -> None:
        name = cls.qualified_name()
        if cls.DEFAULT_PACKING_ARTIFACT_TYPE not in cls._pack_methods:
            raise CollectionError(
                f"{name}: DEFAULT_PACKING_ARTIFACT_TYPE {cls.DEFAULT_PACKING_ARTIFACT_TYPE!r} has "
                f"no pack_{cls.DEFAULT_PACKING_ARTIFACT_TYPE} method; packing types: "
                f"{', '.join(sorted(cls._pack_methods))}"
            )
        if cls.DEFAULT_UNPACKING_ARTIFACT_TYPE not in cls._unpack_methods:
            raise CollectionError(
                f"{name}: DEFAULT_UNPACKING_ARTIFACT_TYPE {cls.DEFAULT_UNPACKING_ARTIFACT_TYPE!r} "
                f"has no unpack_{cls.DEFAULT_UNPACKING_ARTIFACT_TYPE} method; unpacking types: "
                f"{', '.join(sorted(cls._unpack_methods))}"
            )
        for artifact_type, signature in cls._pack_methods.items():
            for parameter in list(signature.parameters.values())[2:]:
                if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                    continue
                if parameter.default is parameter.empty:
                    raise CollectionError(
                        f"{name}.pack_{artifact_type}: packing kwarg {parameter.name!r} has no "
                        "default; every parameter after the object and the key must have one so "
                        "that a log hint without kwargs works"
                    )
        priority = cls.PRIORITY
        if priority is not ... and (
            not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 10
        ):
            raise CollectionError(f"{name}: PRIORITY must be an int from 1 to 10, got {priority!r}")

    def pack(
        self,
        obj: Any,
        key: str,
        artifact_type: str,
        configurations: dict[str, Any],
    ) -> dict[str, Any] | tuple[Artifact, dict[str, Any]]:
        accepted_kwargs = self._pack_kwargs.get(artifact_type)
        if accepted_kwargs is None:
            raise PackingError(
                f"{self.qualified_name()} cannot pack {artifact_type!r}; it packs: "
                f"{', '.join(sorted(self._pack_methods))}"
            )
        accepted, takes_any = accepted_kwargs
        unknown = [name for name in configurations if name not in accepted]
        if unknown and not takes_any:
            offered = ", ".join(f"{k}={v!r}" for k, v in accepted.items()) or "none"
            raise PackingError(
                f"unknown packing kwarg(s) {', '.join(map(repr, unknown))} for key {key!r}: "
                f"{self.qualified_name()}.pack_{artifact_type} accepts {offered}"
            )
        return getattr(self, _PACK + artifact_type)(obj, key, **configurations)  # type: ignore[no-any-return]

    def unpack(self, data_item: DataItem, artifact_type: str, instructions: dict[str, Any]) -> Any:
        if artifact_type not in self._unpack_methods:
            raise UnpackingError(
                f"{self.qualified_name()} cannot unpack {artifact_type!r}; it unpacks: "
                f"{', '.join(sorted(self._unpack_methods)) or 'nothing'}"
            )
        return getattr(self, _UNPACK + artifact_type)(data_item, **instructions)

    # -- the types every DefaultPackager has ------------------------------------------------------

    def pack_result(self, obj: Any, key: str) -> dict[str, Any]:
        return {key: obj}

    def pack_object(self, obj: Any, key: str) -> tuple[Artifact, dict[str, Any]]:
        from packagers import _pickle

        directory = tempfile.mkdtemp(prefix="packagers-pickle-")
        self.add_future_clearing_path(directory)
        path = os.path.join(directory, f"{key}.pkl")
        instructions = _pickle.dump(obj, path)
        return Artifact(key, path, format="pkl"), instructions

    def unpack_object(self, data_item: DataItem, **instructions: Any) -> Any:
        from packagers import _pickle

        return _pickle.load(data_item.local(), instructions)

    def temp_path(self, key: str, suffix: str) -> str:
        """A fresh local path for a packer's output, deleted when the run ends."""
        directory = tempfile.mkdtemp(prefix="packagers-")
        self.add_future_clearing_path(directory)
        return os.path.join(directory, f"{key}{suffix}")


def _discover(cls: type, prefix: str) -> dict[str, inspect.Signature]:
    methods: dict[str, inspect.Signature] = {}
    for name in dir(cls):
        artifact_type = name[len(prefix) :]
        if not (name.startswith(prefix) and artifact_type):
            continue
        member = getattr(cls, name)
        if inspect.isfunction(member):
            signature = inspect.signature(member)
            parameters = list(signature.parameters.values())[1:]  # drop self
            methods[artifact_type] = signature.replace(parameters=parameters)
    return methods


def _discover_all(cls: type[DefaultPackager]) -> None:
    cls._pack_methods = _discover(cls, _PACK)
    cls._unpack_methods = _discover(cls, _UNPACK)
    cls._pack_kwargs = {}
    for artifact_type, signature in cls._pack_methods.items():
        parameters = list(signature.parameters.values())[2:]  # after the object and the key
        cls._pack_kwargs[artifact_type] = (
            {
                p.name: p.default
                for p in parameters
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            },
            any(p.kind is p.VAR_KEYWORD for p in parameters),
        )


_discover_all(DefaultPackager)
