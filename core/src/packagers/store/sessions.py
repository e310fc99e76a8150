"""Write sessions: a writer's temporary files and claims under ``tmp/``, announced to ``gc``.

Each file is named by the writer's session id (``session_ids.py``), from which ``gc`` tells
whether the writer still lives. A live session keeps blobs that are newer than its start,
because its manifests are written only after all its blobs. On an object store a writer mostly
announces nothing: gc keeps every blob younger than :data:`BLOB_GRACE`, and the session counts
on that for the blobs it uploads or finds young (:meth:`WriteSession.rely`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from packagers.store.session_ids import BLOB_GRACE, CLOCK_SKEW, TEMP_DIR, new_session_id

if TYPE_CHECKING:
    from packagers.store.backend import Backend

__all__ = ["WriteSession", "claim_dir"]


def claim_dir(blob: str) -> str:
    """Where writers claim the existing blob ``blob`` (``tmp/claims/<hex>/<session>``)."""
    return f"{TEMP_DIR}/claims/{blob.rpartition('/')[2]}"


class WriteSession:
    """One ``log_packages`` call's files ``tmp/<id>.*``, and what keeps its blobs from ``gc``.

    A local store's hard-linked blob has no temporary file at all, so a marker written before
    any blob is what tells a concurrent gc that a writer is busy. On an object store gc's grace
    period keeps the blobs a writer uploads or finds young (:meth:`rely`), and a claim
    (:meth:`claim`) the old ones it finds. Flat names (no directory per session) keep a local
    log to a few syscalls.
    """

    def __init__(self, backend: Backend) -> None:
        self._id: str | None = None  # named on first use: logging only results stores no blob
        self._backend = backend
        self._count = 0
        self._marked = False
        self._claims: list[str] = []
        self._deadlines: dict[str, float] = {}  # blob -> until when gc's grace keeps it

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
        session, it also announces the session as a marker does.
        """
        claim = f"{claim_dir(blob)}/{self.id}"
        self._backend.write(claim, b"")
        self._claims.append(claim)
        self._deadlines.pop(blob, None)  # kept by the claim instead

    def rely(self, blob: str, modified: float) -> bool:
        """Count on gc's grace period to keep ``blob``, last modified at ``modified`` (the
        storage's clock, or a time no later), until this session's manifests name it.

        False when that would not hold from now on: the writer claims the blob instead, at
        once or (:meth:`expired`) before its manifests.

        Why this is safe (``collect_garbage`` has gc's side): every clock is within ``k =
        CLOCK_SKEW`` of the storage's. gc deletes the blob only if its listing of the manifests
        missed the one naming it, so gc's scan began before that manifest was written, and only
        if ``modified < gc's now - BLOB_GRACE``, gc's now being read before its scan and at most
        ``k`` ahead. Both hold only for a manifest written after ``modified + BLOB_GRACE - k``
        by the storage's clock, ``- 2k`` by this writer's. The manifests are written within
        ``k`` of :meth:`expired`'s last look, hence the deadline ``- 3k``. A blob this writer
        uploads is modified no earlier than ``k`` before the upload began by the writer's clock:
        its deadline is a full session's life (``STALE_AFTER``) away.
        """
        deadline = max(modified + BLOB_GRACE - 3 * CLOCK_SKEW, self._deadlines.get(blob, 0.0))
        self._deadlines[blob] = deadline  # a past one too: :meth:`expired` tells it, unclaimed
        return deadline > time.time()

    def expired(self) -> set[str]:
        """The blobs :meth:`rely` counted on whose grace runs out before the manifests can be
        written: looked at once more right before them, and claimed (a writer slower than a
        session's life)."""
        now = time.time()
        return {blob for blob, deadline in self._deadlines.items() if deadline <= now}

    def close(self) -> None:
        """Remove the claims and the marker (other temporary files go with whoever made them)."""
        for claim in self._claims:  # the manifests naming the blobs are written by now
            self._backend.remove(claim)
        self._claims.clear()
        if self._marked:
            self._backend.remove(f"{TEMP_DIR}/{self.id}.session")
            self._marked = False
