"""Plugin discovery through entry points in the ``packagers`` group, and the collection policy."""

from __future__ import annotations

from packagers.plugins._collector import ENTRY_POINT_GROUP
from packagers.plugins.collection import (
    add_custom_packager,
    clear_cache,
    collect,
    list_packagers,
    remove_custom_packager,
)
from packagers.plugins.records import Collection, PackagerRecord

__all__ = [
    "ENTRY_POINT_GROUP",
    "Collection",
    "PackagerRecord",
    "add_custom_packager",
    "clear_cache",
    "collect",
    "list_packagers",
    "remove_custom_packager",
]
