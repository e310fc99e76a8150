"""Checking and cleaning a store: what a crash or a damaged disk can leave behind.

A crash leaves at worst blobs no manifest references (written before their manifests) and
temporary uploads under ``tmp/``; never a manifest without its data. ``verify`` reports those and
any blob whose bytes no longer match its name; ``gc`` deletes what no live writer still needs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packagers._digest import stream_digest
from packagers.store.blobs import BLOB_DIR, blob_path, digest_of
from packagers.store.sessions import CLOCK_SKEW, STALE_AFTER, TEMP_DIR, SessionId

if TYPE_CHECKING:
    from packagers.store.artifacts_index import ArtifactIndex
    from packagers.store.backends import Backend

__all__ = ["VerifyReport", "collect_garbage", "verify_store"]


@dataclass(frozen=True)
class VerifyReport:
    """What ``Store.verify`` found; paths are relative to the store root.

    Orphaned blobs are wasted space (``gc`` reclaims them); missing or corrupt blobs are lost data.
    """

    orphaned_blobs: list[str]
    missing_blobs: list[str]
    corrupt_blobs: list[str]

    @property
    def ok(self) -> bool:
        return not self.missing_blobs and not self.corrupt_blobs


def _referenced(index: ArtifactIndex) -> set[str]:
    return {blob_path(m["digest"]) for m in index.all_manifests() if m.get("digest")}


def verify_store(backend: Backend, index: ArtifactIndex) -> VerifyReport:
    """Hash every blob and match blobs against manifests (reads the whole store)."""
    referenced = _referenced(index)
    blobs = backend.files(BLOB_DIR)
    corrupt = []
    for path in sorted(blobs):
        with backend.open_read(path) as stream:
            actual, _ = stream_digest(stream)
        if actual != digest_of(path):
            corrupt.append(path)
    return VerifyReport(
        orphaned_blobs=sorted(set(blobs) - referenced),
        missing_blobs=sorted(referenced - set(blobs)),
        corrupt_blobs=corrupt,
    )


def collect_garbage(backend: Backend, index: ArtifactIndex, *, dry_run: bool) -> list[str]:
    """Delete orphaned blobs and the temporary files of dead writers; return what was deleted.

    The order matters: blobs are listed first, then writer sessions, then manifests. A writer
    whose blob is in the listing either had ended by the time sessions were read (its manifests
    were written before its session ended, so they are read) or was seen alive, and any live one
    keeps the orphans newer than its start (its manifests are still to come). Reading sessions
    after the manifests would miss a writer that wrote its manifests and ended in between.
    """
    now = time.time()
    blobs = backend.files(BLOB_DIR)
    temp_files = backend.files(TEMP_DIR)
    referenced = _referenced(index)
    dead_files = []
    live_starts = []
    for path, mtime in temp_files.items():
        session = SessionId.parse(path.split("/")[1])
        if session is None:
            alive = mtime is None or now - mtime < STALE_AFTER
        else:
            alive = session.alive(now)
            if alive:
                live_starts.append(session.started)
        if not alive:
            dead_files.append(path)
    horizon = min(live_starts) - CLOCK_SKEW if live_starts else None
    orphans = [
        path
        for path, mtime in blobs.items()
        if path not in referenced and (horizon is None or (mtime is not None and mtime < horizon))
    ]
    removed = sorted([*orphans, *dead_files])
    if not dry_run:
        for path in removed:
            backend.remove(path)
    return removed
