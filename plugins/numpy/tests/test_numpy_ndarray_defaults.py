"""NDArrayPackager conformance, and what an array becomes by default: a result or an npy file."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from packagers import PackagersManager, PackingError
from packagers.testing import PackagerConformance
from packagers_numpy import NDArrayPackager

from .ndarray_helpers import pack


class TestNDArrayConformance(PackagerConformance):
    packager_class = NDArrayPackager

    @pytest.fixture(autouse=True)
    def _edges(self, edge_arrays: dict[str, Any], same_array: Any) -> None:
        self.edges = edge_arrays
        self.same_array = same_array

    def samples(self) -> list[np.ndarray[Any, Any]]:
        return list(self.edges.values())

    def assert_same(self, original: Any, restored: Any) -> None:
        self.same_array(original, restored)


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.arange(100), "result"),
        (np.arange(101), "file"),
        (np.ones((10, 10), dtype=np.float32), "result"),
        (np.array([True, False]), "result"),
        (np.array(2.5), "result"),
        (np.zeros((0, 3)), "result"),
        (np.array([1 + 2j]), "file"),
        (np.array([1.5], dtype=np.longdouble), "file"),
        (np.array(["a"]), "file"),
        (np.array(["2020-01-01"], dtype="M8[D]"), "file"),
        (np.array([None], dtype=object), "file"),
    ],
    ids=lambda value: getattr(value, "dtype", value),
)
def test_small_numeric_arrays_are_results_and_others_files(
    manager: PackagersManager, array: np.ndarray[Any, Any], expected: str
) -> None:
    package = manager.pack(array, "arr")
    assert package.artifact_type == expected
    if expected == "result":
        assert package.value == array.tolist()
        assert package.manifest["value"] == array.tolist()


def test_the_result_threshold_is_a_class_attribute() -> None:
    class Bigger(NDArrayPackager):
        RESULT_MAX_SIZE = 1000

    assert Bigger().get_default_packing_artifact_type(np.arange(1000)) == "result"
    assert NDArrayPackager().get_default_packing_artifact_type(np.arange(1000)) == "file"


def test_a_result_can_be_asked_for_any_json_array(manager: PackagersManager) -> None:
    package = pack(manager, np.array([["a", "b"]]), "result")
    assert package.value == [["a", "b"]]
    with pytest.raises(PackingError, match="not JSON-serialisable"):
        pack(manager, np.array([1j]), "result")


def test_the_default_file_is_npy_with_shape_and_dtype_in_the_spec(
    manager: PackagersManager,
) -> None:
    array = np.zeros((20, 30), dtype=np.float32)
    package = manager.pack(array, "arr")
    assert package.manifest["format"] == "npy"
    assert package.manifest["instructions"] == {"format": "npy"}
    assert package.manifest["spec"] == {"shape": [20, 30], "dtype": "float32"}
    assert package.artifact is not None and package.artifact.src_path is not None
    assert package.artifact.src_path.endswith("arr.npy")
    assert np.load(package.artifact.src_path).dtype == np.float32  # a plain npy for anyone
