"""Writer sessions: whose temporary files are under ``tmp/``, and whether that writer still lives.

Nothing coordinates writers, so every temporary name starts with a session id that says when,
where and by which process it was made. ``gc`` reads it back: a session of this host whose
process is gone, or any session older than :data:`STALE_AFTER`, is dead and its files are
leftovers of a crash. A live session keeps blobs that are newer than its start, because its
manifests are written only after all its blobs.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packagers.store.versions import utc_second

if TYPE_CHECKING:
    from packagers.store.backends import Backend

__all__ = [
    "CLOCK_SKEW",
    "STALE_AFTER",
    "TEMP_DIR",
    "SessionId",
    "WriteSession",
    "claim_dir",
    "new_session_id",
]

TEMP_DIR = "tmp"
#: Seconds after which a session of another host is presumed dead (its process cannot be asked).
STALE_AFTER = 24 * 3600.0
#: Seconds of clock difference tolerated between writers and the storage's modification times.
CLOCK_SKEW = 300.0
_ID = re.compile(r"(\d{8}T\d{6})Z-(\d+)-([0-9a-f]+)-([A-Za-z0-9]+)(?:\.|$)")


def claim_dir(blob: str) -> str:
    """Where writers claim the existing blob ``blob`` (``tmp/claims/<hex>/<session>``)."""
    return f"{TEMP_DIR}/claims/{blob.rpartition('/')[2]}"


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


class WriteSession:
    """One ``log_packages`` call's files ``tmp/<id>.*``, with a marker or a claim before any blob.

    On object stores an upload is invisible until it completes, and a local store's hard-linked
    blob has no temporary file at all, so the marker (or a claim, see :meth:`claim`) is what
    tells a concurrent ``gc`` that a writer is busy. Flat names (no directory per session) keep
    a local log to a few syscalls.
    """

    def __init__(self, backend: Backend) -> None:
        self._id: str | None = None  # named on first use: logging only results stores no blob
        self._backend = backend
        self._count = 0
        self._marked = False
        self._claims: list[str] = []

    @property
    def id(self) -> str:
        if self._id is None:
            self._id = new_session_id()
        return self._id

    @property
    def announced(self) -> bool:
        """Whether gc sees this session already (its marker or a claim is written)."""
        return self._marked or bool(self._claims)

    def mark(self) -> None:
        """Announce the session to gc; call before storing any blob (done once)."""
        if not self.announced:
            self._backend.write(f"{TEMP_DIR}/{self.id}.session", b"")
            self._marked = True

    def temp(self, suffix: str = "") -> str:
        """A fresh temporary path (relative to the store root) in the marked session."""
        self.mark()
        self._count += 1
        return f"{TEMP_DIR}/{self.id}.{self._count}{suffix}"

    def claim(self, blob: str) -> None:
        """Tell gc this session's manifests will name ``blob``, so it must stay.

        For stores whose existing files cannot be touched cheaply (object stores): the claim is
        an empty file that gc looks for right before deleting an orphan. Being a file of the
        session, it also announces the session as a marker does, so a blob uploaded to the
        claimed name after it needs no marker of its own.
        """
        claim = f"{claim_dir(blob)}/{self.id}"
        self._backend.write(claim, b"")
        self._claims.append(claim)

    def close(self) -> None:
        """Remove the claims and the marker (other temporary files go with whoever made them)."""
        for claim in self._claims:  # the manifests naming the blobs are written by now
            self._backend.remove(claim)
        self._claims.clear()
        if self._marked:
            self._backend.remove(f"{TEMP_DIR}/{self.id}.session")
            self._marked = False
