"""Collecting packagers: entry-point plugins and custom packagers, with the policy applied once.

Order is decided here and nowhere else: ascending priority (1 first); ties go to custom packagers
before plugins, then plugins by entry-point name, then the order a plugin returned its classes. The
core's own ``builtin`` plugin (the pickle fallback) is essential: it is always loaded and cannot be
blocked, like pytest's essential plugins.
"""

from __future__ import annotations

import functools
import importlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packagers._errors import CollectionError, ConfigError
from packagers._warnings import warn
from packagers.packager import Packager

if TYPE_CHECKING:
    import importlib.metadata
    from collections.abc import Iterable

__all__ = [
    "ACTIVE",
    "BLOCKED",
    "ENTRY_POINT_GROUP",
    "FAILED",
    "PLUGIN_PRIORITY",
    "Collection",
    "PackagerRecord",
    "add_custom_packager",
    "clear_cache",
    "collect",
    "list_packagers",
    "remove_custom_packager",
]

ENTRY_POINT_GROUP = "packagers"
ESSENTIAL_PLUGIN = "builtin"
PLUGIN_PRIORITY = 5
CUSTOM_PRIORITY = 3
CUSTOM_PLUGIN = "custom"

#: A record's ``state``: its packager is used, its plugin failed to load, or policy blocked it.
ACTIVE, FAILED, BLOCKED = "active", "failed", "blocked"
#: A packager whose library is not installed: listed, never used.
UNAVAILABLE = "unavailable"


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
    state: str = ACTIVE
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
            state=ACTIVE if missing is None else UNAVAILABLE,
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
    records: tuple[PackagerRecord, ...]
    #: The managers' shared dispatch cache: object type -> the packager classes handling it.
    dispatch: dict[type, tuple[type[Packager], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def active(self) -> tuple[PackagerRecord, ...]:
        return tuple(record for record in self.records if record.state == ACTIVE)

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


@dataclass(frozen=True)
class _Custom:
    packager: str | type[Packager]
    is_mandatory: bool
    priority: int | None

    @property
    def name(self) -> str:
        if isinstance(self.packager, str):
            return self.packager
        return self.packager.qualified_name()


_lock = threading.RLock()
_custom: dict[str, _Custom] = {}
_cache: dict[tuple[Any, ...], Collection] = {}


def add_custom_packager(
    packager: str | type[Packager],
    *,
    is_mandatory: bool = False,
    priority: int | None = None,
) -> None:
    """Register a packager class (or its ``"module.Class"`` name, imported at collection time).

    A mandatory one that fails to import or register makes collection fail; an optional one is
    skipped with a warning, and its type falls back to pickle.
    """
    if priority is not None and not (
        isinstance(priority, int) and not isinstance(priority, bool) and 1 <= priority <= 10
    ):
        raise CollectionError(f"priority must be an int from 1 to 10, got {priority!r}")
    if isinstance(packager, str):
        if "." not in packager.replace(":", "."):
            raise CollectionError(
                f"custom packager {packager!r} must be a class or a 'module.Class' name"
            )
    elif not (isinstance(packager, type) and issubclass(packager, Packager)):
        raise CollectionError(f"custom packager {packager!r} is not a Packager subclass")
    entry = _Custom(packager, is_mandatory, priority)
    with _lock:
        _custom[entry.name] = entry
        _cache.clear()


def remove_custom_packager(packager: str | type[Packager]) -> None:
    name = packager if isinstance(packager, str) else packager.qualified_name()
    with _lock:
        if _custom.pop(name, None) is None:
            raise CollectionError(
                f"custom packager {name!r} is not registered; registered: "
                f"{', '.join(_custom) or 'none'}"
            )
        _cache.clear()


def clear_cache() -> None:
    """Forget the collected packagers (after installing a plugin in a running process)."""
    with _lock:
        _cache.clear()


def collect() -> Collection:
    """The packagers as the current settings and custom registrations say, collected once."""
    from packagers._config import config

    settings = config.plugins
    cache_key = (settings.autoload, tuple(settings.mandatory), tuple(settings.blocked))
    with _lock:
        collection = _cache.get(cache_key)
        if collection is None:
            collection = _Collector(
                autoload=settings.autoload,
                mandatory=set(settings.mandatory),
                blocked=set(settings.blocked),
            ).run(_custom.values())
            _cache[cache_key] = collection
        return collection


def list_packagers() -> list[PackagerRecord]:
    """Every collected packager in priority order, with plugin, distribution and state."""
    return list(collect().records)


class _Collector:
    def __init__(self, *, autoload: bool, mandatory: set[str], blocked: set[str]) -> None:
        if ESSENTIAL_PLUGIN in blocked:
            raise ConfigError(
                f"MLRUN_PACKAGERS__PLUGINS__BLOCKED: {ESSENTIAL_PLUGIN!r} is the core's essential "
                "plugin (the pickle fallback) and cannot be blocked"
            )
        contradicted = sorted(mandatory & blocked)
        if contradicted:
            raise ConfigError(
                f"plugin(s) {', '.join(map(repr, contradicted))} are both mandatory "
                "(MLRUN_PACKAGERS__PLUGINS__MANDATORY) and blocked "
                "(MLRUN_PACKAGERS__PLUGINS__BLOCKED); remove them from one of the two"
            )
        self.autoload = autoload
        self.mandatory = mandatory
        self.blocked = blocked
        self.records: list[tuple[tuple[Any, ...], PackagerRecord]] = []

    def run(self, custom: Iterable[_Custom]) -> Collection:
        import importlib.metadata

        import pluggy

        from packagers.plugins import hookspecs

        manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        manager.add_hookspecs(hookspecs)
        entry_points = sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name
        )
        found = {ep.name for ep in entry_points}
        missing = sorted(self.mandatory - found)
        if missing:
            raise CollectionError(
                f"mandatory plugin(s) {', '.join(map(repr, missing))} are not installed "
                f"(installed plugins: {', '.join(sorted(found)) or 'none'}); "
                "install their distributions or change MLRUN_PACKAGERS__PLUGINS__MANDATORY"
            )
        unknown = sorted(self.blocked - found)
        if unknown:
            warn(
                f"MLRUN_PACKAGERS__PLUGINS__BLOCKED names {', '.join(map(repr, unknown))}, which "
                f"no installed plugin is called, so it blocks nothing (installed plugins: "
                f"{', '.join(sorted(found)) or 'none'})",
                ConfigError,
            )
        for rank, entry_point in enumerate(entry_points):
            self._load_plugin(manager, entry_point, rank)
        for rank, entry in enumerate(custom):
            self._load_custom(entry, rank)
        self._check_duplicates()
        self.records.sort(key=lambda pair: pair[0])
        return Collection(tuple(record for _, record in self.records))

    def _load_plugin(
        self, manager: Any, entry_point: importlib.metadata.EntryPoint, rank: int
    ) -> None:
        name = entry_point.name
        distribution = entry_point.dist.name if entry_point.dist else None
        version = entry_point.dist.version if entry_point.dist else None
        essential = name == ESSENTIAL_PLUGIN
        mandatory = name in self.mandatory
        if not essential and (name in self.blocked or not (self.autoload or mandatory)):
            reason = "blocked by settings" if name in self.blocked else "plugin autoload is off"
            self._add_plugin_record(
                (1, 10, name, 0), name, entry_point.value, distribution, version, BLOCKED, reason
            )
            return
        try:
            module = entry_point.load()
            manager.register(module, name=name)
            implementations = manager.hook.packagers_register.get_hookimpls()
            implementation = next(i for i in implementations if i.plugin_name == name)
            classes = list(implementation.function())
        except Exception as error:
            self._fail(
                name,
                distribution,
                mandatory or essential,
                error,
                lambda message: self._add_plugin_record(
                    (1, 10, name, 0),
                    name,
                    entry_point.value,
                    distribution,
                    version,
                    FAILED,
                    message,
                ),
            )
            return
        for position, cls in enumerate(classes):
            self._register_class(
                cls,
                name,
                distribution,
                version,
                PLUGIN_PRIORITY,
                mandatory or essential,
                (1, name, position, rank),
            )

    def _load_custom(self, entry: _Custom, rank: int) -> None:
        try:
            cls = (
                _import_class(entry.packager) if isinstance(entry.packager, str) else entry.packager
            )
        except Exception as error:
            self._fail(
                entry.name,
                None,
                entry.is_mandatory,
                error,
                lambda message: self._add_plugin_record(
                    (0, 10, entry.name, 0), CUSTOM_PLUGIN, entry.name, None, None, FAILED, message
                ),
            )
            return
        default = entry.priority if entry.priority is not None else CUSTOM_PRIORITY
        self._register_class(
            cls,
            CUSTOM_PLUGIN,
            None,
            None,
            default,
            entry.is_mandatory,
            (0, "", rank, 0),
            forced_priority=entry.priority,
        )

    def _register_class(
        self,
        cls: Any,
        plugin: str,
        distribution: str | None,
        version: str | None,
        default_priority: int,
        mandatory: bool,
        order: tuple[Any, ...],
        *,
        forced_priority: int | None = None,
    ) -> None:
        name = getattr(cls, "__qualname__", repr(cls))
        try:
            if not (isinstance(cls, type) and issubclass(cls, Packager)):
                raise CollectionError(f"{cls!r} is not a Packager subclass")
            name = cls.qualified_name()
            cls.validate()
            declared = cls.PRIORITY
            priority = (
                forced_priority
                if forced_priority is not None
                else default_priority
                if declared is ...
                else declared
            )
        except Exception as error:
            self._fail(
                name,
                distribution,
                mandatory,
                error,
                lambda message: self._add_plugin_record(
                    (order[0], 10, *order[1:]), plugin, name, distribution, version, FAILED, message
                ),
            )
            return
        record = PackagerRecord.of(
            cls,
            name=name,
            plugin=plugin,
            distribution=distribution,
            version=version,
            priority=priority,
        )
        self.records.append(((priority, order[0], *order[1:]), record))

    def _fail(
        self,
        name: str,
        distribution: str | None,
        mandatory: bool,
        error: BaseException,
        record: Any,
    ) -> None:
        source = f" (distribution {distribution})" if distribution else ""
        message = f"{type(error).__name__}: {error}"
        if mandatory:
            raise CollectionError(
                f"mandatory packager plugin {name!r}{source} failed to load: {message}"
            ) from error
        warn(
            f"optional packager plugin {name!r}{source} skipped, its types fall back to pickle: "
            f"{message}",
            CollectionError,
        )
        record(message)

    def _add_plugin_record(
        self,
        order: tuple[Any, ...],
        plugin: str,
        name: str,
        distribution: str | None,
        version: str | None,
        state: str,
        error: str,
    ) -> None:
        record = PackagerRecord(
            name=name,
            plugin=plugin,
            distribution=distribution,
            version=version,
            priority=10,
            packable_type="",
            state=state,
            error=error,
        )
        self.records.append(((11, *order), record))

    def _check_duplicates(self) -> None:
        seen: dict[str, PackagerRecord] = {}
        for _, record in self.records:
            if record.state != ACTIVE:
                continue
            other = seen.get(record.name)
            if other is not None:
                raise CollectionError(
                    f"two packagers named {record.name!r}: from plugin {other.plugin!r} and from "
                    f"plugin {record.plugin!r}; remove one of them"
                )
            seen[record.name] = record


def _import_class(name: str) -> type:
    module_name, sep, attribute = name.partition(":")
    if not sep:
        module_name, _, attribute = name.rpartition(".")
    module = importlib.import_module(module_name)
    target: Any = module
    for part in attribute.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]
