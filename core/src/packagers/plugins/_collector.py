"""One pass of collecting packagers: discovering plugins, applying the policy, ordering records.

Order is decided here and nowhere else: ascending priority (1 first); ties go to custom packagers
before plugins, then plugins by entry-point name, then the order a plugin returned its classes. The
core's own ``builtin`` plugin (the pickle fallback) is essential: it is always loaded and cannot be
blocked, like pytest's essential plugins.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packagers._errors import CollectionError, ConfigError
from packagers._warnings import warn
from packagers.packager import LAST_PRIORITY, Packager
from packagers.plugins.records import (
    CUSTOM_PLUGIN,
    CUSTOM_PRIORITY,
    PLUGIN_PRIORITY,
    Collection,
    PackagerRecord,
    PackagerState,
)

if TYPE_CHECKING:
    import importlib.metadata
    from collections.abc import Iterable

__all__ = ["ENTRY_POINT_GROUP", "ESSENTIAL_PLUGIN", "Collector", "CustomEntry"]

#: The entry-point group a plugin's distribution registers its module under.
ENTRY_POINT_GROUP = "packagers"
#: The core's own plugin: always loaded, never blocked.
ESSENTIAL_PLUGIN = "builtin"


@dataclass(frozen=True)
class CustomEntry:
    """A packager registered with ``add_custom_packager``: a class, or its name to import."""

    packager: str | type[Packager]
    is_mandatory: bool
    priority: int | None

    @property
    def name(self) -> str:
        if isinstance(self.packager, str):
            return self.packager
        return self.packager.qualified_name()


class Collector:
    """One collection pass: plugins from entry points, then custom packagers, then the order.

    The policy (autoload, mandatory, blocked, the essential plugin) is checked when it is made
    and applied as each plugin loads; a failure of anything mandatory raises, of anything
    optional warns and is recorded as ``failed``.
    """

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

    def run(self, custom: Iterable[CustomEntry]) -> Collection:
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
                (1, name, 0),
                name,
                entry_point.value,
                distribution,
                version,
                PackagerState.BLOCKED,
                reason,
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
                    (1, name, 0),
                    name,
                    entry_point.value,
                    distribution,
                    version,
                    PackagerState.FAILED,
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

    def _load_custom(self, entry: CustomEntry, rank: int) -> None:
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
                    (0, entry.name, 0),
                    CUSTOM_PLUGIN,
                    entry.name,
                    None,
                    None,
                    PackagerState.FAILED,
                    message,
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
                    order, plugin, name, distribution, version, PackagerState.FAILED, message
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
        self.records.append(((priority, *order), record))

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
        state: PackagerState,
        error: str,
    ) -> None:
        record = PackagerRecord(
            name=name,
            plugin=plugin,
            distribution=distribution,
            version=version,
            priority=LAST_PRIORITY,
            packable_type="",
            state=state,
            error=error,
        )
        self.records.append(((LAST_PRIORITY + 1, *order), record))  # after every loaded one

    def _check_duplicates(self) -> None:
        seen: dict[str, PackagerRecord] = {}
        for _, record in self.records:
            if record.state != PackagerState.ACTIVE:
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
