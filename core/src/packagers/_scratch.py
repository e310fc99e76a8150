"""The process's private folder for packers' temporary files: one ``mkdir`` per process.

A folder per log was one more inode to allocate and to free each time, which on some disks
costs up to a millisecond for minutes after many deletions (ext4 steps over every recently
freed inode of a group when it allocates one). A name is taken until it is released, so
threads that pack the same key at once never share a file. The folder is removed when the
process exits (a child of ``multiprocessing`` too, a dask worker's among them); a process that
ends by ``os._exit`` otherwise calls :func:`remove` first (the test suite does, for
pytest-xdist's workers). A forked child makes its own, as its parent may remove theirs at any
time.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time

__all__ = ["folder", "release", "remove", "scratch_path"]

_folder: tuple[str, float] | None = None  # its path, and when it was last seen to exist
_RECHECK_SECONDS = 60.0
_numbers = itertools.count(2)
_lock = threading.Lock()
_taken: set[str] = set()


def scratch_path(key: str, suffix: str) -> str:
    """A path no one else uses, in this process's private folder: ``<key><suffix>``, or
    ``<key>-<n><suffix>`` while that name is taken (the suffix last: readers dispatch on it)."""
    where = folder()
    with _lock:
        path = os.path.join(where, f"{key}{suffix}")
        while path in _taken or os.path.lexists(path):
            path = os.path.join(where, f"{key}-{next(_numbers)}{suffix}")
        _taken.add(path)
    return path


def release(path: str) -> None:
    """``path`` is deleted: its name may be given again."""
    with _lock:
        _taken.discard(path)


def folder() -> str:
    """This process's folder: made on first use, and again in a forked child, or if a temp
    cleaner removed it (looked at once a minute at most: a ``stat`` per log costs more than
    the rest of naming a file).

    No lock: two threads that both make one each use theirs, and both go at exit.
    """
    global _folder
    now = time.monotonic()
    if _folder is not None and now - _folder[1] < _RECHECK_SECONDS:
        return _folder[0]
    if _folder is not None and os.path.isdir(_folder[0]):
        _folder = (_folder[0], now)
        return _folder[0]
    import atexit
    import tempfile

    pid = os.getpid()
    path = tempfile.mkdtemp(prefix="packagers-")
    atexit.register(_remove, pid, path)
    if "multiprocessing.util" in sys.modules:  # its children end by os._exit, not atexit
        from multiprocessing.util import Finalize

        Finalize(None, _remove, args=(pid, path), exitpriority=0)
    _folder = (path, now)
    return path


def _forget() -> None:
    """In a forked child: its own folder, and a new lock (one another thread held at the fork
    would never be released)."""
    global _folder, _lock
    _folder = None
    _lock = threading.Lock()
    _taken.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)


def remove() -> None:
    """Remove this process's folder now, for a process that will end by ``os._exit`` (atexit
    handlers do not run then: a pytest-xdist worker is one). A later path makes a new one."""
    global _folder
    if _folder is not None:
        _remove(os.getpid(), _folder[0])
        _folder = None


def _remove(pid: int, path: str) -> None:
    """At exit, only in the process that made it (a forked child runs its parent's handlers)."""
    import shutil

    if os.getpid() == pid:
        shutil.rmtree(path, ignore_errors=True)
