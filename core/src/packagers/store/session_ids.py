"""Writer session ids: who made a file under ``tmp/``, and whether that writer still lives.

Nothing coordinates writers, so every temporary name starts with a session id that says when,
where and by which process it was made. ``gc`` reads it back: a session of this host whose
process is gone, or any session older than :data:`STALE_AFTER`, is dead and its files are
leftovers of a crash. Backends name their own temporary files this way too, so the ids sit
below both the backends and the write sessions (``sessions.py``) that use them.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import time
from dataclasses import dataclass

from packagers.store.versions import utc_second

__all__ = [
    "BLOB_GRACE",
    "CLOCK_SKEW",
    "STALE_AFTER",
    "TEMP_DIR",
    "SessionId",
    "new_session_id",
]

TEMP_DIR = "tmp"
#: Seconds after which a session of another host is presumed dead (its process cannot be asked).
STALE_AFTER = 24 * 3600.0
#: Seconds of clock difference tolerated between writers and the storage's modification times.
CLOCK_SKEW = 300.0
#: Seconds ``gc`` keeps an unreferenced blob of an object store after its modification time, so
#: that a writer needs no claim for a blob it uploads or finds young (``WriteSession.rely``): a
#: session's life, plus the clock skews and the margin that the writer's deadline allows for.
BLOB_GRACE = STALE_AFTER + 4 * CLOCK_SKEW
_ID = re.compile(r"(\d{8}T\d{6})Z-(\d+)-([0-9a-f]+)-([A-Za-z0-9]+)(?:\.|$)")


def new_session_id() -> str:
    """``20250102T030405Z-<pid>-<random>-<host>``: the name prefix of a writer's temporary files."""
    return f"{utc_second(int(time.time()))}Z-{os.getpid()}-{secrets.token_hex(4)}-{_host()}"


@functools.cache
def _host() -> str:
    """This machine's name, reduced to what a file name and the id pattern take."""
    import socket

    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:48] or "host"


@dataclass(frozen=True)
class SessionId:
    """A session id read back from a temporary name."""

    started: float
    pid: int
    host: str

    @classmethod
    def parse(cls, name: str) -> SessionId | None:
        """The session a ``tmp/`` file name belongs to, or None for a name we did not make."""
        import calendar

        match = _ID.match(name)
        if match is None:
            return None
        started = calendar.timegm(time.strptime(match.group(1), "%Y%m%dT%H%M%S"))
        return cls(started=float(started), pid=int(match.group(2)), host=match.group(4))

    def alive(self, now: float) -> bool:
        if self.host == _host():
            return _pid_alive(self.pid)
        return now - self.started < STALE_AFTER


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # elsewhere os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
