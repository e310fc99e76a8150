"""The conformance suite: subclass ``PackagerConformance`` in a plugin's tests and give samples.

Each check is its own pytest test, so a failure names the contract it breaks::

    class TestMyPackager(PackagerConformance):
        packager_class = MyPackager

        def samples(self):
            return [MyType(1), MyType(2)]
"""

from __future__ import annotations

import copy
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar
from unittest import mock

import pytest

from packagers import previews
from packagers._config import config
from packagers._digest import PATTERN
from packagers._json import json_error
from packagers.artifacts import ArtifactType
from packagers.data_item import DataItem
from packagers.log_hint import LogHint
from packagers.manager import PackagersManager
from packagers.package import Package
from packagers.packager import Packager
from packagers.previews import check_preview

__all__ = ["PackagerConformance", "round_trip"]


def round_trip(
    manager: PackagersManager,
    obj: Any,
    hint: str | LogHint,
    type_hint: Any = None,
) -> tuple[Any, Package]:
    """Pack ``obj`` and unpack what came out, as a run and a later consumer would."""
    package = manager.pack(obj, hint)
    return _unpack_package(manager, package, type_hint), package


def _unpack_package(manager: PackagersManager, package: Package, type_hint: Any = None) -> Any:
    """What a later consumer gets back from ``package``: the value of a result, else unpacked."""
    if package.is_result:
        return package.value
    assert package.artifact is not None and package.artifact.src_path is not None
    item = DataItem(package.artifact.src_path, key=package.key, manifest=package.manifest)
    return manager.unpack(item, type_hint)


