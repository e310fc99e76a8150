"""Logging packages: stamping them with versions, then writing them in the one safe order.

The order of a log is what makes it safe without locks: every blob is complete before any
manifest is written, members' manifests before their bundle's, and tags last. A crash therefore
leaves at worst unreferenced blobs (``gc`` removes them), never a manifest without its data.
A preview is reached only through its version, so it may be written at any time: after the
manifests on a local store, alongside the manifests where each request is a network round trip
(``Backend.parallel_requests``: not to a server on this machine), which takes it off the log's
critical path. Beside the blobs it would save no more: the look and the upload before the
manifests are one request each either way. A crash may then leave a preview whose version has no
manifest, unseen by readers, which ``gc`` removes.
:func:`write_packages` is where that order is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from packagers.store.artifacts_index import LATEST, ArtifactRef
from packagers.store.blobs import put_file
from packagers.store.errors import StoreError
from packagers.store.sessions import WriteSession
from packagers.store.uri import check_name, version_uri
from packagers.store.versions import new_version_id

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from packagers.package import Package
    from packagers.store.artifacts_index import ArtifactIndex
    from packagers.store.backend import Backend

__all__ = ["check_packages", "stamp_packages", "write_packages"]

#: At most this many previews go up at once (a bundle may hold many): each is one small request,
#: and they share the client's connections (ten for S3) with the blobs' uploads meanwhile.
_PREVIEW_THREADS = 4


def check_packages(packages: list[Package]) -> None:
    """Refuse keys logged twice and invalid tags, before anything is stamped or written."""
    keys = [package.key for package in packages]
    if len(set(keys)) != len(keys):
        twice = sorted({key for key in keys if keys.count(key) > 1})
        raise StoreError(f"log_packages: the key(s) {', '.join(twice)} appear twice")
    for package in packages:
        if package.hint.tag:
            check_name("tag", package.hint.tag, f"the log hint of {package.key!r}")


def stamp_packages(packages: Iterable[Package], project: str, run_id: str | None) -> None:
    """Give each package not stamped yet its version and URI, and each bundle its members' URIs."""
    unstamped = [package for package in packages if "uri" not in package.manifest]
    created = datetime.now(timezone.utc).isoformat()
    uri_of = {}
    for package in unstamped:
        version = new_version_id()
        uri_of[package.key] = version_uri(project, package.key, version)
        manifest = package.manifest
        manifest["project"], manifest["key"], manifest["version"] = project, package.key, version
        manifest["uri"], manifest["run_id"], manifest["created"] = (
            uri_of[package.key],
            run_id,
            created,
        )
    for package in unstamped:
        if package.is_bundle:
            for entry in package.manifest["bundle"]["members"]:
                entry["uri"] = uri_of[entry["key"]]


def write_packages(
    backend: Backend,
    index: ArtifactIndex,
    packages: list[Package],
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, ArtifactRef]:
    """Write stamped ``packages`` (bundle members before their bundle) in the safe order.

    Each package's manifest is completed in place (digest, size, blob).
    """
    with_preview = [package for package in packages if package.preview is not None]
    uploads = None
    session = WriteSession(backend)
    try:
        for package in packages:  # data first: no manifest may name a partial blob
            _put_blob(backend, package, session, progress)
        while expired := session.expired():  # gc's grace ends: looked at again, claimed
            for package in packages:
                if package.manifest.get("blob") in expired:
                    _put_blob(backend, package, session, progress)
        if backend.parallel_requests:  # off the critical path: up beside the manifests
            uploads = _PreviewUploads(index, with_preview)
        for package in packages:  # members come before the bundle that holds them
            index.write_manifest(package.manifest)
        if uploads is None:
            for package in with_preview:
                _write_preview(index, package)
        for package in packages:  # `latest` needs no pointer: it is the newest version
            if package.hint.tag and package.hint.tag != LATEST:
                manifest = package.manifest
                index.set_tag(
                    manifest["project"], package.key, package.hint.tag, manifest["version"]
                )
        if uploads is not None:
            uploads.wait()
    finally:
        if uploads is not None:
            uploads.close()
        session.close()
    return {p.key: ArtifactRef.from_manifest(p.manifest) for p in packages}


def _put_blob(
    backend: Backend,
    package: Package,
    session: WriteSession,
    progress: Callable[[str, int, int], None] | None,
) -> None:
    src = package.artifact.src_path if package.artifact is not None else None
    if src is None:
        return
    key = package.key
    blob = put_file(
        backend,
        src,
        session,
        key=key,
        temporary=package.temporary,
        expected=package.manifest.get("digest"),
        progress=None if progress is None else lambda done, total: progress(key, done, total),
    )
    manifest = package.manifest
    manifest["digest"], manifest["size"], manifest["blob"] = blob.digest, blob.size, blob.path


def _write_preview(index: ArtifactIndex, package: Package) -> None:
    """A preview is optional: failing to write one leaves the artifact without, not broken."""
    try:
        index.write_preview(package.manifest, package.preview)  # type: ignore[arg-type]
    except OSError as error:
        import logging  # here only: nothing else a run does imports it

        logging.getLogger(__name__).debug(
            "no preview stored for %s: %s", package.manifest["uri"], error
        )


class _PreviewUploads:
    """The previews of a log, uploaded by a few threads while the log writes its manifests.

    fsspec's asynchronous filesystems (S3, GCS, Azure) serve calls from any thread on their
    own event loop, so these uploads and the blob's overlap on the network.
    """

    def __init__(self, index: ArtifactIndex, packages: list[Package]) -> None:
        from concurrent.futures import ThreadPoolExecutor  # for remote stores only

        self._pool: ThreadPoolExecutor | None = None
        self._futures: list[Future[None]] = []
        if packages:
            self._pool = ThreadPoolExecutor(
                min(len(packages), _PREVIEW_THREADS), thread_name_prefix="packagers-preview-upload"
            )
            self._futures = [self._pool.submit(_write_preview, index, p) for p in packages]

    def wait(self) -> None:
        """Until every preview is written or refused (a refusal is logged in the thread);
        anything else a thread raised is raised here, as writing in line would."""
        for future in self._futures:
            future.result()

    def close(self) -> None:
        """Drop the uploads not begun, wait for those under way: no thread outlives the log.

        After a failed log the previews written are orphans, which ``gc`` removes in time.
        """
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
