"""The convention-based packager: ``pack_<type>`` / ``unpack_<type>`` methods name what it does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from packagers._errors import CollectionError, PackingError, UnpackingError
from packagers.artifacts import Artifact, ArtifactType
from packagers.packager import Packager

if TYPE_CHECKING:
    import inspect

    from packagers.data_item import DataItem

__all__ = ["DefaultPackager"]

_PACK = "pack_"
_UNPACK = "unpack_"


class DefaultPackager(Packager):
    """Routes each artifact type to its ``pack_<type>`` / ``unpack_<type>`` method.

    Packing and unpacking types are discovered independently, once per class: a type with only a
    ``pack_`` method is pack-only. ``result`` is packable unless ``RESULTS`` is False (a frame or
    an image is no JSON value) and ``object`` (pickle) is always both. Extra parameters of
    ``pack_<type>`` are the packing kwargs users pass in log hints; the dict it returns beside the
    artifact comes back to ``unpack_<type>`` as keyword arguments.
    """

    #: Whether the objects' values can be results (JSON values, as ``pack_result`` makes them):
    #: False keeps ``result`` out of the packing types, so nothing offers what would fail.
    RESULTS: ClassVar[bool] = True
    _discovered: ClassVar[_Methods | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._discovered = None

    @classmethod
    def _methods(cls) -> _Methods:
        """The class's pack/unpack methods, discovered on first use and then kept."""
        found = cls.__dict__.get("_discovered")
        if found is None:
            found = _discover_all(cls)
            cls._discovered = found
        return found

    @classmethod
    def packing_artifact_types(cls) -> frozenset[str]:
        return cls._methods().pack_types

    @classmethod
    def unpacking_artifact_types(cls) -> frozenset[str]:
        return cls._methods().unpack_types

    @classmethod
    def packing_kwargs(cls, artifact_type: str) -> dict[str, Any]:
        """The packing kwargs ``pack_<artifact_type>`` accepts, with their defaults."""
        return dict(cls._methods().pack_kwargs[artifact_type][0])

    @classmethod
    def validate(cls) -> None:
        super().validate()
        name = cls.qualified_name()
        methods = cls._methods()
        if cls.DEFAULT_PACKING_ARTIFACT_TYPE not in methods.pack:
            raise CollectionError(
                f"{name}: DEFAULT_PACKING_ARTIFACT_TYPE {cls.DEFAULT_PACKING_ARTIFACT_TYPE!r} has "
                f"no pack_{cls.DEFAULT_PACKING_ARTIFACT_TYPE} method; packing types: "
                f"{', '.join(sorted(methods.pack))}"
            )
        if cls.DEFAULT_UNPACKING_ARTIFACT_TYPE not in methods.unpack:
            raise CollectionError(
                f"{name}: DEFAULT_UNPACKING_ARTIFACT_TYPE {cls.DEFAULT_UNPACKING_ARTIFACT_TYPE!r} "
                f"has no unpack_{cls.DEFAULT_UNPACKING_ARTIFACT_TYPE} method; unpacking types: "
                f"{', '.join(sorted(methods.unpack))}"
            )
        for prefix, found, needed in ((_PACK, methods.pack, 2), (_UNPACK, methods.unpack, 1)):
            for artifact_type, signature in found.items():
                if not _takes_positional(signature, needed):
                    what = "the object and the key" if needed == 2 else "the data item"
                    raise CollectionError(
                        f"{name}.{prefix}{artifact_type}{signature} must take {what} as its "
                        "first positional arguments"
                    )
        for artifact_type, signature in methods.pack.items():
            for parameter in list(signature.parameters.values())[2:]:
                if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                    continue
                if parameter.default is parameter.empty:
                    raise CollectionError(
                        f"{name}.pack_{artifact_type}: packing kwarg {parameter.name!r} has no "
                        "default; every parameter after the object and the key must have one so "
                        "that a log hint without kwargs works"
                    )

    def pack(
        self,
        obj: Any,
        key: str,
        artifact_type: str,
        configurations: dict[str, Any],
    ) -> dict[str, Any] | tuple[Artifact, dict[str, Any]]:
        accepted_kwargs = self._methods().pack_kwargs.get(artifact_type)
        if accepted_kwargs is None:
            raise PackingError(
                f"{self.qualified_name()} cannot pack {artifact_type!r}; it packs: "
                f"{', '.join(sorted(self.packing_artifact_types()))}"
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
        if artifact_type not in self.unpacking_artifact_types():
            raise UnpackingError(
                f"{self.qualified_name()} cannot unpack {artifact_type!r}; it unpacks: "
                f"{', '.join(sorted(self.unpacking_artifact_types()))}"
            )
        return getattr(self, _UNPACK + artifact_type)(data_item, **instructions)

    # -- the types every DefaultPackager has ------------------------------------------------------

    def pack_result(self, obj: Any, key: str) -> dict[str, Any]:
        return {key: obj}

    def pack_object(self, obj: Any, key: str) -> tuple[Artifact, dict[str, Any]]:
        from packagers import _pickle
        from packagers.formats import PICKLE_SUFFIXES

        path = self.temp_path(key, PICKLE_SUFFIXES[0])
        instructions = _pickle.dump(obj, path)
        return Artifact(key, path, format="pkl"), instructions

    def unpack_object(self, data_item: DataItem, **instructions: Any) -> Any:
        from packagers import _pickle

        return _pickle.load(data_item.local(), instructions, what=repr(data_item.key))


class _Methods(NamedTuple):
    pack: dict[str, inspect.Signature]
    unpack: dict[str, inspect.Signature]
    pack_types: frozenset[str]
    unpack_types: frozenset[str]
    #: Per packing type: the accepted kwargs with defaults, and whether ``**kwargs`` takes any.
    pack_kwargs: dict[str, tuple[dict[str, Any], bool]]


def _takes_positional(signature: inspect.Signature, count: int) -> bool:
    """Whether a call with ``count`` positional arguments binds (``*args`` takes any number)."""
    positional = 0
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            return True
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= count


def _discover(cls: type, prefix: str) -> dict[str, inspect.Signature]:
    import inspect

    methods: dict[str, inspect.Signature] = {}
    for name in dir(cls):
        artifact_type = name[len(prefix) :]
        if not (name.startswith(prefix) and artifact_type):
            continue
        member = getattr(cls, name)
        if inspect.isfunction(member):
            signature = inspect.signature(member)
            parameters = list(signature.parameters.values())
            if not isinstance(inspect.getattr_static(cls, name), staticmethod):
                parameters = parameters[1:]  # drop self
            methods[artifact_type] = signature.replace(parameters=parameters)
    return methods


def _discover_all(cls: type[DefaultPackager]) -> _Methods:
    pack = _discover(cls, _PACK)
    if not cls.RESULTS:
        pack.pop(ArtifactType.RESULT, None)
    unpack = _discover(cls, _UNPACK)
    pack_kwargs = {}
    for artifact_type, signature in pack.items():
        parameters = list(signature.parameters.values())[2:]  # after the object and the key
        pack_kwargs[artifact_type] = (
            {
                p.name: p.default
                for p in parameters
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            },
            any(p.kind is p.VAR_KEYWORD for p in parameters),
        )
    return _Methods(pack, unpack, frozenset(pack), frozenset(unpack), pack_kwargs)
