"""Content-addressed blobs: ``blobs/blake3/ab/<hex>``, hashed while they stream into the store.

A blob is named by the digest of its bytes (``packagers._digest``), so identical data is stored
once and a reader can always check what it got. The digest is computed in the same pass that
writes the temporary upload (one read of the packer's file, no local copy); the complete upload
is then moved to its name, which is atomic on a local disk and a server-side copy on object
stores. A packer's own temporary file on the store's disk is hard-linked instead of copied: one
read, no write. A remote store is asked first whether it holds the digest already, so logging the
same data again uploads nothing; the same look tells whether the blob is young enough for gc to
keep it without a claim (``_held``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packagers._digest import ALGORITHM, PATTERN, file_digest, new_hasher, text
from packagers.store.errors import StoreError
from packagers.store.session_ids import CLOCK_SKEW

if TYPE_CHECKING:
    from packagers.store.backend import Backend
    from packagers.store.sessions import WriteSession

__all__ = ["BLOB_DIR", "Blob", "ProgressCallback", "blob_path", "digest_of", "put_file"]

BLOB_DIR = f"blobs/{ALGORITHM}"
_CHUNK = 8 << 20  # per write of a copy, and per progress report

#: Told (bytes done, bytes in all) as a file streams in.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Blob:
    """A stored blob: its digest, size and path relative to the store root."""

    digest: str
    size: int
    path: str


def blob_path(digest: str) -> str:
    """Where the blob with ``digest`` (``blake3:<hex>``) lives, relative to the store root."""
    match = PATTERN.fullmatch(digest) if isinstance(digest, str) else None
    if match is None:
        raise StoreError(f"invalid digest {digest!r}; expected {ALGORITHM}:<64 hex digits>")
    hexdigest = match.group(1)
    return f"{BLOB_DIR}/{hexdigest[:2]}/{hexdigest}"


def digest_of(path: str) -> str | None:
    """The digest a blob path stands for, or None for a path that is not a blob's."""
    directory, _, name = path.rpartition("/")
    digest = f"{ALGORITHM}:{name}"
    if directory != f"{BLOB_DIR}/{name[:2]}" or not PATTERN.fullmatch(digest):
        return None
    return digest


def put_file(
    backend: Backend,
    src: str,
    session: WriteSession,
    *,
    key: str,
    temporary: bool = False,
    expected: str | None = None,
    progress: ProgressCallback | None = None,
) -> Blob:
    """Store the local file ``src``; ``expected`` is a digest the packer already computed.

    A ``temporary`` file (a packer's own, deleted after the run) on the store's disk is
    hard-linked instead of copied: one read, no write; none when the manager already made its
    digest (nobody else writes a packer's temporary file, and every read checks the digest).
    On a remote store it is uploaded once, straight to its name, where uploads are atomic.
    """
    if backend.is_local and temporary:
        session.mark()
        if expected is None:
            digest, size = file_digest(src, progress)
        else:
            digest, size = expected, os.path.getsize(src)
            if progress is not None:
                progress(size, size)
        path = blob_path(digest)
        if backend.link(src, path):
            return Blob(digest, size, path)
    elif not backend.is_local:
        # An upload costs far more than a local read: hash first, and send nothing the store
        # holds already. A packer's temporary file changes no more, so it goes straight to its
        # name; any other file is hashed again while it streams, in case it changed meanwhile.
        if expected is None:
            expected, size = file_digest(src)
        else:
            size = os.path.getsize(src)
        path = blob_path(expected)
        if _held(backend, session, path, size) or (temporary and _put(backend, session, src, path)):
            if progress is not None:
                progress(size, size)
            return Blob(expected, size, path)
    started = time.time()
    total = os.path.getsize(src)
    temp = session.temp(".part")
    try:
        hasher = new_hasher()
        size = 0
        with open(src, "rb") as source, backend.open_write(temp) as target:
            while chunk := source.read(_CHUNK):  # fresh bytes: a remote writer may keep them
                hasher.update(chunk)
                target.write(chunk)
                size += len(chunk)
                if progress is not None:
                    progress(size, total)
        digest = text(hasher)
        _check(key, expected, digest)
        path = blob_path(digest)
        backend.commit(temp, path)
    except BaseException:
        backend.remove(temp)
        raise
    if not backend.is_local:  # the move gives the blob a new modification time
        session.rely(path, started - CLOCK_SKEW)
    return Blob(digest, size, path)


def _put(backend: Backend, session: WriteSession, src: str, path: str) -> bool:
    """Upload ``src`` straight to ``path`` where that is atomic; gc's grace period keeps it.

    Its modification time is that of the upload's start or later, and the storage's clock is
    at most ``CLOCK_SKEW`` behind ours.
    """
    started = time.time()
    if not backend.put(src, path):
        return False
    session.rely(path, started - CLOCK_SKEW)
    return True


def _held(backend: Backend, session: WriteSession, path: str, size: int) -> bool:
    """Whether the remote store holds ``path`` already, kept for this writer's manifest.

    Each step is a round trip: one look (a HEAD), which also tells the blob's age. gc keeps a
    blob younger than its grace period, so a young one is counted on as it is
    (``WriteSession.rely``). Only an old one (an orphan of a crash, or data logged long ago
    and no longer named) is claimed, then looked at again, since gc may have deleted it
    before the claim landed; ``collect_garbage`` skips a claimed blob.
    """
    modified = backend.modified(path, size)
    if modified is None or session.rely(path, modified):
        return modified is not None
    session.claim(path)
    return backend.modified(path, size) is not None


def _check(key: str, expected: str | None, actual: str) -> None:
    if expected is not None and expected != actual:
        raise StoreError(
            f"{key!r}: the file changed while it was being logged: its manifest records "
            f"{expected} but the store read {actual}; nothing was stored for it"
        )
