"""The conformance suite cannot pass vacuously: no samples fail it, and values are compared.

Each test runs one check of the suite on a packager built to break it, and expects the failure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import pytest

from packagers import Artifact, ArtifactType, DataItem, DefaultPackager, config
from packagers.testing import PackagerConformance


@pytest.fixture(autouse=True)
def _trusted_pickles() -> Iterator[None]:
    """What the suite's own fixture does when pytest runs it; here its checks are called."""
    with config.override(pickle__policy="allow"):
        yield


class FractionPackager(DefaultPackager):
    """A fraction as a result (its text) or a JSON file; ``SKEW`` breaks the file's round trip."""

    PACKABLE_OBJECT_TYPE = Fraction
    DEFAULT_PACKING_ARTIFACT_TYPE = ArtifactType.RESULT
    DEFAULT_UNPACKING_ARTIFACT_TYPE = ArtifactType.FILE
    SKEW = 0

    def pack_result(self, obj: Fraction, key: str) -> dict[str, Any]:
        return {key: str(obj)}

    def pack_file(self, obj: Fraction, key: str) -> tuple[Artifact, dict[str, Any]]:
        path = self.temp_path(key, ".json")
        with open(path, "w", encoding="utf-8") as stream:
            json.dump(str(obj + self.SKEW), stream)
        return Artifact(key, path, format="json"), {}

    def unpack_file(self, data_item: DataItem) -> Fraction:
        with open(data_item.local(), encoding="utf-8") as stream:
            return Fraction(json.load(stream))


class SkewedFractionPackager(FractionPackager):
    SKEW = 1


class _Fractions(PackagerConformance):
    packager_class = FractionPackager

    def samples(self) -> list[Any]:
        return [Fraction(1, 3), Fraction(-2)]

    def assert_same_result(self, original: Any, value: Any) -> None:
        assert value == str(original)  # a result that is a representation says so


def test_a_packager_passes_with_its_samples_and_result_check() -> None:
    suite = _Fractions()
    suite.test_samples_are_handled()
    suite.test_default_packing_round_trips()
    suite.test_every_artifact_type_round_trips()


class _NoSamples(_Fractions):
    def samples(self) -> list[Any]:
        return []


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ("test_samples_are_handled", "samples\\(\\) returned nothing"),
        ("test_every_artifact_type_round_trips", "no sample round-trips"),
    ],
)
def test_no_samples_fail_the_suite(check: str, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        getattr(_NoSamples(), check)()


def test_samples_must_be_given() -> None:
    class Undeclared(PackagerConformance):
        packager_class = FractionPackager

    with pytest.raises(NotImplementedError, match="return objects for the conformance suite"):
        Undeclared().test_samples_are_handled()


class _ResultsAsIs(_Fractions):
    """Leaves the default result check: a result must equal its object as JSON holds it."""

    assert_same_result = PackagerConformance.assert_same_result


def test_a_result_value_is_compared_with_its_object() -> None:
    with pytest.raises(AssertionError, match="1/3"):
        _ResultsAsIs().test_default_packing_round_trips()


class _Skewed(_Fractions):
    packager_class = SkewedFractionPackager


def test_an_unpacked_value_is_compared_with_its_object() -> None:
    with pytest.raises(AssertionError):
        _Skewed().test_every_artifact_type_round_trips()