def _as_json(obj: Any) -> Any:
    """``obj`` in the shapes JSON gives back: lists for tuples and sets, numpy as Python."""
    if hasattr(obj, "tolist") and callable(obj.tolist):
        return obj.tolist()
    if isinstance(obj, dict):
        return {key: _as_json(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_as_json(item) for item in obj]
    if isinstance(obj, (set, frozenset)):
        return frozenset(obj)
    return obj


def _same_json(expected: Any, value: Any) -> bool:
    if isinstance(expected, frozenset):  # a set's items come in any order
        items = list(value) if isinstance(value, list) else None
        return (
            items is not None
            and len(items) == len(expected)
            and all(
                any(_same_json(_as_json(member), item) for item in items) for member in expected
            )
        )
    if isinstance(expected, float) and isinstance(value, float):
        return expected == value or (math.isnan(expected) and math.isnan(value))
    if isinstance(expected, list) and isinstance(value, list):
        return len(expected) == len(value) and all(map(_same_json, expected, value))
    if isinstance(expected, dict) and isinstance(value, dict):
        return expected.keys() == value.keys() and all(
            _same_json(item, value[key]) for key, item in expected.items()
        )
    return bool(type(expected) is type(value) and expected == value)


class PackagerConformance:
    """Checks a packager class against the contract every packager must honour."""

    packager_class: ClassVar[type[Packager]]
    #: Artifact types that are not expected to round-trip (pack-only or lossy by design).
    lossy_artifact_types: ClassVar[frozenset[str]] = frozenset()
    #: Artifact type -> every format its ``pack_<type>`` takes (``format="csv"``): each one is
    #: packed and round-tripped too, not only the default.
    formats: ClassVar[Mapping[str, Iterable[str]]] = {}

    def samples(self) -> Iterable[Any]:
        """Objects this packager handles; cover the edges of its type."""
        raise NotImplementedError("return objects for the conformance suite to pack")

    def assert_same(self, original: Any, restored: Any) -> None:
        """Equality as the type defines it; override for types without a plain ``==``."""
        assert type(restored) is type(original), (type(original), type(restored))
        assert restored == original

    def assert_same_result(self, original: Any, value: Any) -> None:
        """A result value against the object it was packed from, as JSON can hold it.

        Tuples and sets are lists (a set's in any order), numpy values their ``tolist()``, and
        NaN equals NaN. Override where a result is a representation (``str(obj)``).
        """
        assert json_error(value) is None, f"result {value!r} is not JSON: {json_error(value)}"
        assert _same_json(_as_json(original), value), (original, value)

    def snapshot(self, obj: Any) -> Any:
        """A copy to check the packed object was not changed."""
        return copy.deepcopy(obj)

    def manager(self) -> PackagersManager:
        return PackagersManager([self.packager_class])

    @pytest.fixture(autouse=True)
    def _trusted_pickles(self) -> Iterator[None]:
        """The suite unpickles what it just wrote; the policy is tested by the core itself."""
        with config.override(pickle__policy="allow"):
            yield

    def _cases(self) -> Iterator[tuple[Any, LogHint]]:
        """Every sample with every type it round-trips through, in each declared format.

        ``result`` aside: a sample need not be a JSON value, and a result is checked against
        its object where the packager's default type is ``result``.
        """
        packager = self.packager_class()
        both = packager.packing_artifact_types() & packager.unpacking_artifact_types()
        for sample in self.samples():
            for artifact_type in sorted(both - self.lossy_artifact_types - {ArtifactType.RESULT}):
                if packager.is_packable(sample, artifact_type):
                    yield sample, LogHint("sample", artifact_type)
                    for name in self.formats.get(artifact_type, ()):
                        kwargs = {"format": name}
                        yield sample, LogHint("sample", artifact_type, packing_kwargs=kwargs)

    def _pack_only_cases(self) -> Iterator[tuple[Any, str]]:
        """What the round-trip checks skip: pack-only and lossy types (``result`` aside).

        ``result`` is packable for every type but a JSON value only where the packager says so,
        which its default type (checked on its own) already shows.
        """
        packager = self.packager_class()
        pack_only = packager.packing_artifact_types() - packager.unpacking_artifact_types()
        for sample in self.samples():
            for artifact_type in sorted(
                (pack_only | self.lossy_artifact_types) - {ArtifactType.RESULT}
            ):
                if packager.is_packable(sample, artifact_type):
                    yield sample, artifact_type

    def _packed_cases(self) -> Iterator[tuple[Any, str]]:
        """Every sample with every type it packs into, but ``result`` (results get no preview)."""
        packager = self.packager_class()
        for sample in self.samples():
            for artifact_type in sorted(packager.packing_artifact_types() - {ArtifactType.RESULT}):
                if packager.is_packable(sample, artifact_type):
                    yield sample, artifact_type

    def _check_manifest(self, package: Package) -> None:
        assert json_error(package.manifest) is None, f"manifest is not JSON: {package.manifest!r}"
        assert package.manifest["packager"] == self.packager_class.qualified_name()
        if package.artifact is not None and package.artifact.src_path is not None:
            assert package.manifest["size"] == os.path.getsize(package.artifact.src_path)
            assert PATTERN.fullmatch(package.manifest["digest"])

    # -- the checks ---------------------------------------------------------------------------

    def test_class_is_valid(self) -> None:
        cls = self.packager_class
        cls.validate()
        assert cls.packable_type_name() != "any", "declare PACKABLE_OBJECT_TYPE"

    def test_samples_are_handled(self) -> None:
        packager = self.packager_class()
        samples = list(self.samples())
        assert samples, "samples() returned nothing"
        for sample in samples:
            assert packager.is_packable(sample), f"{type(sample)} is not packable by {packager}"
            default = packager.get_default_packing_artifact_type(sample)
            assert default in packager.packing_artifact_types()

    def _restorable(self, package: Package) -> bool:
        """Whether unpacking ``package`` should give the object back (pack-only types cannot)."""
        return package.is_result or (
            package.artifact_type in self.packager_class.unpacking_artifact_types()
            and package.artifact_type not in self.lossy_artifact_types
        )

    def test_default_packing_round_trips(self) -> None:
        with self.manager() as manager:
            for sample in self.samples():
                before = self.snapshot(sample)
                package = manager.pack(sample, "sample")
                if package.is_result:  # results are JSON values by design, not the object
                    self.assert_same_result(sample, package.value)
                elif self._restorable(package):
                    self.assert_same(sample, _unpack_package(manager, package))
                self.assert_same(before, sample)

    def test_every_artifact_type_round_trips(self) -> None:
        cases = list(self._cases())
        assert cases, (
            "no sample round-trips through any artifact type: give samples() that the packager "
            "packs, or list its pack-only types in lossy_artifact_types"
        )
        with self.manager() as manager:
            for sample, hint in cases:
                before = self.snapshot(sample)
                restored, package = round_trip(manager, sample, hint)
                if package.is_result:
                    self.assert_same_result(sample, restored)
                else:
                    self.assert_same(sample, restored)
                self.assert_same(before, sample)

    def test_manifest_is_json(self) -> None:
        with self.manager() as manager:
            for sample in self.samples():
                self._check_manifest(manager.pack(sample, "sample"))

    def test_pack_only_and_lossy_types_pack_cleanly(self) -> None:
        """No round trip can check these, so at least their manifests and the sample are."""
        with self.manager() as manager:
            for sample, artifact_type in self._pack_only_cases():
                before = self.snapshot(sample)
                self._check_manifest(manager.pack(sample, LogHint("sample", artifact_type)))
                self.assert_same(before, sample)

    def test_temporary_files_are_cleared(self) -> None:
        """Nothing packing or unpacking wrote is left after ``clear()``, registered or not.

        The test runs with a temporary directory of its own, which must be empty at the end,
        and the process's folder for packers' files (``temp_path``) must hold nothing new: a
        file a packager wrote without registering it is found too.
        """
        from packagers._scratch import folder

        scratch = folder()  # before the private directory: the process's folder stays
        before = set(os.listdir(scratch))
        private = tempfile.mkdtemp(prefix="packagers-conformance-")
        saved, tempfile.tempdir = tempfile.tempdir, private
        try:
            manager = self.manager()
            packed = [(sample, LogHint("sample")) for sample in self.samples()]
            packed += list(self._cases())
            packed += [(sample, LogHint("sample", t)) for sample, t in self._pack_only_cases()]
            for sample, hint in packed:
                package = manager.pack(sample, hint)
                if self._restorable(package):
                    _unpack_package(manager, package)  # what unpacking writes must go too
            manager.clear()
        finally:
            tempfile.tempdir = saved
        left = sorted(os.path.join(private, name) for name in os.listdir(private))
        left += sorted(os.path.join(scratch, name) for name in set(os.listdir(scratch)) - before)
        shutil.rmtree(private)
        assert not left, f"temporary files left after clear(): {left}"

    def test_previews_are_bounded_json(self) -> None:
        """A preview, where the packager makes one, is a known kind of standard, bounded JSON."""
        packager = self.packager_class()
        for sample, artifact_type in self._packed_cases():
            before = self.snapshot(sample)
            preview = packager.preview(sample, artifact_type)
            if preview is not None:
                problem = check_preview(preview)
                assert problem is None, f"preview of {type(sample)} as {artifact_type}: {problem}"
            self.assert_same(before, sample)

    def test_previews_do_not_change_the_artifact(self) -> None:
        """Packing with previews gives the manifest (digest included) packing without them does.

        The time limit is lifted: a busy CI machine may slow a preview past it, and a dropped
        preview is the behaviour under test only in the core's own tests.
        """
        with self.manager() as manager, mock.patch.object(previews, "TIME_LIMIT", 60.0):
            for sample, artifact_type in self._packed_cases():
                hint = LogHint("sample", artifact_type)
                with config.override(preview__enabled=False):
                    without = manager.pack(sample, hint)
                packed = manager.pack(sample, hint)
                assert without.preview is None
                assert packed.manifest == without.manifest, artifact_type
                if manager.packagers[0].preview(sample, artifact_type) is not None:
                    assert packed.preview is not None, (
                        f"the preview of {type(sample)} as {artifact_type} was dropped: it took "
                        "too long or broke the bounds (see the packagers.previews debug log)"
                    )
