"""Version ids: unique without coordination, sorted by time, so concurrent writers lose nothing."""

from __future__ import annotations

import secrets
import threading
from datetime import datetime, timedelta, timezone

from packagers.store.errors import StoreError

__all__ = ["match_version", "new_version_id"]

_lock = threading.Lock()
_last: datetime | None = None


def new_version_id() -> str:
    """``20250102T030405123456Z-1a2b3c``: UTC time, then random hex against other processes.

    Within one process the time part strictly increases, so a version logged after another one
    always sorts after it, even inside the same microsecond.
    """
    global _last
    with _lock:
        now = datetime.now(timezone.utc)
        if _last is not None and now <= _last:
            now = _last + timedelta(microseconds=1)
        _last = now
    return f"{now:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(3)}"


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
