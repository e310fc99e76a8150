"""A store on any fsspec filesystem (``s3://``, ``gs://``, ``memory://``...): a shared bucket.

Object stores have no rename, but a single PUT is atomic, which is all a JSON file needs; blobs
go through a temporary object and a server-side move, or straight to their name where an upload
appears only once complete. On S3 a small PUT (a manifest, a preview, a tag) is one round trip,
not two: see :func:`_send_at_once`.
"""

from __future__ import annotations

import contextlib
import errno
import posixpath
import threading
from typing import IO, TYPE_CHECKING, Any

from packagers._digest import file_digest, new_hasher, text
from packagers.store.backend import Backend, normalize_url

if TYPE_CHECKING:
    import fsspec

__all__ = ["FsspecBackend", "fetch"]


class FsspecBackend(Backend):
    """Any fsspec filesystem (``s3://``, ``gs://``, ``memory://``...).

    Listings and reads bypass fsspec's directory cache: other processes write to the same store.
    """

    is_local = False

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        from fsspec.core import url_to_fs

        from packagers.store.errors import StoreError

        self.url = normalize_url(url)
        self.storage_options = dict(storage_options or {})
        self.fs: fsspec.AbstractFileSystem
        try:
            self.fs, root = url_to_fs(self.url, **self.storage_options)
        except (ImportError, ValueError, TypeError) as error:
            # An unknown protocol, its library not installed ("Install s3fs to access S3"),
            # or options it does not take: fsspec's message alone names no store.
            raise StoreError(f"cannot open the store {self.url}: {error}") from error
        self._root = root.rstrip("/")
        self._s3 = _is_s3(self.fs)
        # An asynchronous filesystem runs every call on its event loop, in a thread of its own,
        # whichever thread makes it; the others (memory, sftp...) promise nothing of the kind.
        # Overlapping requests hides the network's latency: a server on this machine has none
        # to hide, and shares its cores with the requests (see ``_on_loopback``).
        self.parallel_requests = bool(getattr(self.fs, "async_impl", False)) and not _on_loopback(
            self.fs
        )
        #: How a whole small file is read in one request (see ``_cat``).
        self._whole: dict[str, Any] = {"start": 0} if self._s3 else {}

    def _one_round_trip(self) -> None:
        """On S3, have the client send small bodies at once (:func:`_send_at_once`); called
        before every upload. s3fs makes its client on first use, and a new one when the old
        one is closed; registering again is a lookup (and the backend keeps no client, which
        would not pickle). Under a lock: a log's previews are uploaded from several threads,
        and botocore's registration is no atomic step."""
        if self._s3:
            with _REGISTERING:
                self.fs.s3.meta.events.register_last(
                    "before-call.s3", _send_at_once, unique_id=_SEND_AT_ONCE
                )

    def _path(self, rel: str) -> str:
        return f"{self._root}/{rel}"

    def _rel(self, path: str) -> str:
        return self.fs._strip_protocol(path)[len(self._root) + 1 :]  # type: ignore[no-any-return]

    def location(self, rel: str) -> str:
        self._forget(posixpath.dirname(self._path(rel)))  # the data item reads it through self.fs
        return f"{self.url}/{rel}"

    def _forget(self, path: str, *, below: bool = False) -> str:
        """``path``, once fsspec has forgotten its listings of it and its parents (and, with
        ``below``, of everything under it): other processes write to the same store.

        A stale listing is worse than slow: s3fs answers a read of a file its cached listing
        of the directory lacks with FileNotFoundError, so a new manifest would look absent.
        """
        self.fs.invalidate_cache(path)
        if below:
            inside = f"{path.rstrip('/')}/"
            for cached in [name for name in self.fs.dircache if name.startswith(inside)]:
                self.fs.dircache.pop(cached, None)
        return path

    def read(self, rel: str) -> bytes:
        path = self._path(rel)
        self._forget(posixpath.dirname(path))
        return self._cat(path)

    def _cat(self, path: str) -> bytes:
        """The whole file ``path``, in one request.

        Asked for a whole file, s3fs first asks for its size (a HEAD, one more round trip) to
        decide on a download in parallel parts, which small files never need; asked for the
        range from byte 0 it sends one GET. An empty object has no such range (the server
        refuses it), so it is read plainly.
        """
        try:
            return self.fs.cat_file(path, **self._whole)  # type: ignore[no-any-return]
        except OSError as error:
            if not self._whole or error.errno != errno.EINVAL:
                raise
        return self.fs.cat_file(path)  # type: ignore[no-any-return]

    def read_many(self, rels: list[str]) -> dict[str, bytes]:
        if not rels:
            return {}
        paths = [self._path(rel) for rel in rels]
        for directory in {posixpath.dirname(path) for path in paths}:
            self._forget(directory)
        found = self.fs.cat(paths, on_error="return", **self._whole)  # one request each
        read = {}
        for path, data in found.items():
            if isinstance(data, FileNotFoundError):
                continue
            if self._whole and isinstance(data, OSError) and data.errno == errno.EINVAL:
                data = self._cat(path)
            if isinstance(data, BaseException):  # denied, unreachable...: not the same as absent
                raise data
            read[self._rel(path)] = data
        return read

    def write(self, rel: str, data: bytes) -> None:
        self._one_round_trip()
        self.fs.pipe_file(self._path(rel), data)

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self._forget(self._path(rel))))

    def root_kind(self) -> str:
        root = self._forget(self._root, below=True)
        if self.fs.isdir(root):
            return "directory"
        return "file" if self.fs.exists(root) else "missing"

    def listdir(self, rel: str) -> list[str]:
        path = self._forget(self._path(rel))
        try:
            entries = self.fs.ls(path, detail=False)
        except (FileNotFoundError, NotADirectoryError):
            return []
        names = (posixpath.basename(entry.rstrip("/")) for entry in entries)
        return [name for name in names if name and self._path(f"{rel}/{name}") != path]

    def files(self, rel: str) -> dict[str, float | None]:
        path = self._forget(self._path(rel), below=True)
        try:
            found = self.fs.find(path, detail=True)
        except FileNotFoundError:
            return {}
        return {self._rel(name): _mtime(info) for name, info in found.items()}

    def remove(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self._path(rel))

    def open_read(self, rel: str) -> IO[bytes]:
        path = self._path(rel)
        self._forget(posixpath.dirname(path))
        return self.fs.open(path, "rb")  # type: ignore[no-any-return]

    def open_write(self, rel: str) -> IO[bytes]:
        self._one_round_trip()
        return self.fs.open(self._path(rel), "wb")  # type: ignore[no-any-return]

    def commit(self, temp: str, rel: str) -> None:
        # Always moved over, even onto the same bytes: the new modification time is the claim
        # that keeps a concurrent gc from deleting the blob this writer's manifest will name.
        self.fs.mv(self._path(temp), self._path(rel))

    def discard(self, rel: str, mtime: float | None, aside: str) -> bool:
        # No atomic move here: the time is read fresh just before the delete, which leaves a
        # writer's claim landing between the two (docs/store.md, "Guarantees").
        path = self._forget(self._path(rel))
        try:
            current = _mtime(self.fs.info(path))
        except FileNotFoundError:
            return False
        if current != mtime:
            return False
        self.remove(rel)
        return True

    def modified(self, rel: str, size: int) -> float | None:
        """One round trip on S3: a HEAD, whose ``LastModified`` is the blob's age for gc.

        s3fs follows a HEAD that finds no object with a listing, to tell a missing file from a
        directory: a second round trip for every new blob, which is never a directory.
        """
        path = self._path(rel)
        try:
            if self._s3:
                bucket, key, _ = self.fs.split_path(path)
                info = self.fs.call_s3("head_object", self.fs.kwargs, Bucket=bucket, Key=key)
                found = int(info["ContentLength"])
            else:
                info = self.fs.info(self._forget(path))
                found = int(info["size"])
        except FileNotFoundError:
            return None
        return (_mtime(info) or 0.0) if found == size else None

    def put(self, src: str, rel: str) -> bool:
        if not _ATOMIC_PROTOCOLS.intersection(_protocols(self.fs)):
            return False
        self._one_round_trip()
        self.fs.put_file(src, self._path(rel))
        return True


