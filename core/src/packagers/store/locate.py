"""Whether a URL names a store, and which directories nearby do: a typo is not an empty store.

Writing creates a store where it is asked to; a command that only reads must instead say that
nothing is there, and point at the store the user probably meant.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from packagers._suggest import close_names, suggestion
from packagers.store.artifacts_index import ARTIFACTS_DIR
from packagers.store.blobs import BLOB_DIR
from packagers.store.errors import StoreNotFoundError
from packagers.store.runs import RUNS_DIR

if TYPE_CHECKING:
    from packagers.store.backend import Backend

__all__ = ["holds_store", "require_store"]

#: The top-level directories of which any one makes a directory a store.
_LAYOUT = (ARTIFACTS_DIR, BLOB_DIR.partition("/")[0], RUNS_DIR)
#: The default store, relative to the current directory (the ``store.url`` setting's default).
_DEFAULT = ".packagers"


def holds_store(path: str) -> bool:
    """Whether the local directory ``path`` has a store's layout."""
    return any(os.path.isdir(os.path.join(path, part)) for part in _LAYOUT)


def require_store(backend: Backend) -> None:
    """Raise :class:`StoreNotFoundError` unless the store's root is a directory."""
    kind = backend.root_kind()
    if kind == "directory":
        return
    problem = "is a file, not a store directory" if kind == "file" else "does not exist"
    nearby = _nearby_stores(backend.url) if backend.is_local else []
    hint = suggestion(nearby)
    raise StoreNotFoundError(
        f"no store at {backend.url}: it {problem}{hint} (only logging or running creates a store)"
    )


def _nearby_stores(path: str, limit: int = 3) -> list[str]:
    """Stores around ``path``: its parents, its close-named siblings, the default one here."""
    found: list[str] = []
    parent = os.path.dirname(path)
    while parent and not os.path.isdir(parent):
        parent = os.path.dirname(parent)
    ancestor = parent
    while ancestor:
        if holds_store(ancestor):
            found.append(ancestor)
        ancestor, previous = os.path.dirname(ancestor), ancestor
        if ancestor == previous:
            break
    if parent:
        names = [
            entry.name
            for entry in os.scandir(parent)
            if entry.is_dir() and holds_store(entry.path) and entry.path != path
        ]
        wanted = os.path.basename(path)
        close = close_names(wanted, names, limit=limit, cutoff=0.5)
        found[:0] = [os.path.join(parent, name) for name in close]
    default = os.path.abspath(_DEFAULT)
    if holds_store(default):
        found.append(default)
    unique = list(dict.fromkeys(found))
    return unique[:limit]
