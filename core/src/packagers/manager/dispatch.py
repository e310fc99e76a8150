"""Which packager takes an object or a file, and why the others do not: decided here only.

Packing, unpacking and ``packagers explain`` all read the same :class:`Verdict` per candidate
packager, so what explain prints is what the manager does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from packagers._errors import PackingError
from packagers.artifacts import ArtifactType
from packagers.formats import PICKLE_SUFFIXES, is_pickle
from packagers.packager import Packager
from packagers.plugins.collection import collect
from packagers.plugins.families import missing_family
from packagers.plugins.records import PLUGIN_PRIORITY, PackagerRecord
from packagers.type_hints import type_name

if TYPE_CHECKING:
    from packagers.data_item import DataItem

__all__ = [
    "ARTIFACT_TYPE",
    "DECLINED",
    "MISSING",
    "NOT_A_PICKLE",
    "OTHER_TYPE",
    "PICKLE_SUFFIXES",
    "SUBCLASS",
    "Dispatch",
    "Verdict",
    "decides_per_object",
    "hint_name",
]

#: Why a packager was not taken (``Verdict.code`` of a declined verdict); ``MISSING``: the
#: packager an artifact's manifest records is not here (or cannot reach the artifact's members).
OTHER_TYPE, SUBCLASS, ARTIFACT_TYPE, DECLINED, NOT_A_PICKLE, MISSING = (
    "other type",
    "subclass not packed",
    "artifact type",
    "declined",
    "not a pickle",
    "missing",
)
#: The code of an accepted verdict.
ACCEPTED = "accepted"
#: Stands for "no object, only its type" (``packagers explain TYPE``).
NO_OBJECT: Any = object()


class Verdict(NamedTuple):
    """One packager's answer: taken (as ``artifact_type``), or why not (``code``, ``reason``)."""

    packager: str
    accepted: bool
    reason: str = ""
    artifact_type: str | None = None
    code: str = ACCEPTED


class Dispatch:
    """The packager instances of one manager and the type -> packagers lookup.

    Instances are made on first use (runs are short) and hold their temporary files until
    :meth:`clear`.
    """

    def __init__(self, packagers: Iterable[type[Packager] | PackagerRecord] | None = None) -> None:
        if packagers is None:
            collection = collect()
            #: name -> record, and type -> packager classes: shared by every manager of this
            #: collection (one per run), never changed by one
            self.records = collection.by_name
            self._by_class = collection.dispatch
        else:
            records = [
                item if isinstance(item, PackagerRecord) else record_for(item, rank)
                for rank, item in enumerate(packagers)
            ]
            records.sort(key=lambda record: record.priority)
            self.records = {record.name: record for record in records}
            self._by_class = {}
        self._classes = [
            r.packager_class for r in self.records.values() if r.packager_class is not None
        ]
        self._instances: dict[type[Packager], Packager] = {}
        self._by_type: dict[type, tuple[Packager, ...]] = {}

    @property
    def packagers(self) -> tuple[Packager, ...]:
        """Every packager instance in priority order."""
        return tuple(self._instance(cls) for cls in self._classes)

    def _instance(self, cls: type[Packager]) -> Packager:
        packager = self._instances.get(cls)
        if packager is None:
            packager = self._instances[cls] = cls()
        return packager

    def packagers_for(self, tp: type) -> tuple[Packager, ...]:
        """The packagers that handle objects of ``tp``, best first (computed once per type)."""
        candidates = self._by_type.get(tp)
        if candidates is None:
            # Safe to keep even while some packagers' libraries are not imported: a class that
            # exists cannot subclass one that is imported later.
            classes = self._by_class.get(tp)
            if classes is None:
                classes = self._by_class[tp] = tuple(c for c in self._classes if c.handles_type(tp))
            candidates = self._by_type[tp] = tuple(self._instance(cls) for cls in classes)
        return candidates

    def packager(self, name: str) -> Packager | None:
        """The packager with this qualified name, when it is collected."""
        record = self.records.get(name)
        cls = None if record is None else record.packager_class
        return None if cls is None else self._instance(cls)

    def clear(self) -> None:
        """Delete the temporary files of the packagers used so far (no others were made)."""
        for packager in self._instances.values():
            packager.clear()

    # -- packing ----------------------------------------------------------------------------------

    def pack_verdicts(
        self, tp: type, artifact_type: str | None, obj: Any = NO_OBJECT, *, every: bool = False
    ) -> Iterator[Verdict]:
        """The verdicts on packing ``obj`` (or any object of ``tp``), in priority order.

        Packing takes the first accepted one; ``every`` adds the packagers of other types.
        """
        packagers = self.packagers if every else self.packagers_for(tp)
        for packager in packagers:
            yield pack_verdict(packager, tp, artifact_type, obj)

    def choose_packer(self, obj: Any, artifact_type: str | None) -> tuple[Packager, str]:
        """The packager and artifact type ``obj`` is packed with, or a ``PackingError``."""
        tp = type(obj)
        for packager in self.packagers_for(tp):  # each handles tp: as pack_verdict, minus why not
            chosen_type = _packs_as(packager, obj, artifact_type)
            if chosen_type is not None:
                return packager, chosen_type
        offers = "; ".join(
            f"{p.qualified_name()} packs {', '.join(sorted(p.packing_artifact_types()))}"
            for p in self.packagers_for(tp)
        )
        family = missing_family(tp)
        install = f"; pip install {family} to pack it in its own formats" if family else ""
        raise PackingError(
            f"no packager packs a {type_name(tp)} as {artifact_type!r}. "
            f"Packagers for this type: {offers or 'none'}{install}"
        )


