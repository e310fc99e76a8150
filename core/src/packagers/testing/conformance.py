"""The conformance suite: subclass ``PackagerConformance`` in a plugin's tests and give samples.

Each check is its own pytest test, so a failure names the contract it breaks::

    class TestMyPackager(PackagerConformance):
        packager_class = MyPackager

        def samples(self):
            return [MyType(1), MyType(2)]
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import pytest

from packagers._config import config
from packagers._digest import PATTERN
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


class PackagerConformance:
    """Checks a packager class against the contract every packager must honour."""

    packager_class: ClassVar[type[Packager]]
    #: Artifact types that are not expected to round-trip (pack-only or lossy by design).
    lossy_artifact_types: ClassVar[frozenset[str]] = frozenset()

    def samples(self) -> Iterable[Any]:
        """Objects this packager handles; cover the edges of its type."""
        raise NotImplementedError("return objects for the conformance suite to pack")

    def assert_same(self, original: Any, restored: Any) -> None:
        """Equality as the type defines it; override for types without a plain ``==``."""
        assert type(restored) is type(original), (type(original), type(restored))
        assert restored == original

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

    def _cases(self) -> Iterator[tuple[Any, str]]:
        packager = self.packager_class()
        both = packager.packing_artifact_types() & packager.unpacking_artifact_types()
        for sample in self.samples():
            for artifact_type in sorted(both - self.lossy_artifact_types):
                if packager.is_packable(sample, artifact_type):
                    yield sample, artifact_type

    def _pack_only_cases(self) -> Iterator[tuple[Any, str]]:
        """What the round-trip checks skip: pack-only and lossy types (``result`` aside).

        ``result`` is packable for every type but a JSON value only where the packager says so,
        which its default type (checked on its own) already shows.
        """
        packager = self.packager_class()
        pack_only = packager.packing_artifact_types() - packager.unpacking_artifact_types()
        for sample in self.samples():
            for artifact_type in sorted((pack_only | self.lossy_artifact_types) - {"result"}):
                if packager.is_packable(sample, artifact_type):
                    yield sample, artifact_type

    def _packed_cases(self) -> Iterator[tuple[Any, str]]:
        """Every sample with every type it packs into, but ``result`` (results get no preview)."""
        packager = self.packager_class()
        for sample in self.samples():
            for artifact_type in sorted(packager.packing_artifact_types() - {"result"}):
                if packager.is_packable(sample, artifact_type):
                    yield sample, artifact_type

    def _check_manifest(self, package: Package) -> None:
        json.dumps(package.manifest)
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
                    json.dumps(package.value)
                elif self._restorable(package):
                    self.assert_same(sample, _unpack_package(manager, package))
                self.assert_same(before, sample)

    def test_every_artifact_type_round_trips(self) -> None:
        cases = list(self._cases())
        with self.manager() as manager:
            for sample, artifact_type in cases:
                before = self.snapshot(sample)
                restored, _ = round_trip(manager, sample, LogHint("sample", artifact_type))
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
        """Whatever packing (every type) and unpacking registered is gone after ``clear()``."""
        manager = self.manager()
        paths: list[str] = []
        packed = [(sample, LogHint("sample")) for sample in self.samples()]
        packed += [(sample, LogHint("sample", t)) for sample, t in self._pack_only_cases()]
        for sample, hint in packed:
            package = manager.pack(sample, hint)
            if hint.artifact_type is None and self._restorable(package):
                _unpack_package(manager, package)  # what unpacking registers is cleared too
            if package.temporary and package.artifact and package.artifact.src_path:
                paths.append(package.artifact.src_path)  # not a user's own file: that survives
        for packager in manager.packagers:
            paths.extend(packager.future_clearing_paths)
        manager.clear()
        left = [path for path in paths if os.path.exists(path)]
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
        """Packing with previews gives the manifest (digest included) packing without them does."""
        with self.manager() as manager:
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
