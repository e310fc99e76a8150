"""The artifact store: logged packages in, verified data items out, on any filesystem.

``Store`` is the one face of the store's modules: each of its methods hands over to the module
that holds the concept (``writer.py`` keeps the order of a log that makes it crash-safe without
locks; ``artifacts_index.py`` and ``runs.py`` the files; ``maintenance.py`` verify and gc).

The store writes what it is given and never imports the manager: a caller with links between
outputs has :meth:`Store.stamp` give them versions and URIs first, fills the links, then calls
:meth:`Store.log_packages` (``PackagersManager.log`` does the three).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from packagers.package import iter_packages
from packagers.store.artifacts_index import LATEST, ArtifactIndex, ArtifactRef
from packagers.store.backend import normalize_url
from packagers.store.blobs import blob_path
from packagers.store.deletion import Deletion, delete_versions, plan_deletion
from packagers.store.errors import AmbiguousRunError, StoreError
from packagers.store.fsspec_backend import FsspecBackend
from packagers.store.local_backend import LocalBackend
from packagers.store.locate import require_store
from packagers.store.maintenance import VerifyReport, collect_garbage, verify_store
from packagers.store.runs import RunIndex
from packagers.store.stored_item import StoreDataItem
from packagers.store.uri import StoreUri, check_name, parse_uri, version_uri
from packagers.store.writer import check_packages, stamp_packages, write_packages

if TYPE_CHECKING:
    from packagers.manifest import Manifest
    from packagers.package import Package
    from packagers.store.backend import Backend
    from packagers.store.index import StoreIndex

__all__ = ["Store", "get_store"]


class Store:
    """Content-addressed blobs, immutable manifests, tags and run records under one root.

    ``url`` is a local directory (default: the ``store.url`` setting) or any fsspec URL;
    ``storage_options`` go to fsspec (credentials, endpoint) and to the data items it returns.
    """

    def __init__(
        self, url: str | None = None, *, storage_options: dict[str, Any] | None = None
    ) -> None:
        from packagers._config import config

        self._backend = _open_backend(url or config.store.url, storage_options)
        self.url: str = self._backend.url
        self.storage_options = self._backend.storage_options
        self._index = ArtifactIndex(self._backend)
        self._runs = RunIndex(self._backend)
        self._listing: StoreIndex | None = None

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def require_existing(self) -> Store:
        """This store, once it is known to exist: reading a path that holds none is an error.

        ``StoreNotFoundError`` says so and names the stores nearby (a parent or sibling
        directory with a store's layout, or ``.packagers`` here). Logging creates the store.
        """
        require_store(self._backend)
        return self

    @property
    def is_local(self) -> bool:
        """Whether the store is a directory of this machine's filesystem (which other machines
        see only through a shared mount)."""
        return self._backend.is_local

    # -- artifacts --------------------------------------------------------------------------------

    def stamp(
        self,
        packages: list[Package],
        *,
        project: str | None = None,
        run_id: str | None = None,
    ) -> None:
        """Give each package (bundle members included) its project, version and URI, in place.

        Done before linking, which stores an artifact's URI; a package stamped already keeps its
        own. Nothing is written.
        """
        from packagers._config import config

        project = check_name("project", project or config.project, "log_packages")
        stamp_packages(iter_packages(packages), project, run_id)

    def log_packages(
        self,
        packages: list[Package],
        *,
        project: str | None = None,
        run_id: str | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> dict[str, ArtifactRef]:
        """Store packed outputs (bundle members included) and return their refs by key.

        Packages not stamped yet (see :meth:`stamp`) are stamped with ``project`` and ``run_id``.
        Each package's manifest is completed in place (digest, size, blob). Blobs, manifests
        and tags are written in the order that makes a crash harmless, previews alongside
        (``writer.py``).
        ``progress(key, bytes_done, bytes_total)`` is called while each blob streams in.
        """
        everything = list(iter_packages(packages))
        check_packages(everything)
        self.stamp(packages, project=project, run_id=run_id)
        return write_packages(self._backend, self._index, everything, progress)

    def read_preview(self, uri_or_ref: str | ArtifactRef) -> dict[str, Any] | None:
        """The preview stored for a version (see :mod:`packagers.previews`), or None.

        Plain JSON: reading it imports no data library and unpickles nothing.
        """
        if isinstance(uri_or_ref, ArtifactRef):
            project, key, version = uri_or_ref.project, uri_or_ref.key, uri_or_ref.version
        else:
            manifest = self.manifest(uri_or_ref)
            project, key, version = manifest["project"], manifest["key"], manifest["version"]
        return self._index.read_preview(project, key, version)

    def resolve(self, uri: str) -> StoreDataItem:
        """A data item for ``uri``; its bytes are verified against the digest when first read."""
        manifest = self.manifest(uri)
        digest = manifest.get("digest")
        if digest:
            url = self._backend.location(blob_path(digest))
        else:  # a result or a bundle: the manifest is all there is
            url = self._backend.location(
                self._index.manifest_path(manifest["project"], manifest["key"], manifest["version"])
            )
        data_format = manifest.get("format")
        return StoreDataItem(
            url,
            uri=manifest["uri"],
            digest=digest,
            key=manifest["key"],
            manifest=manifest,
            suffix=f".{data_format}" if data_format else "",
            storage_options=self.storage_options,
            resolver=lambda entry: self.resolve(entry["uri"]),
        )

    def manifest(self, uri: str) -> Manifest:
        """The manifest of the version ``uri`` names."""
        return self._index.find(parse_uri(uri))

    def list_artifacts(
        self, project: str | None = None, key: str | None = None
    ) -> list[ArtifactRef]:
        """Newest first: every version of ``key``, or the latest version of every key."""
        from packagers._config import config

        project = check_name("project", project or config.project, "list_artifacts")
        if key is None:
            manifests = self._index.latest_per_key(project)
        else:
            manifests = self._index.history(project, check_name("key", key, "list_artifacts"))
        return [ArtifactRef.from_manifest(manifest) for manifest in manifests]

    def tag(self, uri: str, tag: str) -> ArtifactRef:
        """Point ``tag`` at the version ``uri`` names (moving it if it pointed elsewhere)."""
        check_name("tag", tag, f"tagging {uri}")
        if tag == LATEST:
            raise StoreError(
                f"tagging {uri}: 'latest' always names the newest version; pick another tag"
            )
        manifest = self.manifest(uri)
        self._index.set_tag(manifest["project"], manifest["key"], tag, manifest["version"])
        return ArtifactRef.from_manifest(manifest)

    def tags_of(self, ref: ArtifactRef) -> list[str]:
        """The tags pointing at this version, ``latest`` first when it is the newest."""
        index = self._index
        tags = index.tags(ref.project, ref.key)[1:]
        found = [tag for tag in tags if index.read_tag(ref.project, ref.key, tag) == ref.version]
        versions = index.versions(ref.project, ref.key)
        return [LATEST, *found] if versions and versions[-1] == ref.version else found

    def untag(self, uri: str, tag: str, *, dry_run: bool = False) -> ArtifactRef:
        """Remove ``tag`` from the key ``uri`` names; the version it pointed at stays.

        ``dry_run`` checks everything and returns the version, removing nothing.
        """
        check_name("tag", tag, f"untagging {uri}")
        if tag == LATEST:
            raise StoreError(f"untagging {uri}: 'latest' is not a tag; it names the newest version")
        parsed = parse_uri(uri)
        version = self._index.read_tag(parsed.project, parsed.key, tag)
        if version is None:
            self.manifest(str(StoreUri(parsed.project, parsed.key)))  # an unknown key: its error
            tags = ", ".join(self._index.tags(parsed.project, parsed.key)[1:]) or "none"
            raise StoreError(f"{uri}: {parsed.key!r} has no tag {tag!r}; its tags: {tags}")
        manifest = self.manifest(version_uri(parsed.project, parsed.key, version))
        if parsed.version is not None and not version.startswith(parsed.version):
            raise StoreError(
                f"{uri}: the tag {tag!r} points to version {version}, not {parsed.version}; "
                "nothing was untagged"
            )
        if dry_run:
            return ArtifactRef.from_manifest(manifest)
        self._index.remove_tag(parsed.project, parsed.key, tag)
        self._changed()
        return ArtifactRef.from_manifest(manifest)

    def delete_artifact(
        self, uri: str, *, all_versions: bool = False, force: bool = False, dry_run: bool = False
    ) -> Deletion:
        """Delete the version ``uri`` names, or with ``all_versions`` every version of its key.

        Refused (:class:`ArtifactInUseError`) while a kept artifact (a bundle, a linked output)
        names what would go, unless ``force``. Tags pointing at a deleted version go with it;
        blobs stay until :meth:`gc`. ``dry_run`` checks and returns the plan, deleting nothing.
        """
        if all_versions:
            parsed = parse_uri(uri)
            if parsed.version is not None or parsed.tag is not None:
                raise StoreError(
                    f"{uri}: all_versions deletes a whole key; name it without a tag or version "
                    f"({StoreUri(parsed.project, parsed.key)})"
                )
            manifests = self._index.history(parsed.project, parsed.key)
            if not manifests:
                self.manifest(uri)  # raises the unknown-key error with its suggestions
        else:
            manifests = [self.manifest(uri)]
        deletion = plan_deletion(self._index, manifests, whole_key=all_versions, force=force)
        if not dry_run:
            delete_versions(self._index, deletion)
            self._changed()
        return deletion

    # -- runs -------------------------------------------------------------------------------------

    def save_run(self, record: dict[str, Any], *, announced: bool = False) -> None:
        """Save a run record (atomically); a record in a final state can no longer change.

        The active record a final one replaces is removed when this store saved it, or when
        ``announced`` says another process (a worker that died) may have.
        """
        self._runs.save(record, announced=announced)

    def get_run(self, run_id: str, project: str | None = None) -> dict[str, Any]:
        return self._runs.get(run_id, project)

    def final_run(self, run_id: str, project: str | None = None) -> dict[str, Any] | None:
        """The final record of ``run_id`` in ``project``, or None while the run has none."""
        from packagers._config import config

        return self._runs.final(
            check_name("project", project or config.project, "final_run"),
            check_name("run id", run_id, "final_run"),
        )

    def list_runs(self, project: str | None = None) -> list[dict[str, Any]]:
        """The run records of a project (default: the configured one), newest first."""
        return self._runs.list(project)

    def find_run(self, id_or_prefix: str, project: str | None = None) -> dict[str, Any]:
        """The run whose id is ``id_or_prefix``, or the one run whose id starts with it.

        A prefix that several runs share is an error listing them (:class:`AmbiguousRunError`).
        """
        matches = self.index.run_ids(id_or_prefix, project)
        if id_or_prefix in (run_id for _, run_id in matches):
            matches = [match for match in matches if match[1] == id_or_prefix]
        if len(matches) > 1:
            shown = ", ".join(run_id for _, run_id in matches[:10])
            more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
            raise AmbiguousRunError(
                f"{len(matches)} runs start with {id_or_prefix!r}: {shown}{more}; give more of "
                "the id"
            )
        if matches:
            return self._runs.get(matches[0][1], matches[0][0])
        return self._runs.get(id_or_prefix, project)  # not indexed yet, or unknown: its error

    def delete_run(
        self, run_id: str, project: str | None = None, *, force: bool = False
    ) -> dict[str, Any]:
        """Delete a run's record (``run_id`` may be a unique prefix); return the deleted record.

        A run still active is refused unless ``force``; the artifacts it logged are kept
        (delete them with :meth:`delete_artifact`).
        """
        from packagers.run_states import ACTIVE_STATES

        record = self.find_run(run_id, project)
        if record.get("state") in ACTIVE_STATES and not force:
            raise StoreError(
                f"run {record['id']} is {record.get('state')}; wait for it to end, or force the "
                "deletion (--force) if its worker is gone"
            )
        self._runs.delete(record)
        self._changed()
        return record

    # -- the index ------------------------------------------------------------------------------

    @property
    def index(self) -> StoreIndex:
        """The SQLite index that listings of a large store read (see ``store/index.py``)."""
        if self._listing is None:
            from packagers.store.index import StoreIndex  # sqlite3: only for those who list

            self._listing = StoreIndex(self._backend)
        return self._listing

    def _changed(self) -> None:
        """Deleted files: the index must look again even where it trusts a recent listing."""
        if self._listing is not None:
            self._listing.invalidate()

    def reindex(self) -> dict[str, int]:
        """Rebuild the index from the store's files; how many runs and versions it holds."""
        return self.index.rebuild()

    # -- maintenance ------------------------------------------------------------------------------

    def verify(self) -> VerifyReport:
        """Hash every blob, check every manifest's blob exists, and check every manifest, tag
        and run record (reads the whole store)."""
        return verify_store(self._backend, self._index, self._runs)

    def gc(self, *, dry_run: bool = False) -> list[str]:
        """Delete orphaned blobs and previews, and dead writers' temporary files; return the
        deleted paths."""
        return collect_garbage(self._backend, self._index, dry_run=dry_run)


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def get_store(url: str | None = None) -> Store:
    """The shared ``Store`` for ``url`` (default: the ``store.url`` setting), made once per URL."""
    from packagers._config import config

    normalized = normalize_url(url or config.store.url)
    with _stores_lock:
        store = _stores.get(normalized)
        if store is None:
            store = _stores[normalized] = Store(normalized)
        return store


def _open_backend(url: str, storage_options: dict[str, Any] | None) -> Backend:
    """The backend for a store URL: a plain path (or ``file://``) is local, anything else fsspec."""
    from packagers.data_item import is_url

    url = normalize_url(url)
    if is_url(url):
        return FsspecBackend(url, storage_options)
    return LocalBackend(url)
