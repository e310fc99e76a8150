"""What lineage asks of the index: which runs logged and read a version, and what it links.

Run edges come from run records (``run_inputs``, ``run_outputs``). Links come from manifests:
a bundle names its members' versions, and linking (``manager/linking.py``) writes a linked
artifact into ``extra_data`` or ``metrics`` as its exact version URI and a linked result as its
value. A manifest does not say which of those entries were links and which were given as they
are, so every entry is indexed: one whose value is a store URI points at that version
(``target``), any other carries its value. Lineage reads them without opening a manifest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packagers.store.uri import SCHEME

if TYPE_CHECKING:
    import sqlite3

    from packagers.manifest import Manifest

__all__ = ["LINK_KINDS", "ArtifactLink", "find_links", "link_rows", "run_io", "runs_of"]

#: What a manifest links, named for the field that records it: a bundle's members, and the
#: entries of ``extra_data`` and ``metrics``.
LINK_KINDS = ("bundle", "extra_data", "metrics")


@dataclass(frozen=True)
class ArtifactLink:
    """One entry, ``name``, of the ``kind`` field of the manifest of ``source`` (a version URI):
    a bundle member by its key, an ``extra_data``/``metrics`` entry by its name.

    ``target`` is the version it links (a store URI); for any other entry it is None and
    ``value`` is the entry's value.
    """

    source: str
    kind: str
    name: str
    target: str | None
    value: Any = None


def link_rows(manifest: Manifest) -> list[tuple[Any, ...]]:
    """The ``artifact_links`` rows of one manifest (checked by the store's reader, or ours)."""
    identity = tuple(manifest.get(field) for field in ("project", "key", "version", "uri"))
    bundle = manifest.get("bundle")
    members = bundle.get("members") if isinstance(bundle, dict) else None
    rows = [
        (*identity, "bundle", str(member.get("key")), member["uri"], None)
        for member in (members if isinstance(members, list) else [])
        if isinstance(member, dict) and _is_store_uri(member.get("uri"))
    ]
    for kind in ("extra_data", "metrics"):
        entries = manifest.get(kind)
        if not isinstance(entries, dict):
            continue
        for name, value in entries.items():
            target = value if _is_store_uri(value) else None
            encoded = None if target is not None else json.dumps(value)
            rows.append((*identity, kind, name, target, encoded))
    return rows


def _is_store_uri(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(SCHEME)


def find_links(
    connection: sqlite3.Connection, uris: Sequence[str], *, to: bool
) -> list[ArtifactLink]:
    """The links the versions ``uris`` record or, with ``to``, the links that point at them."""
    if not uris:
        return []
    column = "target" if to else "uri"
    marks = ",".join("?" * len(uris))
    rows = connection.execute(
        "SELECT uri, kind, name, target, value FROM artifact_links "
        f"WHERE {column} IN ({marks}) ORDER BY uri, kind, name",
        list(uris),
    )
    return [
        ArtifactLink(uri, kind, name, target, None if value is None else json.loads(value))
        for uri, kind, name, target, value in rows
    ]


def runs_of(
    connection: sqlite3.Connection, table: str, uris: Sequence[str]
) -> list[tuple[str, tuple[str, str]]]:
    """(uri, (project, run id)) for each run that logged (``run_outputs``) or read
    (``run_inputs``) one of ``uris``."""
    marks = ",".join("?" * len(uris))
    rows = connection.execute(
        f"SELECT uri, project, run_id FROM {table} WHERE uri IN ({marks}) ORDER BY run_id",
        list(uris),
    )
    return [(uri, (project, run_id)) for uri, project, run_id in rows]


def run_io(
    connection: sqlite3.Connection, project: str, run_id: str
) -> tuple[list[str], list[str]]:
    """The exact version URIs a run read and logged."""
    found = []
    for table in ("run_inputs", "run_outputs"):
        rows = connection.execute(
            f"SELECT uri FROM {table} WHERE project = ? AND run_id = ? ORDER BY name",
            (project, run_id),
        )
        found.append([row[0] for row in rows])
    return found[0], found[1]
