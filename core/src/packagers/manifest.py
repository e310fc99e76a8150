"""The manifest: the JSON record kept beside every logged output, one typed definition.

The manager writes it, the store completes and keeps it, and the CLI, the runner, the UI and the
projects read it. :func:`from_json` (and :func:`shape_problem`, which the store's reader uses
with its own layout checks) is the one place that says what a manifest of the right shape is.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

from packagers._digest import PATTERN
from packagers._errors import PackagersError
from packagers.log_hint import is_valid_key

__all__ = [
    "BUNDLE",
    "MANIFEST_SCHEMA",
    "Bundle",
    "BundleMember",
    "Manifest",
    "ManifestError",
    "check_format",
    "from_json",
    "shape_problem",
    "to_json",
]

#: Bumped when the manifest layout changes incompatibly.
MANIFEST_SCHEMA = 1
#: The artifact type of an itemized container's manifest: made by the manager, not a packager.
BUNDLE = "bundle"

_SEPARATORS = ("/", "\\", "\x00")
_MAX_FORMAT = 64
_OBJECTS = ("instructions", "spec", "labels", "extra_data", "metrics")


class ManifestError(PackagersError, ValueError):
    """A manifest does not have the shape packagers writes; the message says where and how."""


class BundleMember(TypedDict, total=False):
    key: str
    name: str | int | float | bool | None
    uri: str  # stamped by the store


class Bundle(TypedDict, total=False):
    """An itemized container: its kind, its members and, for a packager's type, who rebuilds it.

    The code calls it a container; the JSON key of its kind stays ``collection`` because stored
    manifests carry it and are read as written (renaming it would need a schema change), and
    "collection" in the code means the plugin collection (:mod:`packagers.plugins.collection`).
    """

    collection: str  # the container's kind: "list", "tuple", "dict" or "packager"
    members: list[BundleMember]
    packager: str  # with "packager": the packager that rebuilds the object
    object_type: str


class Manifest(TypedDict, total=False):
    """What packing writes (first block) and what the store adds when it keeps it (second)."""

    schema: int
    key: str
    artifact_type: str
    object_type: str | None
    packager: str | None
    plugin: str | None
    distribution: str | None
    distribution_version: str | None
    python_version: str
    tag: str
    labels: dict[str, Any]
    extra_data: dict[str, Any]
    metrics: dict[str, Any]
    value: Any  # a result's value
    format: str | None  # an artifact's file format (its suffix without the dot)
    kind: str  # "model", "dataset", "plot"... (Artifact.to_dict)
    spec: dict[str, Any]
    instructions: dict[str, Any]
    size: int
    digest: str
    bundle: Bundle

    project: str
    version: str
    uri: str
    run_id: str | None
    created: str
    blob: str


def check_format(data_format: object) -> bool:
    """Whether a recorded format can end a file name (``<key>.<format>``) and stay one name."""
    return data_format is None or (
        isinstance(data_format, str)
        and 0 < len(data_format) <= _MAX_FORMAT
        and not any(separator in data_format for separator in _SEPARATORS)
    )


def shape_problem(manifest: object) -> str | None:
    """Why ``manifest`` is not one packagers could have written, or None.

    Checks types and every field that may become part of a path (key, digest, format, run id,
    bundle member keys); where it sits in a store is the store's check.
    """
    if not isinstance(manifest, dict):
        return f"holds {_kind(manifest)}, not a manifest object"
    schema = manifest.get("schema", MANIFEST_SCHEMA)
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        return f"records the schema {schema!r}, not a manifest schema version"
    if schema > MANIFEST_SCHEMA:
        return (
            f"has manifest schema {schema}, newer than this packagers reads ({MANIFEST_SCHEMA}); "
            "upgrade packagers"
        )
    if not _is_name(manifest.get("key")):
        return f"names the key {manifest.get('key')!r}, not a valid key"
    if not isinstance(manifest.get("artifact_type"), str):
        return f"has the artifact type {manifest.get('artifact_type')!r}, not a name"
    digest = manifest.get("digest")
    if digest is not None and not (isinstance(digest, str) and PATTERN.fullmatch(digest)):
        return f"records the digest {digest!r}, not one the store makes"
    if not check_format(manifest.get("format")):
        return f"records the format {manifest.get('format')!r}, which cannot end a file name"
    run_id = manifest.get("run_id")
    if run_id is not None and not _is_name(run_id):
        return f"records the run id {run_id!r}, not one the runner makes"
    for field in _OBJECTS:
        if not isinstance(manifest.get(field, {}), dict):
            return f"holds {_kind(manifest[field])} as its {field}, not an object"
    if "bundle" in manifest:
        return _bundle_problem(manifest["bundle"])
    return None


def to_json(manifest: Manifest) -> bytes:
    """The stored form: compact JSON (the C encoder, several times faster than indented)."""
    return json.dumps(manifest).encode()


def from_json(data: bytes | str, where: str) -> Manifest:
    """The manifest in ``data``, or one ``ManifestError`` naming ``where`` and what is wrong."""
    try:
        manifest = json.loads(data)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise ManifestError(f"{where} is not valid JSON ({error})") from None
    problem = shape_problem(manifest)
    if problem is not None:
        raise ManifestError(f"{where} {problem}")
    return manifest  # type: ignore[no-any-return]


def _bundle_problem(bundle: object) -> str | None:
    if not isinstance(bundle, dict):
        return f"holds {_kind(bundle)} as its bundle, not an object"
    members = bundle.get("members")
    if not isinstance(members, list) or not isinstance(bundle.get("collection"), str):
        return "holds a bundle without a container kind ('collection') and a list of members"
    for entry in members:
        key = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not _is_name(key) or not _is_member_name(entry):
            return f"holds the bundle member {entry!r}, without a valid key and name"
    return None


def _is_name(value: object) -> bool:
    """Whether ``value`` can be a project, key or run id (each becomes a file name)."""
    return isinstance(value, str) and is_valid_key(value)


def _is_member_name(entry: dict[str, Any]) -> bool:
    return isinstance(entry.get("name"), (str, int))


def _kind(value: object) -> str:
    return "null" if value is None else f"a JSON {type(value).__name__}"
