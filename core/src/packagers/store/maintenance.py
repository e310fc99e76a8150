"""Checking and cleaning a store: what a crash or a damaged disk can leave behind.

A crash leaves at worst blobs no manifest references (written before their manifests), temporary
uploads under ``tmp/`` and previews whose version has no manifest (on an object store a preview
is written alongside the manifest); never a manifest without its data. ``verify`` reports the
orphaned blobs, any blob whose bytes no longer match its name, and any manifest, tag or run
record that cannot be trusted (an orphaned preview is no damage: nothing reads it); ``gc``
deletes what no live writer still needs, and nothing while a manifest cannot be read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packagers._digest import ALGORITHM, PATTERN, stream_digest
from packagers.store.artifacts_index import manifest_of_preview
from packagers.store.blobs import BLOB_DIR, blob_path, digest_of
from packagers.store.errors import StoreError
from packagers.store.session_ids import (
    BLOB_GRACE,
    CLOCK_SKEW,
    STALE_AFTER,
    TEMP_DIR,
    SessionId,
)
from packagers.store.sessions import WriteSession, claim_dir

if TYPE_CHECKING:
    from packagers.store.artifacts_index import ArtifactIndex, Scan
    from packagers.store.backend import Backend
    from packagers.store.runs import RunIndex

__all__ = ["VerifyReport", "collect_garbage", "verify_store"]

#: The suffix of a blob gc moved aside (``tmp/<gc session>.<n>.<hex>.aside``) while it decides.
_ASIDE = ".aside"


@dataclass(frozen=True)
class VerifyReport:
    """What ``Store.verify`` found; paths are relative to the store root.

    Orphaned blobs are wasted space (``gc`` reclaims them); missing or corrupt blobs are lost data;
    damaged files (path -> what is wrong) are manifests, tags or run records changed from outside.
    """

    orphaned_blobs: list[str]
    missing_blobs: list[str]
    corrupt_blobs: list[str]
    damaged_files: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.missing_blobs and not self.corrupt_blobs and not self.damaged_files


def _referenced(scan: Scan) -> set[str]:
    return {blob_path(m["digest"]) for m in scan.manifests if m.get("digest")}


def verify_store(backend: Backend, index: ArtifactIndex, runs: RunIndex) -> VerifyReport:
    """Hash every blob, match blobs against manifests, and check every JSON file it reads."""
    scan = index.scan()
    referenced = _referenced(scan)
    blobs = set(backend.files(BLOB_DIR))
    corrupt = []
    for path in sorted(blobs):
        try:
            with backend.open_read(path) as stream:
                actual, _ = stream_digest(stream)
        except FileNotFoundError:  # a concurrent gc deleted it: missing if a manifest names it
            blobs.discard(path)
            continue
        if actual != digest_of(path):
            corrupt.append(path)
    return VerifyReport(
        orphaned_blobs=sorted(blobs - referenced),
        missing_blobs=sorted(referenced - blobs),
        corrupt_blobs=corrupt,
        damaged_files=dict(sorted({**scan.damaged, **runs.damaged()}.items())),
    )


def collect_garbage(backend: Backend, index: ArtifactIndex, *, dry_run: bool) -> list[str]:
    """Delete orphaned blobs and previews, and the temporary files of dead writers; return what
    was deleted.

    The order matters: blobs are listed first, then writer sessions, then manifests. A writer
    whose blob is in the listing either had ended by the time sessions were read (its manifests
    were written before its session ended, so they are read) or was seen alive, and any live one
    keeps the orphans newer than its start (its manifests are still to come). Reading sessions
    after the manifests would miss a writer that wrote its manifests and ended in between. A
    writer that reuses an older blob after the listing claims it (a new modification time),
    which ``Backend.discard`` checks as it deletes.

    On an object store a writer claims only an old blob it reuses, so gc also keeps every blob
    modified less than :data:`BLOB_GRACE` before its ``now`` (read before any listing), and one
    of unknown age. A writer counts on that for a blob it uploads, or finds modified recently
    enough that the grace covers it until its manifests are written (``WriteSession.rely``
    has the arithmetic, clock skew included); a writer slower than that looks again and claims.
    So gc deletes such a blob only if its manifest came after the grace ran out, which the
    writer does not let happen; a gc whose listing came before the upload never sees the blob;
    and a blob deleted before the writer's look is missing to it, and uploaded again. An old
    blob the writer found is claimed and then looked at again: a claim gc sees keeps it, and a
    gc that deleted it first leaves it missing to that second look. A young orphan therefore
    survives every gc for the grace period (a day and twenty minutes). A local store needs no
    grace: its claims and gc's deletions are atomic mirror images (``local_backend.py``).

    A preview whose version has no manifest is kept on the same terms as an orphaned blob: on an
    object store a log writes it alongside its manifest, maybe first, and counts on the
    grace period as it does for a blob it uploads (a log slower than that may lose its preview,
    never its data); locally a log writes it after the manifest. Right before deleting one, gc
    looks for its manifest again, which a log that finished since has written.

    A manifest that cannot be read may name any blob: then nothing is deleted at all.
    """
    now = time.time()
    blobs = backend.files(BLOB_DIR)
    temp_files = backend.files(TEMP_DIR)
    scan = index.scan()
    if scan.damaged_manifests:
        shown = "\n".join(f"  {path} {scan.damaged[path]}" for path in scan.damaged_manifests)
        raise StoreError(
            f"gc deleted nothing from the store {backend.url}: these manifests cannot be read, "
            f"and the blobs they name would look orphaned:\n{shown}\nrestore or delete them "
            "(`packagers store verify` lists every damaged file), then run gc again"
        )
    referenced = _referenced(scan)
    dead_files: list[str] = []
    stranded: list[str] = []  # blobs a gc that died had moved aside: they go back, not away
    live_starts = []
    for path, mtime in temp_files.items():
        parts = path.split("/")  # tmp/<id>.<n>, tmp/<id>/..., or a claim tmp/claims/<hex>/<id>
        session = SessionId.parse(parts[-1] if parts[1] == "claims" else parts[1])
        if session is None:
            alive = mtime is None or now - mtime < STALE_AFTER
        else:
            alive = session.alive(now)
            if alive:
                live_starts.append(session.started)
        if not alive:
            (stranded if _stranded_blob(path) else dead_files).append(path)
    horizon = min(live_starts) - CLOCK_SKEW if live_starts else None
    if not backend.is_local:
        horizon = min(horizon or now, now - BLOB_GRACE)
    orphans = [
        path for path, mtime in blobs.items() if path not in referenced and _older(mtime, horizon)
    ]
    previews = [path for path, mtime in scan.orphaned_previews().items() if _older(mtime, horizon)]
    if dry_run:
        return sorted([*orphans, *previews, *dead_files])
    gc_session = WriteSession(backend)
    try:
        for path in stranded:
            backend.commit(path, _stranded_blob(path))  # type: ignore[arg-type]
        removed = []
        for path in orphans:
            if backend.listdir(claim_dir(path)):  # a writer reuses it: its manifest is coming
                continue
            aside = gc_session.temp(f".{path.rpartition('/')[2]}{_ASIDE}")
            if backend.discard(path, blobs[path], aside):
                removed.append(path)
        for path in previews:
            if not backend.exists(manifest_of_preview(path)):  # its log ended meanwhile
                backend.remove(path)
                removed.append(path)
        for path in dead_files:
            backend.remove(path)
    finally:
        gc_session.close()
    return sorted([*removed, *dead_files])


def _older(mtime: float | None, horizon: float | None) -> bool:
    """Whether a file modified at ``mtime`` (None: unknown, as young as can be) is old enough
    for gc: no horizon keeps it, or it was modified before the horizon."""
    return horizon is None or (mtime is not None and mtime < horizon)


def _stranded_blob(temp: str) -> str | None:
    """The blob path a file gc moved aside belongs to, or None for any other temporary file."""
    if not temp.endswith(_ASIDE):
        return None
    digest = f"{ALGORITHM}:{temp[: -len(_ASIDE)].rpartition('.')[2]}"
    return blob_path(digest) if PATTERN.fullmatch(digest) else None
