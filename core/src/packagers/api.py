"""``log`` and ``load``: one object into the store and back, without writing a run."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from packagers.log_hint import LogHint
    from packagers.store import ArtifactRef, Store

__all__ = ["load", "log"]


def _store(store: Store | str | None) -> Store:
    from packagers.store import Store, get_store

    return store if isinstance(store, Store) else get_store(store)


def log(
    obj: Any,
    hint: str | dict[str, Any] | LogHint,
    *,
    project: str | None = None,
    store: Store | str | None = None,
) -> ArtifactRef | Any:
    """Pack ``obj`` under ``hint`` and store it; the ref, or the value itself for a result.

    The packer's file is read at most once, for its digest (made while it is written, see
    ``Packager.open_output``), and the packer's temporary files are deleted before returning.
    """
    from packagers.manager import PackagersManager

    target = _store(store)
    with PackagersManager() as manager:
        package = manager.pack(obj, hint)
        refs = manager.log(target, [package], project=project)
    return package.value if package.is_result else refs[package.key]


def load(
    uri_or_path: str | os.PathLike[str],
    type_hint: Any = None,
    *,
    store: Store | str | None = None,
) -> Any:
    """The object at a store URI, local path or fsspec URL, as ``type_hint`` asks.

    Without a hint a stored artifact comes back as its manifest records it, and a downloaded
    copy is deleted before returning. When the caller asks for the file itself (``Path``,
    ``str`` or ``DataItem``) the returned path is the caller's to read, copy or move away: it
    stays until this process exits, when packagers removes it (a file or an extracted folder
    under the system temporary directory; on a local store, a plain file may be the store's own
    read-only blob, which stays). See docs/store.md, "Loading a file or a folder".
    """
    from packagers._errors import UnpackingError
    from packagers.data_item import DataItem
    from packagers.manager import PackagersManager
    from packagers.store.uri import SCHEME

    location = os.fspath(uri_or_path)
    item: DataItem
    if location.startswith(SCHEME):
        item = _store(store).resolve(location)
    else:
        item = DataItem(location)
        if not item.exists():  # one clear error, not one per packager that tried
            raise UnpackingError(f"cannot load {location!r}: no such file, directory or URL")
    manager = PackagersManager()
    try:
        value = manager.unpack(item, type_hint)
    except BaseException:
        manager.clear()
        raise
    if type_hint is str or isinstance(value, (DataItem, os.PathLike)):  # the file is the value
        import atexit

        atexit.register(manager.clear)  # a path that vanished on return would be no use
    else:
        manager.clear()
    return value
