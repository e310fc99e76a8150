"""The engine: which packager packs or unpacks what, and everything around a single pack call.

``PackagersManager`` is what the runner, the store and the plugin tests use. One instance serves
one run: it holds the packager instances (and so their temporary files) and is a context manager
that clears them when the run ends, also when it failed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import types
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from packagers._builtin import PicklePackager
from packagers._config import config
from packagers._digest import file_digest
from packagers._digest import wanted as digest_wanted
from packagers._errors import PackagersError, PackingError, UnpackingError
from packagers._warnings import warn
from packagers.artifacts import Artifact, ArtifactType, ModelArtifact
from packagers.data_item import DataItem
from packagers.log_hint import LogHint, is_valid_key
from packagers.package import MANIFEST_SCHEMA, Package
from packagers.packager import Packager
from packagers.plugins.collection import PackagerRecord, collect
from packagers.plugins.families import missing_family
from packagers.previews import make_preview
from packagers.type_hints import hint_metadata, hint_origin, import_type, split_hint, type_name

__all__ = ["PackagersManager"]

BUNDLE = "bundle"
_SCALARS = (int, float, str, bool, type(None))
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".cloudpickle")
_PYTHON_VERSION = "{}.{}.{}".format(*sys.version_info[:3])


@functools.lru_cache(maxsize=1024)
def _parse_string_hint(hint: str) -> LogHint:
    return LogHint.parse(hint)


def parse_hint(hint: str | dict[str, Any] | LogHint) -> LogHint:
    """``LogHint.parse`` with the string form cached (hints repeat on every run of a function)."""
    if isinstance(hint, str):
        return _parse_string_hint(hint)
    return LogHint.parse(hint)


@dataclass
class _Node:
    """One planned package: a leaf object, or a collection split into named children."""

    key: str
    hint: LogHint
    obj: Any = None
    collection: dict[str, Any] | None = None
    children: list[tuple[Any, _Node]] = field(default_factory=list)

    def walk(self) -> Iterator[_Node]:
        for _, child in self.children:
            yield from child.walk()
        yield self


class PackagersManager:
    """Packs objects under log hints and unpacks data items for type hints.

    >>> with PackagersManager() as manager:
    ...     packages = manager.pack_outputs((0.9, frame), ["accuracy", "data : dataset"])
    ...     manager.link(packages)

    Without arguments it uses the collected packagers (plugins and custom packagers, see
    :func:`packagers.list_packagers`); tests may pass packager classes directly.
    """

    def __init__(self, packagers: Iterable[type[Packager] | PackagerRecord] | None = None) -> None:
        if packagers is None:
            collection = collect()
            #: name -> record, and type -> packager classes: shared by every manager of this
            #: collection (one per run), never changed by one
            self._records = collection.by_name
            self._dispatch = collection.dispatch
        else:
            records = [
                item if isinstance(item, PackagerRecord) else _record_for(item, rank)
                for rank, item in enumerate(packagers)
            ]
            records.sort(key=lambda record: record.priority)
            self._records = {record.name: record for record in records}
            self._dispatch = {}
        self._classes = [
            r.packager_class for r in self._records.values() if r.packager_class is not None
        ]
        self._instances: dict[type[Packager], Packager] = {}  # made on first use: runs are short
        self._by_type: dict[type, tuple[Packager, ...]] = {}
        #: (packager, object type, artifact type) -> the manifest fields they alone decide
        self._provenance: dict[tuple[Packager | None, type | None, str], dict[str, Any]] = {}
        self._data_items: list[DataItem] = []

    # -- context --------------------------------------------------------------------------------

    def __enter__(self) -> PackagersManager:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.clear()

    def clear(self) -> None:
        """Delete every temporary path the packagers registered and every downloaded input copy."""
        for packager in self._instances.values():
            packager.clear()
        items, self._data_items = self._data_items, []
        for item in items:
            item.clear()

    # -- lookup ---------------------------------------------------------------------------------

    @property
    def packagers(self) -> tuple[Packager, ...]:
        """The packager instances in priority order."""
        return tuple(self._instance(cls) for cls in self._classes)

    def _instance(self, cls: type[Packager]) -> Packager:
        packager = self._instances.get(cls)
        if packager is None:
            packager = self._instances[cls] = cls()
        return packager

    def packagers_for(self, tp: type) -> tuple[Packager, ...]:
        """The packagers that handle objects of ``tp``, best first (computed once per type)."""
        candidates = self._by_type.get(tp)
        if candidates is None:
            # Safe to keep even while some packagers' libraries are not imported: a class that
            # exists cannot subclass one that is imported later.
            classes = self._dispatch.get(tp)
            if classes is None:
                classes = self._dispatch[tp] = tuple(c for c in self._classes if c.handles_type(tp))
            candidates = self._by_type[tp] = tuple(self._instance(cls) for cls in classes)
        return candidates

    def packager(self, name: str) -> Packager | None:
        """The packager with this qualified name, when it is collected."""
        record = self._records.get(name)
        cls = None if record is None else record.packager_class
        return None if cls is None else self._instance(cls)

    def choose_packager(self, obj: Any, artifact_type: str | None = None) -> tuple[Packager, str]:
        """The packager and artifact type ``obj`` would be packed with, or a ``PackingError``."""
        candidates = self.packagers_for(type(obj))
        for packager in candidates:
            if packager.is_packable(obj, artifact_type):
                if artifact_type is None:
                    return packager, packager.get_default_packing_artifact_type(obj)
                return packager, artifact_type
        offers = "; ".join(
            f"{p.qualified_name()} packs {', '.join(sorted(p.packing_artifact_types()))}"
            for p in candidates
        )
        family = missing_family(type(obj))
        install = f"; pip install {family} to pack it in its own formats" if family else ""
        raise PackingError(
            f"no packager packs a {type_name(type(obj))} as {artifact_type!r}. "
            f"Packagers for this type: {offers or 'none'}{install}"
        )

    # -- packing --------------------------------------------------------------------------------

    def pack(
        self, obj: Any, hint: str | dict[str, Any] | LogHint, *, digest: bool = True
    ) -> Package:
        """Pack one object; an itemized hint gives a bundle package whose members are the items.

        ``digest=False`` leaves the file digest to the caller (the store hashes while uploading).
        """
        parsed = parse_hint(hint)
        if not parsed.itemized:  # one key, one leaf: nothing to plan or check
            return self._pack_leaf(obj, parsed, digest)
        node = self._plan(obj, parsed)
        self._check_keys([node])
        return self._pack_node(node, digest)

    def pack_outputs(
        self,
        returned: Any,
        hints: Iterable[str | dict[str, Any] | LogHint],
        *,
        digest: bool = True,
        auto_key_prefix: str = "",
    ) -> list[Package]:
        """Match a function's return value to its log hints and pack every output.

        Every key is checked before anything is packed, so a bad itemization writes nothing.
        """
        parsed = [parse_hint(hint) for hint in hints]
        if isinstance(returned, tuple) and not config.pack_tuples:
            values = list(returned)
        elif returned is None and len(parsed) != 1:
            values = []
        else:
            values = [returned]
        if len(parsed) > len(values):
            missing = [hint.key for hint in parsed[len(values) :]]
            warn(
                f"the function returned {len(values)} value(s) for {len(parsed)} log hint(s); "
                f"nothing is logged for: {', '.join(missing)}",
                PackingError,
            )
        if len(values) > len(parsed):
            if config.auto_pack_outputs:
                prefix = _key_part(auto_key_prefix)
                base = f"{prefix}-" if prefix else ""
                parsed.extend(
                    LogHint(key=f"{base}{config.auto_pack_key}-{index}")
                    for index in range(len(parsed), len(values))
                )
            elif parsed:
                warn(
                    f"the function returned {len(values)} values for {len(parsed)} log hint(s); "
                    f"values {len(parsed)}..{len(values) - 1} have no log hint and are not logged "
                    "(add hints, or set auto_pack_outputs)",
                    PackingError,
                )
            else:
                warn(
                    f"the function returned {_count(len(values), 'value')} and has no log hints, "
                    "so nothing is logged; name the outputs with returns=[...] (@handler(returns="
                    "...), packagers run -r HINT) or set auto_pack_outputs",
                    PackingError,
                )
        nodes = []
        for value, hint in zip(values, parsed, strict=False):  # a mismatch was warned above
            if value is None and hint.artifact_type is None:  # what the function said: null
                hint = replace(hint, artifact_type=ArtifactType.RESULT)
            node = self._plan(value, hint)
            if node.collection is not None and not node.children:
                continue  # an empty itemized collection: nothing to log, nothing wrong
            nodes.append(node)
        self._check_keys(nodes)
        return [self._pack_node(node, digest) for node in nodes]

    def _plan(self, obj: Any, hint: LogHint, depth: int | None = None) -> _Node:
        if depth is None:  # -1: no depth limit
            depth = -1 if hint.depth is None else hint.depth
        node = _Node(key=hint.key, hint=hint, obj=obj)
        if depth == 0 or isinstance(obj, (str, bytes, bytearray)):
            return node
        collection, items = self._unbundle(obj)
        if collection is None:
            return node
        node.obj = None
        node.collection = collection
        child_hint = hint.replace(itemized=False, extra_data={}, metrics={})
        remaining = -1 if depth < 0 else depth - 1
        for name, item in items:
            key = f"{hint.key}_{name}"
            if not is_valid_key(key):
                raise PackingError(
                    f"itemizing {hint.key!r} gives the key {key!r}, which is not a valid key "
                    "(letters, digits, '_', '.', '-'); nothing was logged"
                )
            node.children.append((name, self._plan(item, child_hint.replace(key=key), remaining)))
        return node

    def _unbundle(self, obj: Any) -> tuple[dict[str, Any] | None, list[tuple[Any, Any]]]:
        if isinstance(obj, dict) and type(obj) is dict:
            return {"collection": "dict"}, list(obj.items())
        if type(obj) in (list, tuple):
            return {"collection": type(obj).__name__}, list(enumerate(obj))
        if isinstance(obj, (Generator, types.GeneratorType)):
            return {"collection": "list"}, list(enumerate(obj))
        for packager in self.packagers_for(type(obj)):
            if packager.BUNDLE_FROM_DICT or packager.BUNDLE_FROM_LIST:
                items = packager.unbundle(obj)
                record = {
                    "collection": "packager",
                    "packager": packager.qualified_name(),
                    "object_type": type_name(type(obj)),
                }
                if isinstance(items, dict):
                    return record, list(items.items())
                return record, list(enumerate(items))
            break
        return None, []

    def _check_keys(self, nodes: list[_Node]) -> None:
        seen: dict[str, str] = {}  # key -> the output it comes from
        for root in nodes:
            for node in root.walk():
                if node.key in seen:
                    sources = sorted({seen[node.key], root.key})
                    raise PackingError(
                        f"two outputs would be logged under the key {node.key!r} (from "
                        f"{' and '.join(map(repr, sources))}); rename one of them; nothing was "
                        "logged"
                    )
                seen[node.key] = root.key

    def _pack_node(self, node: _Node, digest: bool) -> Package:
        if node.collection is None:
            return self._pack_leaf(node.obj, node.hint, digest)
        members = [self._pack_node(child, digest) for _, child in node.children]
        manifest = self._base_manifest(node.hint, BUNDLE)
        manifest["bundle"] = {
            **node.collection,
            "members": [
                {"key": member.key, "name": _json_name(name)}
                for (name, _), member in zip(node.children, members, strict=True)
            ],
        }
        return Package(key=node.key, hint=node.hint, manifest=manifest, members=members)

    def _pack_leaf(self, obj: Any, hint: LogHint, digest: bool) -> Package:
        try:
            packager, artifact_type = self.choose_packager(obj, hint.artifact_type)
        except PackingError as error:
            raise PackingError(f"{hint.key!r}: {error}") from None
        if isinstance(packager, PicklePackager):
            _warn_missing_family(type(obj))
        # Writers through ``open_output`` hash while they write when a digest will be needed.
        token = digest_wanted.set(digest) if artifact_type != ArtifactType.RESULT else None
        try:
            output = packager.pack(obj, hint.key, artifact_type, dict(hint.packing_kwargs))
        except PackagersError:
            raise
        except Exception as error:
            raise PackingError(
                f"{packager.qualified_name()} failed to pack {hint.key!r} as {artifact_type!r}: "
                f"{type(error).__name__}: {error}"
            ) from error
        finally:
            if token is not None:
                digest_wanted.reset(token)
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
            if os.path.isdir(artifact.src_path):
                raise PackingError(
                    f"{packager.qualified_name()}.pack_{artifact_type} returned a directory for "
                    f"{hint.key!r}; a packer must archive directories into one file"
                )
            manifest["size"] = os.path.getsize(artifact.src_path)
            if digest:
                manifest["digest"] = (
                    packager.written_digest(artifact.src_path) or file_digest(artifact.src_path)[0]
                )
        package = Package(
            key=hint.key,
            hint=hint,
            manifest=manifest,
            artifact=artifact,
            temporary=_is_inside(artifact.src_path, packager.future_clearing_paths),
        )
        if config.preview.enabled:  # after the artifact is complete: a preview cannot change it
            package.preview = make_preview(
                packager, obj, artifact_type, key=hint.key, artifact_format=manifest["format"]
            )
        return package

    def _base_manifest(
        self,
        hint: LogHint,
        artifact_type: str,
        packager: Packager | None = None,
        object_type: type | None = None,
    ) -> dict[str, Any]:
        provenance = self._provenance.get((packager, object_type, artifact_type))
        if provenance is None:
            provenance = self._provenance[packager, object_type, artifact_type] = self._origin(
                artifact_type, packager, object_type
            )
        manifest = {"schema": MANIFEST_SCHEMA, "key": hint.key, **provenance, "tag": hint.tag}
        manifest["labels"] = dict(hint.labels)
        manifest["extra_data"] = {k: v for k, v in hint.extra_data.items() if v is not ...}
        manifest["metrics"] = {k: v for k, v in hint.metrics.items() if v is not ...}
        return manifest

    def _origin(
        self, artifact_type: str, packager: Packager | None, object_type: type | None
    ) -> dict[str, Any]:
        record = self._records.get(packager.qualified_name()) if packager else None
        return {
            "artifact_type": artifact_type,
            "object_type": type_name(object_type) if object_type else None,
            "packager": packager.qualified_name() if packager else None,
            "plugin": record.plugin if record else None,
            "distribution": record.distribution if record else None,
            "distribution_version": record.version if record else None,
            "python_version": _PYTHON_VERSION,
        }

    # -- linking --------------------------------------------------------------------------------

    @staticmethod
    def link(packages: Iterable[Package], reference: Any = None) -> None:
        """Fill every ``...`` in the hints' ``extra_data``/``metrics`` with the named package.

        ``reference(package)`` gives what is stored for a linked artifact (the store passes its
        URI); by default a result links its value and an artifact its key. Runs after every output
        is packed, so the order of the log hints does not matter.
        """
        everything = list(iter_packages(packages))
        index = {package.key: package for package in everything}
        for package in everything:
            for field_name in ("extra_data", "metrics"):
                links = [k for k, v in getattr(package.hint, field_name).items() if v is ...]
                for name in links:
                    target = index.get(name)
                    if target is None:
                        warn(
                            f"{package.key!r}: {field_name} links to {name!r}, which is not among "
                            "the logged outputs; the link is dropped",
                            PackingError,
                        )
                        continue
                    if field_name == "metrics" and not (
                        package.manifest.get("kind") == "model" and target.is_result
                    ):
                        warn(
                            f"{package.key!r}: metrics link only results to model artifacts; "
                            f"{name!r} ({target.artifact_type}) is dropped (use extra_data)",
                            PackingError,
                        )
                        continue
                    if target.is_result:
                        value = target.value
                    else:
                        value = reference(target) if reference is not None else target.key
                    package.manifest.setdefault(field_name, {})[name] = value

    # -- unpacking ------------------------------------------------------------------------------

    def unpack(self, item: DataItem | str | os.PathLike[str], type_hint: Any = None) -> Any:
        """The object ``item`` holds, as ``type_hint`` asks.

        A packed item goes to the packager recorded in its manifest when the hint agrees (or there
        is none); a plain file or URL goes to the packagers of the hint, in the order Union members
        are written. ``DataItem``, ``Path`` and ``str`` hints get the handle or a local path.
        """
        data_item = item if isinstance(item, DataItem) else DataItem(item)
        data_item.hint_metadata = ()
        self._data_items.append(data_item)
        manifest = data_item.manifest
        recorded = manifest is not None and manifest.get("artifact_type") is not None
        if recorded and type_hint is None:
            return self._unpack_recorded(data_item, manifest)  # type: ignore[arg-type]
        if type_hint is None:
            return data_item
        members = [(m, _resolved_origin(m)) for m in split_hint(type_hint, keep_annotated=True)]
        if recorded:  # a member that agrees with the manifest wins over the written order
            for member, origin in members:
                if origin not in (None, DataItem) and self._agrees(origin, manifest):  # type: ignore[arg-type]
                    data_item.hint_metadata = hint_metadata(member)
                    return self._unpack_recorded(data_item, manifest)  # type: ignore[arg-type]
        attempts: list[str] = []
        for member, origin in members:
            data_item.hint_metadata = hint_metadata(member)
            if origin is None:
                attempts.append(f"{hint_origin(member)}: no such type can be imported")
                continue
            if origin is DataItem:
                return data_item
            if origin is type(None):
                attempts.append("None: an input was given")
                continue
            if _is_path_hint(origin):
                if recorded and manifest.get("artifact_type") == ArtifactType.PATH:  # type: ignore[union-attr]
                    # a packed directory comes back extracted, not as its archive
                    return origin(self._unpack_recorded(data_item, manifest))  # type: ignore[arg-type]
                return origin(data_item.local())
            result = self._unpack_plain(data_item, member, origin, attempts)
            if result is not _FAILED:
                return result
        tried = "\n".join(f"  - {attempt}" for attempt in attempts) or "  - nothing matched"
        packed = (
            f" (it was packed as a {manifest.get('object_type') or manifest.get('artifact_type')})"
            if manifest is not None and recorded
            else ""
        )
        raise UnpackingError(
            f"cannot unpack {data_item.url!r} as {_hint_name(type_hint)}{packed}:\n{tried}"
        )

    def _agrees(self, origin: Any, manifest: dict[str, Any]) -> bool:
        artifact_type = manifest.get("artifact_type")
        if origin is object:
            return True
        if artifact_type == ArtifactType.RESULT:  # a JSON value: a tuple was stored as a list
            return isinstance(origin, type) and isinstance(manifest.get("value"), origin)
        if artifact_type == BUNDLE:
            return _bundle_agrees(origin, manifest)
        recorded = manifest.get("object_type")
        recorded_type = import_type(recorded) if recorded else None
        return (
            isinstance(origin, type)
            and recorded_type is not None
            and issubclass(recorded_type, origin)
        )

    def _unpack_recorded(self, data_item: DataItem, manifest: dict[str, Any]) -> Any:
        artifact_type = manifest["artifact_type"]
        if artifact_type == ArtifactType.RESULT:
            return manifest.get("value")
        if artifact_type == BUNDLE:
            return self._unpack_bundle(data_item, manifest)
        name = manifest.get("packager")
        packager = self.packager(name) if name else None
        if packager is None:
            raise UnpackingError(self._missing_packager_message(data_item, manifest))
        if artifact_type not in packager.unpacking_artifact_types():
            raise UnpackingError(
                f"{data_item.key!r} is a {artifact_type!r} artifact, which "
                f"{packager.qualified_name()} packs but cannot unpack; ask for it as a DataItem "
                "or a Path to get the file"
            )
        try:
            return packager.unpack(data_item, artifact_type, dict(manifest.get("instructions", {})))
        except PackagersError:
            raise
        except Exception as error:
            raise UnpackingError(
                f"{packager.qualified_name()} failed to unpack {data_item.key!r} "
                f"({artifact_type}): {type(error).__name__}: {error}"
            ) from error

    def _missing_packager_message(self, data_item: DataItem, manifest: dict[str, Any]) -> str:
        name = manifest.get("packager")
        distribution = manifest.get("distribution")
        version = manifest.get("distribution_version")
        record = next(
            (
                r
                for r in collect().records
                if r.state != "active"
                and (
                    r.name == name or (distribution is not None and r.distribution == distribution)
                )
            ),
            None,
        )
        if record is not None:
            return (
                f"{data_item.key!r} was packed by {name} from {distribution}, whose plugin is "
                f"{record.state} here: {record.error}"
            )
        wanted = f"{distribution}=={version}" if distribution and version else distribution
        return (
            f"{data_item.key!r} was packed by {name} ({manifest.get('object_type')}), which is not "
            f"installed: pip install {wanted or 'the plugin that provides it'}"
        )

    def _unpack_bundle(self, data_item: DataItem, manifest: dict[str, Any]) -> Any:
        bundle = manifest["bundle"]
        if data_item.resolver is None:
            raise UnpackingError(
                f"{data_item.key!r} is a bundle of {len(bundle['members'])} items and this data "
                "item cannot reach them; load it through the store"
            )
        names = [entry["name"] for entry in bundle["members"]]
        values = [self.unpack(data_item.resolver(entry)) for entry in bundle["members"]]
        collection = bundle["collection"]
        if collection == "list":
            return values
        if collection == "tuple":
            return tuple(values)
        if collection == "dict":
            return dict(zip(names, values, strict=True))
        packager = self.packager(bundle["packager"])
        if packager is None:
            raise UnpackingError(self._missing_packager_message(data_item, manifest))
        if packager.BUNDLE_FROM_DICT:
            return packager.bundle(dict(zip(names, values, strict=True)))
        return packager.bundle(values)

    def _unpack_plain(
        self, data_item: DataItem, hint: Any, origin: Any, attempts: list[str]
    ) -> Any:
        candidates = self.packagers_for(origin) if isinstance(origin, type) else ()
        for packager in candidates:
            artifact_type = packager.get_default_unpacking_artifact_type(data_item)
            if artifact_type == ArtifactType.OBJECT and not data_item.suffix.endswith(
                _PICKLE_SUFFIXES
            ):
                attempts.append(
                    f"{_hint_name(hint)} via {packager.qualified_name()}: the file is not a "
                    "pickle (no .pkl suffix)"
                )
                continue
            if not packager.is_unpackable(data_item, hint, artifact_type):
                attempts.append(
                    f"{_hint_name(hint)} via {packager.qualified_name()}: "
                    f"declines {artifact_type!r}"
                )
                continue
            try:
                return packager.unpack(data_item, artifact_type, {})
            except Exception as error:
                attempts.append(
                    f"{_hint_name(hint)} via {packager.qualified_name()} ({artifact_type}): "
                    f"{type(error).__name__}: {error}"
                )
        if not candidates:
            attempts.append(f"{_hint_name(hint)}: no installed packager handles this type")
        return _FAILED


_FAILED = object()


@functools.cache
def _warn_missing_family(tp: type) -> None:
    """Once per type: its family's plugin would have stored it in a real format."""
    family = missing_family(tp)
    if family is not None:
        warn(
            f"{type_name(tp)} is pickled because its plugin is not installed; "
            f"pip install {family} to store it in its own formats",
            PackingError,
            stacklevel=5,
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _key_part(name: str) -> str:
    """``name`` (a function's, ``<lambda>`` included) made fit to start a key."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_.-")[:64]


def _walk(package: Package) -> Iterator[Package]:
    for member in package.members:
        yield from _walk(member)
    yield package


def iter_packages(packages: Iterable[Package]) -> Iterator[Package]:
    """Every package, members before the bundle that holds them (the order to store them in)."""
    for package in packages:
        yield from _walk(package)


def _resolved_origin(member: Any) -> Any:
    """The class a Union member names; None for a dotted name that does not import."""
    origin = hint_origin(member)
    return import_type(origin) if isinstance(origin, str) else origin


def _is_path_hint(origin: Any) -> bool:
    if origin is str:
        return True
    pathlib = sys.modules.get("pathlib")  # no Path hint can exist before pathlib loads
    if pathlib is None or not isinstance(origin, type):
        return False
    return issubclass(origin, pathlib.PurePath)


def _is_inside(path: str | None, directories: list[str]) -> bool:
    if path is None:
        return False
    return any(path == d or path.startswith(d.rstrip(os.sep) + os.sep) for d in directories)


def _bundle_agrees(origin: Any, manifest: dict[str, Any]) -> bool:
    bundle = manifest.get("bundle")
    if not bundle or not isinstance(origin, type):
        return False
    collection = bundle["collection"]
    if collection in ("list", "tuple", "dict"):
        return origin in (list, tuple, dict) and origin.__name__ == collection
    recorded = import_type(bundle.get("object_type", ""))
    return recorded is not None and issubclass(recorded, origin)


def _record_for(cls: type[Packager], rank: int) -> PackagerRecord:
    cls.validate()
    priority = cls.PRIORITY if cls.PRIORITY is not ... else 5
    return PackagerRecord(
        name=cls.qualified_name(),
        plugin="direct",
        distribution=None,
        version=None,
        priority=priority,
        packable_type=cls.packable_type_name(),
        packing_artifact_types=tuple(sorted(cls.packing_artifact_types())),
        unpacking_artifact_types=tuple(sorted(cls.unpacking_artifact_types())),
        packager_class=cls,
    )


def _json_name(name: Any) -> Any:
    return name if isinstance(name, (str, int, float, bool)) or name is None else str(name)


def _ensure_json(value: Any, what: str, packager: Packager) -> None:
    try:
        json.dumps(value)
    except (TypeError, ValueError) as error:
        raise PackingError(
            f"{what} from {packager.qualified_name()} is not JSON-serialisable ({error}); "
            "pack it as a file or object artifact instead"
        ) from error


def _hint_name(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__qualname__
    return str(hint).replace("typing.", "")
