"""Version ids: unique without coordination, sorted by time, so concurrent writers lose nothing."""

from __future__ import annotations

import functools
import re
import secrets
import threading
import time

from packagers.store.errors import StoreError

__all__ = ["is_version_id", "match_version", "new_version_id", "utc_second"]

#: What :func:`new_version_id` makes, and all a stored file may name as a version.
_VERSION_ID = re.compile(r"\d{8}T\d{12}Z-[0-9a-f]{6}")
_lock = threading.Lock()
_last = 0  # microseconds since the epoch of the last id made here


def new_version_id() -> str:
    """``20250102T030405123456Z-1a2b3c``: UTC time, then random hex against other processes.

    Within one process the time part strictly increases, so a version logged after another one
    always sorts after it, even inside the same microsecond.
    """
    global _last
    with _lock:
        now = max(time.time_ns() // 1000, _last + 1)
        _last = now
    second, micro = divmod(now, 1_000_000)
    return f"{utc_second(second)}{micro:06d}Z-{secrets.token_hex(3)}"


def is_version_id(version: object) -> bool:
    """Whether ``version`` is a whole version id (it becomes a file name: nothing else may)."""
    return isinstance(version, str) and _VERSION_ID.fullmatch(version) is not None


@functools.lru_cache(maxsize=1)
def utc_second(second: int) -> str:
    """``20250102T030405``: the UTC time of ``second``, formatted once (ids are made in bursts)."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(second))


def match_version(wanted: str, versions: list[str], uri: str) -> str:
    """The one version ``wanted`` names, in full or as a unique prefix."""
    if wanted in versions:
        return wanted
    matches = sorted((v for v in versions if v.startswith(wanted)), reverse=True)
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise StoreError(
            f"{uri}: the version prefix {wanted!r} matches {len(matches)} versions ({shown}); "
            "give more characters"
        )
    newest = sorted(versions, reverse=True)[:5]
    raise StoreError(
        f"{uri}: no version {wanted!r}; the newest versions are: {', '.join(newest) or 'none'}"
    )
