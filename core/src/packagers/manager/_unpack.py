"""Choosing how to unpack a data item for a type hint, and unpacking it.

:meth:`Unpacker.steps` lists, in the order unpacking tries them, what could answer a hint: the
packager recorded in the item's manifest, the handle or a path, or the packagers of each Union
member for a plain file. ``unpack`` walks those steps and ``packagers explain`` prints them.

Each step carries the item as its hint sees it (:meth:`DataItem.for_hint`, holding that hint's
``Annotated`` extras), so a packager's ``is_unpackable`` and ``unpack`` read the extras of the hint
they answer and never those of an attempt before them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from packagers._errors import PackagersError, UnpackingError
from packagers.artifacts import ArtifactType
from packagers.data_item import DataItem
from packagers.manager.dispatch import ARTIFACT_TYPE, MISSING, Verdict, hint_name, unpack_verdict
from packagers.manifest import BUNDLE
from packagers.plugins.collection import collect
from packagers.plugins.records import CUSTOM_PLUGIN, PackagerState
from packagers.type_hints import hint_metadata, hint_origin, import_type, split_hint

if TYPE_CHECKING:
    from packagers.manager.dispatch import Dispatch
    from packagers.manifest import Manifest
    from packagers.plugins.records import PackagerRecord

__all__ = [
    "EXTRACTED",
    "HANDLE",
    "PATH",
    "PLAIN",
    "RECORDED",
    "Step",
    "Unpacker",
    "inactive_record",
]

#: How a step answers: the manifest's packager, the same as a path hint's type (a packed
#: directory, extracted), the DataItem itself, a local path, a packager trying a plain file; a
#: step of none of these is declined (``NOTHING``).
RECORDED, EXTRACTED, HANDLE, PATH, PLAIN, NOTHING = (
    "recorded",
    "extracted",
    "handle",
    "path",
    "plain",
    "nothing",
)


class Step(NamedTuple):
    """One way to answer a hint ``member``: ``route``, the verdict, the item the step is given."""

    member: Any
    route: str
    verdict: Verdict
    #: The data item as ``member`` sees it: its ``hint_metadata`` are the member's extras.
    data_item: DataItem

    def attempt(self) -> str:
        """The line an unpacking error shows for a step that did not give the object."""
        if not self.verdict.packager:
            return self.verdict.reason
        return f"{hint_name(self.member)} via {self.verdict.packager}: {self.verdict.reason}"


class Unpacker:
    """Unpacks data items with the packagers of one :class:`Dispatch`."""

    def __init__(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch
        #: Every item unpacked, bundle members included: their downloaded copies go at the end.
        self.opened: list[DataItem] = []

    def clear(self) -> None:
        """Delete every downloaded input copy."""
        items, self.opened = self.opened, []
        for item in items:
            item.clear()

    def steps(self, data_item: DataItem, type_hint: Any) -> Iterator[Step]:
        """What may answer ``type_hint`` for ``data_item``, in the order unpacking tries it.

        A packed item goes to the packager recorded in its manifest when the hint agrees (or
        there is none); a plain file or URL goes to the packagers of the hint, in the order
        Union members are written.
        """
        manifest = data_item.manifest
        packed = manifest if manifest is not None and "artifact_type" in manifest else None
        if type_hint is None:
            if packed is not None:
                verdict = self._recorded(data_item, packed, "no type hint")
                yield Step(None, RECORDED, verdict, data_item)
            else:
                verdict = Verdict("", True, "no type hint: the DataItem itself")
                yield Step(None, HANDLE, verdict, data_item)
            return
        members = [
            (m, _resolved_origin(m), data_item.for_hint(hint_metadata(m)))
            for m in split_hint(type_hint, keep_annotated=True)
        ]
        if packed is not None:  # a member that agrees with the manifest wins over the written order
            restores = self._restores_result(packed)
            for member, origin, item in members:
                if origin not in (None, DataItem) and agrees(origin, packed, restores):
                    verdict = self._recorded(item, packed, f"{hint_name(member)} agrees with it")
                    yield Step(member, RECORDED, verdict, item)
                    return
        for member, origin, item in members:
            if origin is None:
                reason = f"{hint_origin(member)}: no such type can be imported"
                yield Step(member, NOTHING, Verdict("", False, reason), item)
            elif origin is DataItem:
                yield Step(member, HANDLE, Verdict("", True, "a DataItem hint: the handle"), item)
                return
            elif origin is type(None):
                yield Step(member, NOTHING, Verdict("", False, "None: an input was given"), item)
            elif _is_path_hint(origin):
                if packed is not None and packed["artifact_type"] == ArtifactType.PATH:
                    # a packed directory comes back extracted, not as its archive
                    verdict = self._recorded(item, packed, "a packed directory")
                    yield Step(member, EXTRACTED, verdict, item)
                else:
                    verdict = Verdict("", True, "a path hint: the local file")
                    yield Step(member, PATH, verdict, item)
                return
            else:
                candidates = (
                    self._dispatch.packagers_for(origin) if isinstance(origin, type) else ()
                )
                for packager in candidates:
                    yield Step(member, PLAIN, unpack_verdict(packager, item, member), item)
                if not candidates:
                    reason = f"{hint_name(member)}: no installed packager handles this type"
                    yield Step(member, NOTHING, Verdict("", False, reason), item)

    def unpack(self, data_item: DataItem, type_hint: Any) -> Any:
        """The object ``data_item`` holds as ``type_hint`` asks (see :meth:`steps`).

        When nothing gives it, the error lists the packagers that tried and failed; only when
        none tried does it list why each one declined (a suffix it does not read...).
        """
        self.opened.append(data_item)  # its views share its local copy: clearing it clears them
        declined: list[str] = []
        failed: list[str] = []
        for step in self.steps(data_item, type_hint):
            verdict, item = step.verdict, step.data_item
            if step.route in (RECORDED, EXTRACTED):
                assert item.manifest is not None  # a recorded step is made from the manifest
                if not verdict.accepted:  # its packager is not here: no other packager may guess
                    raise UnpackingError(verdict.reason)
                if step.route == EXTRACTED:
                    extracted = self.unpack_recorded(item, item.manifest)
                    return _resolved_origin(step.member)(extracted)
                wanted = None if step.member is None else _resolved_origin(step.member)
                return self.unpack_recorded(item, item.manifest, wanted)
            if not verdict.accepted:
                declined.append(step.attempt())
                continue
            if step.route == HANDLE:
                return item
            if step.route == PATH:
                return _resolved_origin(step.member)(item.local())
            packager = self._dispatch.packager(verdict.packager)
            try:
                return packager.unpack(item, verdict.artifact_type, {})  # type: ignore[union-attr, arg-type]
            except Exception as error:
                failed.append(
                    f"{hint_name(step.member)} via {verdict.packager} ({verdict.artifact_type}): "
                    f"{type(error).__name__}: {error}"
                )
        attempts = dict.fromkeys(failed or declined)  # in order, each line once
        tried = "\n".join(f"  - {attempt}" for attempt in attempts) or "  - nothing matched"
        manifest = data_item.manifest
        packed = (
            f" (it was packed as a {manifest.get('object_type') or manifest.get('artifact_type')})"
            if manifest is not None and manifest.get("artifact_type") is not None
            else ""
        )
        raise UnpackingError(
            f"cannot unpack {data_item.url!r} as {hint_name(type_hint)}{packed}:\n{tried}"
        )

    def unpack_recorded(self, data_item: DataItem, manifest: Manifest, wanted: Any = None) -> Any:
        """The object as its manifest records it: a result's value, a bundle, or its packager's.

        A result is its JSON value, rebuilt as the object it was (a tuple, an array) by the
        packager that packed it when that packager unpacks ``result`` and the ``wanted`` class
        does not already hold the value (a tuple's result asked for as a ``list`` stays a list).
        """
        artifact_type = manifest["artifact_type"]
        if artifact_type == ArtifactType.RESULT:
            value = manifest.get("value")
            if isinstance(wanted, type) and isinstance(value, wanted):
                return value
            if not self._restores_result(manifest):
                return value
        refused = self._refusal(data_item, manifest)
        if refused is not None:
            raise UnpackingError(refused[1])
        if artifact_type == BUNDLE:
            return self._unpack_bundle(data_item, manifest)
        packager = self._dispatch.packager(manifest.get("packager") or "")
        assert packager is not None  # else a refusal above
        try:
            return packager.unpack(data_item, artifact_type, dict(manifest.get("instructions", {})))
        except PackagersError:
            raise
        except Exception as error:
            raise UnpackingError(
                f"{packager.qualified_name()} failed to unpack {data_item.key!r} "
                f"({artifact_type}): {type(error).__name__}: {error}"
            ) from error

    def _recorded(self, data_item: DataItem, manifest: Manifest, why: str) -> Verdict:
        """The verdict on unpacking as the manifest records: refused when that cannot be done."""
        name = manifest.get("packager") or ""
        refused = self._refusal(data_item, manifest)
        if refused is not None:
            return Verdict(name, False, refused[1], manifest["artifact_type"], refused[0])
        reason = f"as its manifest records ({why})"
        return Verdict(name, True, reason, manifest["artifact_type"])

    def _refusal(self, data_item: DataItem, manifest: Manifest) -> tuple[str, str] | None:
        """Why (a verdict code and message) the manifest's packager cannot unpack it here."""
        artifact_type = manifest["artifact_type"]
        if artifact_type == ArtifactType.RESULT:
            return None  # its value is the object, rebuilt only by a packager that is here
        if artifact_type == BUNDLE:
            bundle = manifest["bundle"]
            if data_item.resolver is None:
                return MISSING, (
                    f"{data_item.key!r} is a bundle of {len(bundle['members'])} items and this "
                    "data item cannot reach them; load it through the store"
                )
            if bundle["collection"] in ("list", "tuple", "dict"):
                return None
            if self._dispatch.packager(bundle["packager"]) is None:  # it rebuilds the container
                rebuilder: Manifest = {
                    "packager": bundle["packager"],
                    "object_type": bundle.get("object_type"),
                }
                return MISSING, missing_packager_message(data_item, rebuilder)
            return None
        name = manifest.get("packager")
        packager = self._dispatch.packager(name) if name else None
        if packager is None:
            return MISSING, missing_packager_message(data_item, manifest)
        if artifact_type not in packager.unpacking_artifact_types():
            return ARTIFACT_TYPE, (
                f"{data_item.key!r} is a {artifact_type!r} artifact, which "
                f"{packager.qualified_name()} packs but cannot unpack; ask for it as a DataItem "
                "or a Path to get the file"
            )
        return None

    def _restores_result(self, manifest: Manifest | None) -> bool:
        """Whether the manifest is a result its active packager rebuilds (``unpack_result``)."""
        if manifest is None or manifest.get("artifact_type") != ArtifactType.RESULT:
            return False
        name = manifest.get("packager")
        packager = self._dispatch.packager(name) if name else None
        return packager is not None and ArtifactType.RESULT in packager.unpacking_artifact_types()

    def _unpack_bundle(self, data_item: DataItem, manifest: Manifest) -> Any:
        """The members, each unpacked as recorded, put back in their container (see _refusal)."""
        bundle = manifest["bundle"]
        assert data_item.resolver is not None  # else a refusal
        names = [entry["name"] for entry in bundle["members"]]
        members = [data_item.resolver(entry) for entry in bundle["members"]]
        values = [self.unpack(member, None) for member in members]
        kind = bundle["collection"]  # the container's kind (see manifest.Bundle)
        if kind == "list":
            return values
        if kind == "tuple":
            return tuple(values)
        if kind == "dict":
            return dict(zip(names, values, strict=True))
        packager = self._dispatch.packager(bundle["packager"])
        assert packager is not None  # else a refusal
        if packager.BUNDLE_FROM_DICT:
            return packager.bundle(dict(zip(names, values, strict=True)))
        return packager.bundle(values)


def agrees(origin: Any, manifest: Manifest, restores_result: bool = False) -> bool:
    """Whether a hint's class can hold what the manifest records (so its packager is used).

    A result is a JSON value (a tuple was stored as a list): it agrees when the hint's class
    holds that value, or when its packager rebuilds the recorded object (``restores_result``).
    """
    artifact_type = manifest.get("artifact_type")
    if origin is object:
        return True
    if artifact_type == ArtifactType.RESULT:
        if isinstance(origin, type) and isinstance(manifest.get("value"), origin):
            return True
        if not restores_result:
            return False
    if artifact_type == BUNDLE:
        return _bundle_agrees(origin, manifest)
    recorded = manifest.get("object_type")
    recorded_type = import_type(recorded) if recorded else None
    return (
        isinstance(origin, type) and recorded_type is not None and issubclass(recorded_type, origin)
    )


def missing_packager_message(data_item: DataItem, manifest: Manifest) -> str:
    """Why the packager a manifest names is not here, and what to install."""
    name = manifest.get("packager")
    distribution = manifest.get("distribution")
    version = manifest.get("distribution_version")
    record = inactive_record(manifest)
    if record is not None:
        return (
            f"{data_item.key!r} was packed by {name} from {distribution}, whose plugin is "
            f"{record.state} here: {record.error}"
        )
    if manifest.get("plugin") == CUSTOM_PLUGIN or (name and distribution is None):
        return (
            f"{data_item.key!r} was packed by the custom packager {name}, which is not "
            f"registered here: register it with packagers.add_custom_packager({name!r}) (or pass "
            "the class) before loading it"
        )
    wanted = f"{distribution}=={version}" if distribution and version else distribution
    return (
        f"{data_item.key!r} was packed by {name} ({manifest.get('object_type')}), which is not "
        f"installed: pip install {wanted or 'the plugin that provides it'}"
    )


def inactive_record(manifest: Manifest) -> PackagerRecord | None:
    """The collected record of the manifest's packager (or its distribution) that is not active:
    blocked or failed; None when it is active, or not collected at all."""
    name, distribution = manifest.get("packager"), manifest.get("distribution")
    return next(
        (
            r
            for r in collect().records
            if r.state != PackagerState.ACTIVE
            and (r.name == name or (distribution is not None and r.distribution == distribution))
        ),
        None,
    )


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


def _bundle_agrees(origin: Any, manifest: Manifest) -> bool:
    bundle = manifest.get("bundle")
    if not bundle or not isinstance(origin, type):
        return False
    kind = bundle["collection"]  # the container's kind (see manifest.Bundle)
    if kind in ("list", "tuple", "dict"):
        return origin in (list, tuple, dict) and origin.__name__ == kind
    recorded = import_type(bundle.get("object_type", ""))
    return recorded is not None and issubclass(recorded, origin)
