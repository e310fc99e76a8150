"""The one digest of the project: how blobs are named and every file is checked.

BLAKE3 rather than SHA-256: it is as strong for content addressing and, on a few cores, several
times faster (760 MB hash in about a sixth of a second here, against 0.6 s), which is most of what
logging or loading a large artifact costs beyond the raw write or read. Digests are written
``blake3:<hex>`` so a reader can tell the algorithm from the value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import IO, Any

__all__ = ["ALGORITHM", "PATTERN", "file_digest", "new_hasher", "stream_digest", "text"]

ALGORITHM = "blake3"
PATTERN = re.compile(rf"{ALGORITHM}:([0-9a-f]{{64}})")
_MAP_CHUNK = 16 << 20  # big enough for every core to share each chunk, small enough to map
_READ_SIZE = 1 << 20  # larger reads are no faster, only bigger


def new_hasher() -> Any:
    from blake3 import blake3

    return blake3(max_threads=blake3.AUTO)  # threads only for large updates


def text(hasher: Any) -> str:
    """The digest string of a finished hasher."""
    return f"{ALGORITHM}:{hasher.hexdigest()}"


def stream_digest(stream: IO[bytes]) -> tuple[str, int]:
    """The digest and size of everything left in ``stream``."""
    hasher = new_hasher()
    size = 0
    while chunk := stream.read(_READ_SIZE):
        hasher.update(chunk)
        size += len(chunk)
    return text(hasher), size


def file_digest(path: str, progress: Callable[[int, int], None] | None = None) -> tuple[str, int]:
    """The digest and size of a local file, hashed straight from the page cache.

    Each chunk is memory-mapped in turn: no copy into a buffer and no more resident memory than
    one chunk. Only for files nobody truncates meanwhile (a packer's finished file, a read-only
    blob).
    """
    import mmap

    hasher = new_hasher()
    with open(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        for start in range(0, size, _MAP_CHUNK):
            length = min(_MAP_CHUNK, size - start)
            with mmap.mmap(stream.fileno(), length, offset=start, access=mmap.ACCESS_READ) as chunk:
                hasher.update(chunk)
            if progress is not None:
                progress(start + length, size)
    return text(hasher), size
