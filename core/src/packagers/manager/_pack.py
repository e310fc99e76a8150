"""Packing one planned output into a package: the packager's file or value, and its manifest."""

from __future__ import annotations

import functools
import os
import platform
import stat
from typing import TYPE_CHECKING, Any

from packagers._builtin import PicklePackager
from packagers._config import config
from packagers._digest import file_digest
from packagers._errors import PackagersError, PackingError
from packagers._json import json_error
from packagers._warnings import warn
from packagers.artifacts import Artifact, ArtifactType, ModelArtifact
from packagers.manifest import BUNDLE, MANIFEST_SCHEMA, Manifest
from packagers.package import Package
from packagers.plugins.families import missing_family
from packagers.previews import bounded_preview, make_preview
from packagers.type_hints import type_name

if TYPE_CHECKING:
    from packagers.log_hint import LogHint
    from packagers.manager._plan import Node
    from packagers.manager.dispatch import Dispatch
    from packagers.packager import Packager

__all__ = ["Packer"]

_SCALARS = (int, float, str, bool, type(None))


class Packer:
    """Packs planned outputs with the packagers of one :class:`Dispatch`.

    ``digest`` (per call) says whether each artifact's manifest gets its file digest now; without
    it the store hashes while it uploads.
    """

    def __init__(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch
        #: (packager, object type, artifact type) -> the manifest fields they alone decide
        self._provenance: dict[tuple[Packager | None, type | None, str], Manifest] = {}

    def pack_node(self, node: Node, digest: bool) -> Package:
        """The package of a planned node: a leaf, or a bundle of its children's packages."""
        if node.container is None:
            return self.pack_leaf(node.obj, node.hint, digest)
        members = [self.pack_node(child, digest) for _, child in node.children]
        manifest = self._base_manifest(node.hint, BUNDLE)
        manifest["bundle"] = {
            **node.container,
            "members": [
                {"key": member.key, "name": _json_name(name)}
                for (name, _), member in zip(node.children, members, strict=True)
            ],
        }
        return Package(key=node.key, hint=node.hint, manifest=manifest, members=members)

    def pack_leaf(self, obj: Any, hint: LogHint, digest: bool) -> Package:
        """One object packed by the packager dispatch chooses for it."""
        try:
            packager, artifact_type = self._dispatch.choose_packer(obj, hint.artifact_type)
        except PackingError as error:
            raise PackingError(f"{hint.key!r}: {error}") from None
        if isinstance(packager, PicklePackager):
            _warn_missing_family(obj.__class__)  # type(obj) is not Hashable to mypy
        previewing = config.preview.enabled and artifact_type != ArtifactType.RESULT
        # a bounded preview only reads a sample, best before a large write evicts it from caches
        made = bounded_preview(packager, obj, artifact_type, key=hint.key) if previewing else None
        output = self._call_packer(packager, obj, hint, artifact_type, digest)
        manifest = self._base_manifest(hint, artifact_type, packager, type(obj))
        if artifact_type == ArtifactType.RESULT:
            if not isinstance(output, dict) or hint.key not in output:
                raise PackingError(
                    f"{packager.qualified_name()}.pack_result must return {{key: value}} with the "
                    f"key {hint.key!r}, got {output!r:.200}"
                )
            value = output[hint.key]
            if type(value) not in _SCALARS:
                _ensure_json(value, f"the result {hint.key!r}", packager)
            manifest["value"] = value
            return Package(key=hint.key, hint=hint, manifest=manifest, value=value)
        if not (isinstance(output, tuple) and len(output) == 2 and isinstance(output[0], Artifact)):
            raise PackingError(
                f"{packager.qualified_name()}.pack_{artifact_type} must return "
                f"(Artifact, instructions), got {type(output).__name__}"
            )
        artifact, instructions = output
        _ensure_json(instructions, f"the instructions for {hint.key!r}", packager)
        manifest.update(artifact.to_dict())
        manifest["instructions"] = instructions
        manifest["labels"] = {**artifact.labels, **hint.labels}
        manifest["extra_data"] = {
            **artifact.extra_data,
            **{k: v for k, v in hint.extra_data.items() if v is not ...},
        }
        metrics = artifact.metrics if isinstance(artifact, ModelArtifact) else {}
        manifest["metrics"] = {**metrics, **{k: v for k, v in hint.metrics.items() if v is not ...}}
        if artifact.src_path is not None:
            status = os.stat(artifact.src_path)  # once for both questions
            if stat.S_ISDIR(status.st_mode):
                raise PackingError(
                    f"{packager.qualified_name()}.pack_{artifact_type} returned a directory for "
                    f"{hint.key!r}; a packer must archive directories into one file"
                )
            manifest["size"] = status.st_size
            if digest:
                manifest["digest"] = (
                    packager.written_digest(artifact.src_path) or file_digest(artifact.src_path)[0]
                )
        package = Package(
            key=hint.key,
            hint=hint,
            manifest=manifest,
            artifact=artifact,
            temporary=artifact.src_path is not None and packager.will_clear(artifact.src_path),
        )
        if made is not None:
            package.preview = made(manifest["format"])
        elif previewing:  # after the artifact is complete: a preview cannot change it
            package.preview = make_preview(
                packager, obj, artifact_type, key=hint.key, artifact_format=manifest["format"]
            )
        return package

    @staticmethod
    def _call_packer(
        packager: Packager, obj: Any, hint: LogHint, artifact_type: str, digest: bool
    ) -> Any:
        """``packager.pack``, its failures named; files written through ``open_output`` are
        hashed while written when ``digest`` (a result has no file)."""
        try:
            if artifact_type == ArtifactType.RESULT:
                return packager.pack(obj, hint.key, artifact_type, dict(hint.packing_kwargs))
            with packager.digesting_outputs(digest):
                return packager.pack(obj, hint.key, artifact_type, dict(hint.packing_kwargs))
        except PackagersError:
            raise
        except Exception as error:
            raise PackingError(
                f"{packager.qualified_name()} failed to pack {hint.key!r} as {artifact_type!r}: "
                f"{type(error).__name__}: {error}"
            ) from error

    def _base_manifest(
        self,
        hint: LogHint,
        artifact_type: str,
        packager: Packager | None = None,
        object_type: type | None = None,
    ) -> Manifest:
        provenance = self._provenance.get((packager, object_type, artifact_type))
        if provenance is None:
            provenance = self._provenance[packager, object_type, artifact_type] = self._origin(
                artifact_type, packager, object_type
            )
        manifest: Manifest = {
            "schema": MANIFEST_SCHEMA,
            "key": hint.key,
            **provenance,
            "tag": hint.tag,
        }
        manifest["labels"] = dict(hint.labels)
        manifest["extra_data"] = {k: v for k, v in hint.extra_data.items() if v is not ...}
        manifest["metrics"] = {k: v for k, v in hint.metrics.items() if v is not ...}
        return manifest

    def _origin(
        self, artifact_type: str, packager: Packager | None, object_type: type | None
    ) -> Manifest:
        record = self._dispatch.records.get(packager.qualified_name()) if packager else None
        return {
            "artifact_type": artifact_type,
            "object_type": type_name(object_type) if object_type else None,
            "packager": packager.qualified_name() if packager else None,
            "plugin": record.plugin if record else None,
            "distribution": record.distribution if record else None,
            "distribution_version": record.version if record else None,
            "python_version": platform.python_version(),
        }


@functools.cache
def _warn_missing_family(tp: type) -> None:
    """Once per type: its family's plugin would have stored it in a real format."""
    family = missing_family(tp)
    if family is not None:
        warn(
            f"{type_name(tp)} is pickled because its plugin is not installed; "
            f"pip install {family} to store it in its own formats",
            PackingError,
        )


def _json_name(name: Any) -> Any:
    return name if isinstance(name, (str, int, float, bool)) or name is None else str(name)


def _ensure_json(value: Any, what: str, packager: Packager) -> None:
    error = json_error(value)
    if error is not None:
        raise PackingError(
            f"{what} from {packager.qualified_name()} is not JSON-serialisable ({error}); "
            "pack it as a file or object artifact instead"
        ) from error
