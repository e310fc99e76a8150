"""Artifact manifests and tags: which versions of which keys exist, and what a URI names.

Layout, relative to the store root::

    artifacts/<project>/<key>/versions/<version>.json   immutable manifest, one per version
    artifacts/<project>/<key>/tags/<tag>.json           {"version": ...}, moved by tagging
    artifacts/<project>/<key>/previews/<version>.json   optional preview, found through its version

Versions are never overwritten (their ids are unique), so concurrent writers cannot lose each
other's work. The newest version, ``latest``, is the greatest version id found by listing; no
pointer file is written for it, so racing writers cannot leave one behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packagers.manifest import to_json
from packagers.store.errors import DamagedFileError, StoreError
from packagers.store.uri import StoreUri, version_uri
from packagers.store.validation import read_manifest, read_preview, read_tag
from packagers.store.versions import is_version_id, match_version

if TYPE_CHECKING:
    from packagers.manifest import Manifest
    from packagers.store.backend import Backend

__all__ = [
    "ARTIFACTS_DIR",
    "LATEST",
    "ArtifactIndex",
    "ArtifactRef",
    "Scan",
    "manifest_of_preview",
]

ARTIFACTS_DIR = "artifacts"
LATEST = "latest"
_JSON = ".json"


@dataclass(frozen=True)
class ArtifactRef:
    """A logged artifact version: its URI, where it is, and its manifest."""

    uri: str
    project: str
    key: str
    version: str
    manifest: Manifest = field(compare=False, repr=False)

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> ArtifactRef:
        return cls(
            uri=manifest["uri"],
            project=manifest["project"],
            key=manifest["key"],
            version=manifest["version"],
            manifest=manifest,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form run records and the command print; ``ArtifactRef(**data)`` reads it."""
        return {
            "uri": self.uri,
            "project": self.project,
            "key": self.key,
            "version": self.version,
            "manifest": self.manifest,
        }

    def __str__(self) -> str:
        return self.uri


def _dump_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()  # compact: the C encoder, several times faster than indent