def pack_verdict(packager: Packager, tp: type, artifact_type: str | None, obj: Any) -> Verdict:
    """Whether ``packager`` packs ``obj`` (or, with ``NO_OBJECT``, objects of ``tp``)."""
    name = packager.qualified_name()
    if not packager.handles_type(tp):
        handled = packager.packable_type_name()
        packable = packager.packable_type()
        if isinstance(packable, type) and isinstance(tp, type) and issubclass(tp, packable):
            reason = f"handles {handled} but not its subclasses (PACK_SUBCLASSES is off)"
            return Verdict(name, False, reason, code=SUBCLASS)
        return Verdict(name, False, f"handles {handled}", code=OTHER_TYPE)
    if obj is NO_OBJECT:
        refused = _refuses_artifact_type(packager, name, artifact_type)
        if refused is not None:
            return refused
        declines, retypes = decides_per_object(packager)
        caveats = [
            *(["its is_packable may decline some objects"] if declines else []),
            *(
                [f"{packager.DEFAULT_PACKING_ARTIFACT_TYPE!r} is its default: it picks per object"]
                if retypes and artifact_type is None
                else []
            ),
        ]
        return Verdict(
            name,
            True,
            "; ".join(caveats),
            artifact_type=artifact_type or packager.DEFAULT_PACKING_ARTIFACT_TYPE,
        )
    chosen_type = _packs_as(packager, obj, artifact_type)
    if chosen_type is not None:
        return Verdict(name, True, artifact_type=chosen_type)
    refused = _refuses_artifact_type(packager, name, artifact_type)
    if refused is not None:
        return refused
    reason = f"handles {packager.packable_type_name()} but declines this object (is_packable)"
    return Verdict(name, False, reason, code=DECLINED)


def decides_per_object(packager: Packager) -> tuple[bool, bool]:
    """Whether the packager looks at each object, beyond its type: to decline it (its own
    ``is_packable``), and to pick its artifact type (``get_default_packing_artifact_type``)."""
    cls = type(packager)
    return (
        cls.is_packable is not Packager.is_packable,
        cls.get_default_packing_artifact_type is not Packager.get_default_packing_artifact_type,
    )


def _packs_as(packager: Packager, obj: Any, artifact_type: str | None) -> str | None:
    """The artifact type a packager of ``type(obj)`` packs ``obj`` as, or None when it declines."""
    if not packager.is_packable(obj, artifact_type):
        return None
    if artifact_type is not None:
        return artifact_type
    return packager.get_default_packing_artifact_type(obj)


def _refuses_artifact_type(
    packager: Packager, name: str, artifact_type: str | None
) -> Verdict | None:
    packs = packager.packing_artifact_types()
    if artifact_type is None or artifact_type in packs:
        return None
    reason = f"does not pack {artifact_type!r}; packs {', '.join(sorted(packs))}"
    return Verdict(name, False, reason, code=ARTIFACT_TYPE)


def unpack_verdict(packager: Packager, data_item: DataItem, hint: Any) -> Verdict:
    """Whether ``packager`` would try a plain (never packed) file for ``hint``, and as what."""
    name = packager.qualified_name()
    artifact_type = packager.get_default_unpacking_artifact_type(data_item)
    if artifact_type == ArtifactType.OBJECT and not is_pickle(data_item.suffix):
        reason = "the file is not a pickle (no .pkl suffix)"
        return Verdict(name, False, reason, artifact_type, NOT_A_PICKLE)
    if not packager.is_unpackable(data_item, hint, artifact_type):
        return Verdict(name, False, f"declines {artifact_type!r}", artifact_type, DECLINED)
    return Verdict(name, True, artifact_type=artifact_type)


def hint_name(hint: Any) -> str:
    """A type hint as a user wrote it: ``DataFrame``, ``int | None``."""
    if isinstance(hint, type):
        return hint.__qualname__
    return str(hint).replace("typing.", "")


def record_for(cls: type[Packager], rank: int) -> PackagerRecord:
    """The record of a packager class given to a manager directly (tests, plugin checks)."""
    cls.validate()
    priority = cls.PRIORITY if cls.PRIORITY is not ... else PLUGIN_PRIORITY
    return PackagerRecord.of(
        cls,
        name=cls.qualified_name(),
        plugin="direct",
        distribution=None,
        version=None,
        priority=priority,
    )
