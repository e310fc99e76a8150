"""The process's plugin collection: custom registrations, and ``collect()``, cached per settings.

A collection is made once for each combination of plugin settings and reused by every manager
(:mod:`packagers.plugins._collector` makes it; :mod:`packagers.plugins.records` is what it holds).
Registering or removing a custom packager, or ``clear_cache()``, makes the next ``collect()``
collect again.
"""

from __future__ import annotations

import threading
from typing import Any

from packagers._errors import CollectionError
from packagers.packager import Packager, is_priority
from packagers.plugins._collector import Collector, CustomEntry
from packagers.plugins.records import Collection, PackagerRecord

__all__ = [
    "add_custom_packager",
    "clear_cache",
    "collect",
    "list_packagers",
    "remove_custom_packager",
]

_lock = threading.RLock()
_custom: dict[str, CustomEntry] = {}
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
    if priority is not None and not is_priority(priority):
        raise CollectionError(f"priority must be an int from 1 to 10, got {priority!r}")
    if isinstance(packager, str):
        if "." not in packager.replace(":", "."):
            raise CollectionError(
                f"custom packager {packager!r} must be a class or a 'module.Class' name"
            )
    elif not (isinstance(packager, type) and issubclass(packager, Packager)):
        raise CollectionError(f"custom packager {packager!r} is not a Packager subclass")
    entry = CustomEntry(packager, is_mandatory, priority)
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
            collection = Collector(
                autoload=settings.autoload,
                mandatory=set(settings.mandatory),
                blocked=set(settings.blocked),
            ).run(_custom.values())
            _cache[cache_key] = collection
        return collection


def list_packagers() -> list[PackagerRecord]:
    """Every collected packager in priority order, with plugin, distribution and state."""
    return list(collect().records)