class ArtifactIndex:
    """Reads and writes manifests and tags through a backend; errors name the store."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    # -- paths ------------------------------------------------------------------------------------

    @staticmethod
    def _key_dir(project: str, key: str) -> str:
        return f"{ARTIFACTS_DIR}/{project}/{key}"

    def manifest_path(self, project: str, key: str, version: str) -> str:
        return f"{self._key_dir(project, key)}/versions/{version}{_JSON}"

    def preview_path(self, project: str, key: str, version: str) -> str:
        return f"{self._key_dir(project, key)}/previews/{version}{_JSON}"

    def _tag_path(self, project: str, key: str, tag: str) -> str:
        return f"{self._key_dir(project, key)}/tags/{tag}{_JSON}"

    # -- writing ----------------------------------------------------------------------------------

    def write_manifest(self, manifest: Manifest) -> None:
        """Write a new version's manifest (only after its blob is complete)."""
        path = self.manifest_path(manifest["project"], manifest["key"], manifest["version"])
        self._backend.write(path, to_json(manifest))

    def write_preview(self, manifest: Manifest, preview: dict[str, Any]) -> None:
        """Write a version's preview, before or after its manifest: a reader finds it only
        through the version, so one whose manifest is not there yet (or never came) is unseen,
        and ``gc`` removes it once no log can still be writing that manifest."""
        path = self.preview_path(manifest["project"], manifest["key"], manifest["version"])
        self._backend.write(path, _dump_json(preview))

    def set_tag(self, project: str, key: str, tag: str, version: str) -> None:
        """Point ``tag`` at ``version`` (``latest`` is never written: it is the newest version)."""
        pointer = {
            "version": version,
            "uri": version_uri(project, key, version),
            "tagged": datetime.now(timezone.utc).isoformat(),
        }
        self._backend.write(self._tag_path(project, key, tag), _dump_json(pointer))

    def remove_tag(self, project: str, key: str, tag: str) -> None:
        self._backend.remove(self._tag_path(project, key, tag))

    def remove_version(self, project: str, key: str, version: str) -> None:
        """Remove a version: its manifest, then its preview (see ``store/deletion.py``)."""
        self._backend.remove(self.manifest_path(project, key, version))
        self._backend.remove(self.preview_path(project, key, version))

    # -- reading ----------------------------------------------------------------------------------

    def versions(self, project: str, key: str) -> list[str]:
        """Every version id of a key, oldest first."""
        names = self._backend.listdir(f"{self._key_dir(project, key)}/versions")
        return sorted(name[: -len(_JSON)] for name in names if name.endswith(_JSON))

    def tags(self, project: str, key: str) -> list[str]:
        names = self._backend.listdir(f"{self._key_dir(project, key)}/tags")
        return [LATEST, *sorted(name[: -len(_JSON)] for name in names if name.endswith(_JSON))]

    def read_tag(self, project: str, key: str, tag: str) -> str | None:
        path = self._tag_path(project, key, tag)
        try:
            data = self._backend.read(path)
        except FileNotFoundError:
            return None
        return read_tag(data, path, self._backend.url, project=project, key=key)

    def read_manifest(self, project: str, key: str, version: str) -> Manifest:
        path = self.manifest_path(project, key, version)
        return self._manifest_at(path, self._backend.read(path))

    def _manifest_at(self, path: str, data: bytes) -> Manifest:
        """The manifest ``data`` read from ``path``, checked against its place in the layout."""
        _, project, key, _, name = path.split("/")
        version = name[: -len(_JSON)]
        return read_manifest(
            data, path, self._backend.url, project=project, key=key, version=version
        )

    def read_preview(self, project: str, key: str, version: str) -> dict[str, Any] | None:
        path = self.preview_path(project, key, version)
        try:
            data = self._backend.read(path)
        except FileNotFoundError:
            return None
        return read_preview(data, path, self._backend.url)

    def find(self, uri: StoreUri) -> Manifest:
        """The manifest ``uri`` names; errors say what was asked and what exists instead."""
        if uri.tag is None and uri.version is not None and is_version_id(uri.version):
            # A whole version id is the manifest's file name: one read, no listing (on an
            # object store a round trip). Anything else, or a miss, goes the long way below.
            try:
                return self.read_manifest(uri.project, uri.key, uri.version)
            except FileNotFoundError:
                pass
        versions = self.versions(uri.project, uri.key)
        if not versions:
            raise self._unknown_key(uri)
        if uri.version is not None:
            version = match_version(uri.version, versions, str(uri))
        elif uri.tag is None or uri.tag == LATEST:
            version = versions[-1]
        else:
            version = self._tagged(uri)
        if uri.tag is not None and uri.version is not None:
            tagged = versions[-1] if uri.tag == LATEST else self._tagged(uri)
            if tagged != version:
                raise StoreError(
                    f"{uri}: the tag {uri.tag!r} points to version {tagged}, not {version}; "
                    "give the tag or the version"
                )
        try:
            return self.read_manifest(uri.project, uri.key, version)
        except FileNotFoundError:
            raise StoreError(
                f"{uri}: version {version} is named but its manifest is gone from the store "
                f"{self._backend.url}"
            ) from None

    def _tagged(self, uri: StoreUri) -> str:
        assert uri.tag is not None
        version = self.read_tag(uri.project, uri.key, uri.tag)
        if version is None:
            tags = ", ".join(self.tags(uri.project, uri.key)) or "none"
            raise StoreError(f"{uri}: {uri.key!r} has no tag {uri.tag!r}; its tags: {tags}")
        return version

    def _unknown_key(self, uri: StoreUri) -> StoreError:
        from packagers._suggest import did_you_mean

        where = self._backend.url
        projects = sorted(self._backend.listdir(ARTIFACTS_DIR))
        if uri.project not in projects:
            return StoreError(
                f"{uri}: the store {where} has no project {uri.project!r}; "
                f"projects: {', '.join(projects) or 'none'}"
            )
        keys = sorted(self._backend.listdir(f"{ARTIFACTS_DIR}/{uri.project}"))
        suggestion = did_you_mean(uri.key, keys, limit=3)
        shown = ", ".join(keys[:20]) + (", ..." if len(keys) > 20 else "")
        return StoreError(
            f"{uri}: project {uri.project!r} has no artifact {uri.key!r}{suggestion} "
            f"(keys: {shown or 'none'})"
        )

    def history(self, project: str, key: str) -> list[Manifest]:
        """Every version's manifest of a key, newest first."""
        paths = [self.manifest_path(project, key, v) for v in reversed(self.versions(project, key))]
        found = self._backend.read_many(paths)
        return [self._manifest_at(path, found[path]) for path in paths if path in found]

    def latest_per_key(self, project: str) -> list[Manifest]:
        """The newest manifest of every key of a project, newest first (one listing)."""
        newest: dict[str, str] = {}
        for path in self.manifest_paths(f"{ARTIFACTS_DIR}/{project}"):
            key_dir, _, name = path.rpartition("/versions/")
            if name > newest.get(key_dir, ""):
                newest[key_dir] = name
        paths = [f"{key_dir}/versions/{name}" for key_dir, name in newest.items()]
        found = self._backend.read_many(paths)
        manifests = [self._manifest_at(path, found[path]) for path in paths if path in found]
        return sorted(manifests, key=lambda manifest: manifest["version"], reverse=True)

    def manifest_paths(self, below: str = ARTIFACTS_DIR) -> list[str]:
        """Every manifest file below ``below``: ``artifacts/<project>/<key>/versions/<v>.json``.

        Files anywhere else under ``artifacts/`` are not manifests: the store never reads them.
        """
        return [path for path in self._backend.files(below) if _is_place(path, "versions")]

    def tag_paths(self) -> list[str]:
        """Every tag file: ``artifacts/<project>/<key>/tags/<tag>.json``."""
        return [path for path in self._backend.files(ARTIFACTS_DIR) if _is_place(path, "tags")]

    def scan(self) -> Scan:
        """Every manifest, and every manifest or tag that cannot be trusted (for verify and gc),
        and the previews, with their modification times.

        A manifest listed but not read is reported, never taken for absent: gc would otherwise
        delete the blob it names.
        """
        listing = self._backend.files(ARTIFACTS_DIR)
        paths = [path for path in listing if _is_place(path, "versions")]
        found = self._backend.read_many(paths)
        listed = set(paths)
        scan = Scan(
            listed=listed,
            previews={
                path: mtime for path, mtime in listing.items() if _is_place(path, "previews")
            },
        )
        for path in paths:
            if path not in found:
                scan.damaged[path] = "was listed but could not be read"
                continue
            try:
                scan.manifests.append(self._manifest_at(path, found[path]))
            except DamagedFileError as error:
                scan.damaged[path] = error.problem
        tag_paths = self.tag_paths()
        tags = self._backend.read_many(tag_paths)
        for path in tag_paths:
            _, project, key, _, _ = path.split("/")
            try:
                version = read_tag(tags[path], path, self._backend.url, project=project, key=key)
            except KeyError:
                continue  # untagged since it was listed: moving tags is allowed
            except DamagedFileError as error:
                scan.damaged[path] = error.problem
                continue
            target = self.manifest_path(project, key, version)
            if target not in listed and not self._backend.exists(target):  # or logged since
                scan.damaged[path] = f"points at the version {version}, which has no manifest"
        return scan


