"""The on-disk caches of projects (git checkouts, environments): where, locks, and pruning.

Both caches are directories of entries named by a digest. Using an entry refreshes its
modification time; pruning removes entries nobody used for ``projects.cache_days`` days, so a
cache stays as large as what is in use rather than growing with every commit or requirement
change. Pruning never removes an entry whose lock another process holds (a build in progress).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["cache_root", "entry_lock", "prune", "remove_tree", "touch"]

#: Prefixes of the working names: a clone or build in progress, or an entry being removed.
TEMPORARY = ".tmp-"
TRASH = ".trash-"
_LOCK_SUFFIX = ".lock"
_DAY = 86400.0


def _user_cache_dir() -> Path:
    """The platform's per-user cache directory (XDG on Linux)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def cache_root(setting: str | None, kind: str) -> Path:
    """The directory a ``projects.*_dir`` setting names, else ``<user cache>/packagers/<kind>``."""
    root = Path(setting).expanduser() if setting else _user_cache_dir() / "packagers" / kind
    root.mkdir(parents=True, exist_ok=True)
    return root.absolute()


@contextlib.contextmanager
def entry_lock(root: Path, name: str, *, blocking: bool = True) -> Iterator[bool]:
    """Hold the lock of entry ``name``; yields False when ``blocking`` is off and it is taken.

    An OS lock on an open file (``flock``, ``LockFileEx`` on Windows) rather than a lock file
    that exists or not: the OS drops it when its holder dies, so a killed build never leaves
    the entry locked for good.
    """
    descriptor = os.open(root / (name + _LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        acquired = _lock(descriptor, blocking)
        try:
            yield acquired
        finally:
            if acquired:
                _unlock(descriptor)
    finally:
        os.close(descriptor)


if sys.platform == "win32":
    import msvcrt

    def _lock(descriptor: int, blocking: bool) -> bool:
        mode = msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK
        while True:
            try:
                msvcrt.locking(descriptor, mode, 1)
                return True
            except OSError:
                if not blocking:
                    return False  # LK_LOCK gives up after ten seconds: try again

    def _unlock(descriptor: int) -> None:
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(descriptor: int, blocking: bool) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


def touch(path: Path) -> None:
    """Mark an entry as used now (what pruning reads)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def remove_tree(path: Path) -> None:
    """Remove a directory so that nobody sees it half-deleted: rename it away, then delete."""
    trash = path.with_name(f"{TRASH}{path.name}-{os.urandom(4).hex()}")
    try:
        path.rename(trash)
    except FileNotFoundError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def prune(root: Path, days: int, stamp: str | None = None) -> list[str]:
    """Remove the entries of ``root`` not used for ``days`` days; return their names.

    An entry's last use is the modification time of its ``stamp`` file (or of the entry itself).
    Leftovers of killed clones and builds (working names) are removed after a day.
    """
    now = time.time()
    removed = []
    for entry in root.iterdir():
        name = entry.name
        if name.endswith(_LOCK_SUFFIX) or not entry.is_dir():
            continue
        if name.startswith((TEMPORARY, TRASH)):
            if _age(entry, now) > _DAY:
                shutil.rmtree(entry, ignore_errors=True)
            continue
        marker = entry / stamp if stamp else entry
        if _age(marker if marker.exists() else entry, now) <= days * _DAY:
            continue
        with entry_lock(root, name, blocking=False) as free:
            if free:
                remove_tree(entry)
                removed.append(name)
    return removed


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0
