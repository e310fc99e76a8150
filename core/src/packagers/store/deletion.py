"""Deleting artifact versions: what may go, what still needs it, and the order of the removals.

Per version, the tags pointing at it go first (a tag never names a missing version), then its
manifest (the version is gone from then on), then its preview (found only through its manifest,
it is unseen from then on; ``gc`` removes one a deletion cut short leaves).
The versions of a key go oldest first, so ``latest`` keeps naming the same version until the
last one goes. Blobs stay: another version may hold the same bytes, and ``gc`` reclaims the ones
no manifest names any more.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packagers.store.errors import StoreError
from packagers.store.uri import SCHEME, parse_uri

if TYPE_CHECKING:
    from packagers.manifest import Manifest
    from packagers.store.artifacts_index import ArtifactIndex

__all__ = ["ArtifactInUseError", "Deletion", "delete_versions", "plan_deletion"]


class ArtifactInUseError(StoreError):
    """Another artifact (a bundle, a linked output) names a version being deleted."""


@dataclass(frozen=True)
class Deletion:
    """What deleting removes: the versions' URIs (oldest first), and the tags pointing at them.

    ``referenced_by`` maps each version URI still named by an artifact that is kept to those
    artifacts' URIs (non-empty only when deleting was forced).
    """

    manifests: list[Manifest]
    tags: dict[str, list[str]] = field(default_factory=dict)
    referenced_by: dict[str, list[str]] = field(default_factory=dict)

    @property
    def uris(self) -> list[str]:
        return [manifest["uri"] for manifest in self.manifests]


def plan_deletion(
    index: ArtifactIndex, manifests: list[Manifest], *, whole_key: bool, force: bool
) -> Deletion:
    """Check that deleting ``manifests`` breaks nothing (unless ``force``), and list the tags.

    A kept artifact naming a deleted version (``store://p/k@v``), or, when a whole key goes,
    any version of it, is a reference: refused with the referencing URIs, so the user decides.
    """
    manifests = sorted(manifests, key=lambda manifest: manifest["version"])
    going = {manifest["uri"] for manifest in manifests}
    keys = {(m["project"], m["key"]) for m in manifests} if whole_key else set()
    referenced: dict[str, list[str]] = {}
    for other in index.scan().manifests:
        if other["uri"] in going:
            continue
        for named in _store_uris(other):
            hit = named in going or _names_key(named, keys)
            if hit:
                referenced.setdefault(named, []).append(other["uri"])
    if referenced and not force:
        shown = "; ".join(f"{uri} is named by {', '.join(by)}" for uri, by in referenced.items())
        raise ArtifactInUseError(
            f"not deleted: {shown}. Delete those first, or force the deletion (--force) and "
            "leave them naming a version that no longer exists"
        )
    tags: dict[str, list[str]] = {}
    for project, key in sorted({(m["project"], m["key"]) for m in manifests}):
        for tag in index.tags(project, key)[1:]:  # `latest` is not a file
            version = index.read_tag(project, key, tag)
            for manifest in manifests:
                if manifest["key"] == key and manifest["version"] == version:
                    tags.setdefault(manifest["uri"], []).append(tag)
    return Deletion(manifests, tags, referenced)


def delete_versions(index: ArtifactIndex, deletion: Deletion) -> None:
    """Remove the planned versions in the order the module docstring gives."""
    for manifest in deletion.manifests:
        project, key, version = manifest["project"], manifest["key"], manifest["version"]
        for tag in deletion.tags.get(manifest["uri"], []):
            index.remove_tag(project, key, tag)
        index.remove_version(project, key, version)


def _store_uris(value: Any) -> Iterator[str]:
    """Every ``store://`` string anywhere inside a manifest."""
    if isinstance(value, str):
        if value.startswith(SCHEME):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _store_uris(item)
    elif isinstance(value, list):
        for item in value:
            yield from _store_uris(item)


def _names_key(uri: str, keys: set[tuple[str, str]]) -> bool:
    if not keys:
        return False
    try:
        parsed = parse_uri(uri)
    except StoreError:
        return False
    return (parsed.project, parsed.key) in keys