@dataclass
class Scan:
    """What :meth:`ArtifactIndex.scan` read: the manifests, damaged files (path -> problem), the
    manifest paths listed, and the previews listed (path -> modification time, if known)."""

    manifests: list[Manifest] = field(default_factory=list)
    damaged: dict[str, str] = field(default_factory=dict)
    listed: set[str] = field(default_factory=set)
    previews: dict[str, float | None] = field(default_factory=dict)

    def orphaned_previews(self) -> dict[str, float | None]:
        """The previews whose version had no manifest in the listing: a log still under way
        (its preview goes first on an object store), or one a crash or a deletion ended."""
        return {
            path: mtime
            for path, mtime in self.previews.items()
            if manifest_of_preview(path) not in self.listed
        }

    @property
    def damaged_manifests(self) -> list[str]:
        """The damaged files that are manifests: each may name any blob."""
        return sorted(path for path in self.damaged if _is_place(path, "versions"))


def manifest_of_preview(path: str) -> str:
    """The manifest path of the version whose preview is at ``path``."""
    key_dir, _, name = path.rpartition("/previews/")
    return f"{key_dir}/versions/{name}"


def _is_place(path: str, folder: str) -> bool:
    """Whether ``path`` is ``artifacts/<project>/<key>/<folder>/<name>.json``."""
    parts = path.split("/")
    return len(parts) == 5 and parts[3] == folder and parts[4].endswith(_JSON)
