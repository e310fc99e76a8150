"""What the store reads back is data, not trusted: manifests, tags and run records are checked.

Anyone who can write to the store's directory or bucket can forge a file there. Every field that
becomes a path or a URI (project, key, version, uri, digest and blob, format, a bundle's member
keys and URIs) must be one the store itself could have written, and the identity fields must
match the file's own place in the layout: a manifest under ``artifacts/p/k/versions/v.json``
says project ``p``, key ``k``, version ``v``. Anything else is a :class:`DamagedFileError` that
names the file, before any of it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packagers.log_hint import is_valid_key
from packagers.manifest import check_format, shape_problem
from packagers.store.blobs import blob_path
from packagers.store.errors import DamagedFileError, parse_json
from packagers.store.uri import version_uri
from packagers.store.versions import is_version_id

if TYPE_CHECKING:
    from packagers.manifest import Manifest

__all__ = ["check_format", "read_manifest", "read_preview", "read_run_record", "read_tag"]


def read_manifest(
    data: bytes, rel: str, store: str, *, project: str, key: str, version: str
) -> Manifest:
    """The manifest at ``rel`` (``artifacts/<project>/<key>/versions/<version>.json``), checked.

    Of the wrong shape or not of its place: a ``DamagedFileError`` naming the file.
    """
    manifest = parse_json(data, rel, store)
    problem = _manifest_problem(manifest, project, key, version)
    if problem is not None:
        raise DamagedFileError(store, rel, problem)
    return manifest  # type: ignore[no-any-return]


def read_tag(data: bytes, rel: str, store: str, *, project: str, key: str) -> str:
    """The version the tag at ``rel`` points to: a version id, and nothing that walks elsewhere."""
    pointer = parse_json(data, rel, store)
    if not isinstance(pointer, dict):
        raise DamagedFileError(store, rel, f"holds {_kind(pointer)}, not a tag object")
    version = pointer.get("version")
    if not isinstance(version, str) or not is_version_id(version):
        raise DamagedFileError(store, rel, f"points at {version!r}, which is not a version id")
    uri = pointer.get("uri")
    if uri is not None and uri != version_uri(project, key, version):
        raise DamagedFileError(store, rel, f"holds the uri {uri!r}, not one of its own key")
    return version


def read_run_record(data: bytes, rel: str, store: str) -> dict[str, Any]:
    """A run record: a JSON object (its fields are shown, never used as paths)."""
    record = parse_json(data, rel, store)
    if not isinstance(record, dict):
        raise DamagedFileError(store, rel, f"holds {_kind(record)}, not a run record object")
    return record


def read_preview(data: bytes, rel: str, store: str) -> dict[str, Any]:
    """A preview: a JSON object with its ``kind`` (shown by the UI, never used as a path)."""
    preview = parse_json(data, rel, store)
    if not isinstance(preview, dict) or not isinstance(preview.get("kind"), str):
        raise DamagedFileError(store, rel, f"holds {_kind(preview)}, not a preview object")
    return preview


def _is_name(value: object) -> bool:
    """Whether ``value`` can be a project (it becomes a directory name)."""
    return isinstance(value, str) and is_valid_key(value)


def _kind(value: object) -> str:
    return "null" if value is None else f"a JSON {type(value).__name__}"


def _manifest_problem(manifest: object, project: str, key: str, version: str) -> str | None:
    """Why ``manifest`` cannot be the one the store wrote at its place, or None.

    Its shape is :func:`packagers.manifest.shape_problem`'s to judge; this adds where it sits:
    its identity, its URI, its blob and its bundle members' URIs.
    """
    problem = shape_problem(manifest)
    if problem is not None:
        return problem
    assert isinstance(manifest, dict)  # shape_problem said so
    for field, expected in (("project", project), ("key", key)):
        value = manifest.get(field)
        if not _is_name(value) or value != expected:
            return f"names the {field} {value!r}, not {expected!r} as its place in the store does"
    if not is_version_id(version):
        return f"is a file named {version!r}, which is not a version id"
    if manifest.get("version") != version:
        return f"names the version {manifest.get('version')!r}, not its own file's {version!r}"
    if manifest.get("uri") != version_uri(project, key, version):
        return f"names the uri {manifest.get('uri')!r}, not its own"
    digest, blob = manifest.get("digest"), manifest.get("blob")
    if blob is not None and (digest is None or blob != blob_path(digest)):
        return f"names the blob {blob!r}, not the one its digest names"
    for entry in manifest.get("bundle", {}).get("members", []):
        uri = entry.get("uri")
        prefix = version_uri(project, str(entry["key"]), "")
        if not (
            isinstance(uri, str) and uri.startswith(prefix) and is_version_id(uri[len(prefix) :])
        ):
            return f"names the bundle member uri {uri!r}, not an exact version of {entry['key']!r}"
    return None