def _on_loopback(fs: fsspec.AbstractFileSystem) -> bool:
    """Whether the filesystem's server is on this machine: an endpoint on a loopback address.

    Such a server (MinIO or moto for development, tests and benchmarks) answers two requests at
    once no sooner than one after the other: measured with moto on two cores, a log of 8 MB
    took 2 to 4 ms longer with its preview beside the manifest than after it.
    """
    import ipaddress
    from urllib.parse import urlsplit

    endpoint = getattr(fs, "endpoint_url", None)
    if not isinstance(endpoint, str):
        return False
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: a server elsewhere, as far as we can tell
        return False


def fetch(fs: fsspec.AbstractFileSystem, path: str, target: str, size: int | None = None) -> str:
    """Copy the remote file ``path`` to the new local file ``target``; its digest, made on the way.

    On S3 a file s3fs would fetch sequentially anyway (``size``, if known, no larger than its
    parallel-parts threshold) is one GET streamed through the hasher into ``target``: each chunk
    is hashed while the next arrives and the copy is never read again. A larger one is left to
    s3fs's download in parallel parts, as is a file on any other filesystem, and hashed after.
    """
    if _is_s3(fs) and (
        size is None
        or size <= fs.default_block_size
        or getattr(fs, "max_concurrency", 1) <= 1  # an s3fs that never downloads in parts
    ):
        from fsspec.asyn import sync

        return sync(fs.loop, _stream_s3, fs, path, target)  # type: ignore[no-any-return]
    fs.get_file(path, target)
    return file_digest(target)[0]


