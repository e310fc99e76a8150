"""What collecting packagers gives: a ``PackagerRecord`` for each packager, and the ``Collection``.

The records are what ``list_packagers()`` and ``packagers plugins`` show and what dispatch reads;
:mod:`packagers.plugins.collection` makes them (see there for the order).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packagers._str_enum import StrEnum

if TYPE_CHECKING:
    from packagers.packager import Packager

__all__ = [
    "CUSTOM_PLUGIN",
    "CUSTOM_PRIORITY",
    "PLUGIN_PRIORITY",
    "Collection",
    "PackagerRecord",
    "PackagerState",
]

#: The default priority of a plugin's packager, and of a custom packager (1 is tried first).
PLUGIN_PRIORITY = 5
CUSTOM_PRIORITY = 3
#: The ``plugin`` of a packager registered with ``add_custom_packager``.
CUSTOM_PLUGIN = "custom"


class PackagerState(StrEnum):
    """A record's ``state``."""

    ACTIVE = "active"  # its packager is used
    FAILED = "failed"  # its plugin or class failed to load
    BLOCKED = "blocked"  # policy kept its plugin out (blocked, or autoload off)
    UNAVAILABLE = "unavailable"  # the library it needs is not installed: listed, never used


@dataclass(frozen=True)
class PackagerRecord:
    """What ``list_packagers()`` reports for one packager (or a plugin that gave none)."""

    name: str
    plugin: str
    distribution: str | None
    version: str | None
    priority: int
    packable_type: str
    packing_artifact_types: tuple[str, ...] = ()
    unpacking_artifact_types: tuple[str, ...] = ()
    state: PackagerState = PackagerState.ACTIVE
    error: str | None = None
    packager_class: type[Packager] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(
        cls,
        packager: type[Packager],
        *,
        name: str,
        plugin: str,
        distribution: str | None,
        version: str | None,
        priority: int,
    ) -> PackagerRecord:
        """The record of a loaded packager class: its types are read from the class, and it is
        unavailable while the library it needs is not installed."""
        missing = packager.missing_library()
        return cls(
            name=name,
            plugin=plugin,
            distribution=distribution,
            version=version,
            priority=priority,
            packable_type=packager.packable_type_name(),
            packing_artifact_types=tuple(sorted(packager.packing_artifact_types())),
            unpacking_artifact_types=tuple(sorted(packager.unpacking_artifact_types())),
            state=PackagerState.ACTIVE if missing is None else PackagerState.UNAVAILABLE,
            error=None
            if missing is None
            else f"needs {packager.required_library()!r}, which is not installed: "
            f"pip install {missing}",
            packager_class=packager,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "plugin": self.plugin,
            "distribution": self.distribution,
            "version": self.version,
            "priority": self.priority,
            "packable_type": self.packable_type,
            "packing_artifact_types": list(self.packing_artifact_types),
            "unpacking_artifact_types": list(self.unpacking_artifact_types),
            "state": self.state,
            "error": self.error,
        }


@dataclass(frozen=True)
class Collection:
    """Every record of one collection pass, best first (failed and blocked ones last)."""

    records: tuple[PackagerRecord, ...]
    #: The managers' shared dispatch cache: object type -> the packager classes handling it.
    dispatch: dict[type, tuple[type[Packager], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def active(self) -> tuple[PackagerRecord, ...]:
        return tuple(record for record in self.records if record.state == PackagerState.ACTIVE)

    @functools.cached_property
    def distributions(self) -> frozenset[str]:
        """The distributions with at least one active packager."""
        return frozenset(record.distribution for record in self.active if record.distribution)

    @functools.cached_property
    def packing_artifact_types(self) -> frozenset[str]:
        """Every artifact type some active packager packs (what a log hint may ask for)."""
        return frozenset(t for record in self.active for t in record.packing_artifact_types)

    @functools.cached_property
    def by_name(self) -> dict[str, PackagerRecord]:
        """The active records by qualified name, best first: every manager of a run reads it."""
        return {record.name: record for record in self.active}
