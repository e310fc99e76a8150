"""The artifact store: content-addressed blobs, immutable JSON manifests, tags and run records.

One layout on a local directory (the default) or any fsspec filesystem, so a team can share a
bucket. See ``docs/store.md`` for the layout and the guarantees.
"""

from __future__ import annotations

from packagers.store.artifacts_index import ArtifactRef
from packagers.store.deletion import ArtifactInUseError, Deletion
from packagers.store.errors import (
    AmbiguousRunError,
    CorruptArtifactError,
    DamagedFileError,
    StoreError,
    StoreNotFoundError,
)
from packagers.store.maintenance import VerifyReport
from packagers.store.store import Store, get_store
from packagers.store.stored_item import StoreDataItem
from packagers.store.uri import StoreUri, parse_uri

__all__ = [
    "AmbiguousRunError",
    "ArtifactInUseError",
    "ArtifactRef",
    "CorruptArtifactError",
    "DamagedFileError",
    "Deletion",
    "Store",
    "StoreDataItem",
    "StoreError",
    "StoreNotFoundError",
    "StoreUri",
    "VerifyReport",
    "get_store",
    "parse_uri",
]