_CHUNK = 1 << 20  # what one read takes at most: aiohttp hands over what has arrived


async def _stream_s3(fs: Any, path: str, target: str) -> str:
    """``fetch`` on S3: a read that fails midway resumes from where it stopped, as s3fs does."""
    import asyncio

    from s3fs.core import S3_RETRYABLE_ERRORS

    bucket, key, version = fs.split_path(path)
    request = {"Bucket": bucket, "Key": key, **fs.req_kw}
    if version:
        request["VersionId"] = version
    hasher = new_hasher(threaded=False)
    failures = 0
    with open(target, "wb") as copy:
        body = (await fs._call_s3("get_object", **request))["Body"]
        try:
            while True:
                try:
                    chunk = await body.read(_CHUNK)
                except S3_RETRYABLE_ERRORS:
                    failures += 1
                    if failures >= fs.retries:
                        raise
                    body.close()
                    await asyncio.sleep(min(1.7**failures * 0.1, 15))
                    rest = f"bytes={copy.tell()}-"
                    body = (await fs._call_s3("get_object", Range=rest, **request))["Body"]
                    continue
                if not chunk:
                    break
                hasher.update(chunk)
                copy.write(chunk)
        finally:
            body.close()
    return text(hasher)


#: Bodies smaller than this go out with their request (the AWS SDK for Kotlin's default).
_CONTINUE_THRESHOLD = 2 << 20
_SEND_AT_ONCE = "packagers-send-small-bodies-at-once"
_REGISTERING = threading.Lock()


def _send_at_once(params: dict[str, Any], **_: Any) -> None:
    """botocore sends every PutObject with ``Expect: 100-continue``: the client sends the
    headers, waits for the server's go-ahead, then the body. That wait is a round trip of its
    own, worth it only to spare sending a large body the server would refuse; for a manifest or
    a preview it doubles the cost of the write. A body below :data:`_CONTINUE_THRESHOLD` goes
    out at once; a larger one (a blob) still waits, as it would without the store. Registered
    last on the client's ``before-call`` event, after botocore's own handler adds the header;
    the client is the filesystem's, shared with whoever uses the same fsspec filesystem.
    """
    from botocore.utils import determine_content_length

    headers = params.get("headers", {})
    if str(headers.get("Expect", "")).lower() != "100-continue":
        return
    size = determine_content_length(params.get("body"))
    if size is not None and size < _CONTINUE_THRESHOLD:
        del headers["Expect"]


_S3_PROTOCOLS = frozenset({"s3", "s3a"})
#: Object stores, where an object (a multipart upload included) appears only once complete.
_ATOMIC_PROTOCOLS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "memory"})


def _protocols(fs: fsspec.AbstractFileSystem) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def _is_s3(fs: fsspec.AbstractFileSystem) -> bool:
    return bool(_S3_PROTOCOLS.intersection(_protocols(fs)))


def _mtime(info: dict[str, Any]) -> float | None:
    """The modification time in an fsspec ``info`` dict, whose field names differ per backend."""
    from datetime import datetime

    for field in ("mtime", "LastModified", "last_modified", "updated", "created"):
        value = info.get(field)
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
    return None
