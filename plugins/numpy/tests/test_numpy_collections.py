"""Lists and dicts of arrays: one npz (or pickle), the same collection and order back."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import packagers
from packagers import (
    DataItem,
    DefaultPackager,
    LogHint,
    PackagersManager,
    PackingError,
    UnpackingError,
)
from packagers.testing import PackagerConformance
from packagers_numpy import NDArrayDictPackager, NDArrayListPackager, NDArrayPackager

WEIRD_KEYS = ["zeta", "file", "allow_pickle", "", "a/b", "x.npy", "ü ñ", "alpha"]


def same_collection(same_array: Any, original: Any, restored: Any) -> None:
    assert type(restored) is type(original)
    assert len(restored) == len(original)
    if isinstance(original, dict):
        assert list(restored) == list(original)  # the same keys in the same order
        pairs = zip(original.values(), restored.values(), strict=True)
    else:
        pairs = zip(original, restored, strict=True)
    for before, after in pairs:
        same_array(before, after)


def packed_item(package: packagers.Package) -> DataItem:
    assert package.artifact is not None and package.artifact.src_path is not None
    return DataItem(package.artifact.src_path, key=package.key, manifest=package.manifest)


class _CollectionConformance(PackagerConformance):
    @pytest.fixture(autouse=True)
    def _edges(self, edge_arrays: dict[str, Any], same_array: Any) -> None:
        self.edges = edge_arrays
        self.same_array = same_array

    def assert_same(self, original: Any, restored: Any) -> None:
        same_collection(self.same_array, original, restored)


class TestNDArrayListConformance(_CollectionConformance):
    packager_class = NDArrayListPackager

    def samples(self) -> list[list[np.ndarray[Any, Any]]]:
        plain = [array for array in self.edges.values() if not array.dtype.hasobject]
        return [plain, [np.arange(3)], [self.edges["object"], np.arange(2)]]


class TestNDArrayDictConformance(_CollectionConformance):
    packager_class = NDArrayDictPackager

    def samples(self) -> list[dict[str, np.ndarray[Any, Any]]]:
        plain = {name: array for name, array in self.edges.items() if not array.dtype.hasobject}
        weird = {key: np.full(3, index) for index, key in enumerate(WEIRD_KEYS)}
        return [plain, weird, {"objects": self.edges["object"]}]


# -- what the packagers take --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("packager_class", "obj", "packable"),
    [
        (NDArrayListPackager, [np.zeros(2)], True),
        (NDArrayListPackager, [], False),
        (NDArrayListPackager, [np.zeros(2), 1], False),
        (NDArrayListPackager, [np.zeros(2), [1]], False),
        (NDArrayListPackager, [np.ma.masked_array([1, 2], mask=[False, True])], False),
        (NDArrayListPackager, (np.zeros(2),), False),
        (NDArrayDictPackager, {"a": np.zeros(2)}, True),
        (NDArrayDictPackager, {}, False),
        (NDArrayDictPackager, {1: np.zeros(2)}, False),
        (NDArrayDictPackager, {"a": np.zeros(2), "b": "x"}, False),
    ],
    ids=str,
)
def test_only_non_empty_collections_of_plain_arrays_are_taken(
    packager_class: type[DefaultPackager], obj: Any, packable: bool
) -> None:
    assert packager_class().is_packable(obj) is packable


def test_collections_default_to_one_npz_with_the_names_in_order(
    manager: PackagersManager,
) -> None:
    arrays = {key: np.full(2, index) for index, key in enumerate(WEIRD_KEYS)}
    package = manager.pack(arrays, "arrays")
    assert package.artifact_type == "file" and package.manifest["format"] == "npz"
    assert package.manifest["instructions"] == {
        "format": "npz",
        "names": WEIRD_KEYS,
        "expanded_size": (128 + 16) * len(WEIRD_KEYS),  # npy headers and two int64 each
    }
    assert package.manifest["spec"] == {"length": len(WEIRD_KEYS)}
    with zipfile.ZipFile(packed_item(package).local()) as archive:
        assert archive.namelist() == [f"{key}.npy" for key in WEIRD_KEYS]
    restored = manager.unpack(packed_item(package))
    assert list(restored) == WEIRD_KEYS
    listed = manager.pack([np.zeros(1)] * 3, "listed")
    assert listed.manifest["instructions"]["names"] == ["arr_0", "arr_1", "arr_2"]


def test_the_recorded_order_wins_over_the_archive_order(
    manager: PackagersManager, tmp_path: Path
) -> None:
    package = manager.pack({"b": np.zeros(1), "a": np.ones(1)}, "arrays")
    package.manifest["instructions"]["names"] = ["a", "b"]
    assert list(manager.unpack(packed_item(package), dict)) == ["a", "b"]
    package.manifest["instructions"]["names"] = ["a", "c"]
    with pytest.raises(UnpackingError, match="lacks the recorded arrays 'c'"):
        manager.unpack(packed_item(package), dict)


@pytest.mark.parametrize("compress", [False, True])
def test_npz_compression_is_a_packing_kwarg(manager: PackagersManager, compress: bool) -> None:
    package = manager.pack(
        [np.zeros(5000), np.zeros(5000)],
        LogHint("arrays", "file", packing_kwargs={"compress": compress}),
    )
    with zipfile.ZipFile(packed_item(package).local()) as archive:
        types = {info.compress_type for info in archive.infolist()}
    assert types == {zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED}


def test_results_are_nested_lists_in_the_same_collection(manager: PackagersManager) -> None:
    assert manager.pack([np.arange(2), np.eye(2)], "r : result").value == [
        [0, 1],
        [[1.0, 0.0], [0.0, 1.0]],
    ]
    assert manager.pack({"b": np.arange(2), "a": np.array(1.5)}, "r : result").value == {
        "b": [0, 1],
        "a": 1.5,
    }


def test_bad_formats_are_refused(manager: PackagersManager) -> None:
    with pytest.raises(PackingError, match="'a': unknown format 'npy'; the formats are: npz, pkl"):
        manager.pack([np.zeros(2)], 'a : file[format="npy"]')
    with pytest.raises(PackingError, match="compress=True applies to the npz format only"):
        manager.pack([np.zeros(2)], 'a : file[format="pkl", compress=True]')
    objects = {"o": np.array([None], dtype=object)}
    with pytest.raises(PackingError, match="a dict of arrays holds Python objects"):
        manager.pack(objects, 'a : file[format="npz"]')


# -- arrays of Python objects: pickled, under the pickle policy ---------------------------------


@pytest.mark.parametrize(
    "collection",
    [[np.array([{"a": 1}], dtype=object), np.zeros(2)], {"o": np.array([None, 1], dtype=object)}],
    ids=["list", "dict"],
)
def test_collections_with_object_arrays_are_pickles_under_the_policy(
    manager: PackagersManager, same_array: Any, collection: Any
) -> None:
    package = manager.pack(collection, "arrays")
    assert package.manifest["format"] == "pkl"
    assert "sha256" in package.manifest["instructions"]["pickled"]
    with (
        packagers.config.override(pickle__policy="deny"),
        pytest.raises(UnpackingError, match="policy is 'deny'"),
    ):
        manager.unpack(packed_item(package))
    with (
        packagers.config.override(pickle__policy="warn"),
        pytest.warns(packagers.PackagersWarning, match="unpickling"),
    ):
        manager.unpack(packed_item(package))
    with packagers.config.override(pickle__policy="allow"):
        same_collection(same_array, collection, manager.unpack(packed_item(package)))


def test_a_pickle_of_another_type_is_refused(manager: PackagersManager, tmp_path: Path) -> None:
    package = manager.pack([np.array([None], dtype=object)], "arrays")
    other = manager.pack({"o": np.array([None], dtype=object)}, "other")
    package.manifest["instructions"] = other.manifest["instructions"]
    item = DataItem(packed_item(other).local(), key="arrays", manifest=package.manifest)
    with (
        packagers.config.override(pickle__policy="allow"),
        pytest.raises(UnpackingError, match="holds a pickled dict, not a list"),
    ):
        manager.unpack(item)


# -- plain npz archives -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hint",
    [list, list[np.ndarray], list[npt.NDArray[np.float64]], list[Any], list[np.ndarray] | None],
    ids=str,
)
def test_plain_npz_archives_unpack_as_lists(
    manager: PackagersManager, tmp_path: Path, hint: Any
) -> None:
    path = tmp_path / "arrays.npz"
    np.savez(path, np.zeros(2), np.ones(3))
    restored = manager.unpack(path, hint)
    assert type(restored) is list and [array.tolist() for array in restored] == [[0, 0], [1, 1, 1]]


@pytest.mark.parametrize("policy", ["allow", "deny"])
def test_a_plain_npz_holding_objects_is_never_unpickled(
    manager: PackagersManager, tmp_path: Path, policy: str
) -> None:
    """np.load runs with allow_pickle=False whatever the policy: pickles come only from pkl."""
    path = tmp_path / "arrays.npz"
    np.savez(path, plain=np.zeros(2), objects=np.array([{"a": 1}, None], dtype=object))
    with (
        packagers.config.override(pickle__policy=policy),
        pytest.raises(UnpackingError, match="not an npz archive of plain arrays.*allow_pickle"),
    ):
        manager.unpack(path, dict)


@pytest.mark.parametrize("hint", [dict, dict[str, np.ndarray], dict[Any, np.ndarray]], ids=str)
def test_plain_npz_archives_unpack_as_dicts(
    manager: PackagersManager, tmp_path: Path, hint: Any
) -> None:
    path = tmp_path / "arrays.npz"
    np.savez(path, z=np.zeros(2), a=np.ones(3))
    restored = manager.unpack(path, hint)
    assert list(restored) == ["z", "a"]


@pytest.mark.parametrize(
    ("name", "hint"),
    [("a.npz", list[int]), ("a.npz", dict[int, np.ndarray]), ("a.npy", list), ("a.json", dict)],
    ids=str,
)
def test_other_hints_and_files_are_declined(tmp_path: Path, name: str, hint: Any) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    packager = NDArrayDictPackager() if "dict" in str(hint) else NDArrayListPackager()
    assert not packager.is_unpackable(DataItem(path), hint, "file")


# -- winning over the stdlib collection packagers -----------------------------------------------


class _StdlibLikeList(DefaultPackager):
    """A stand-in for the stdlib list packager: any list, as JSON (priority 5)."""

    PACKABLE_OBJECT_TYPE = list
    DEFAULT_PACKING_ARTIFACT_TYPE = "result"


class _StdlibLikeDict(DefaultPackager):
    PACKABLE_OBJECT_TYPE = dict
    DEFAULT_PACKING_ARTIFACT_TYPE = "result"


def test_collections_of_arrays_win_over_the_stdlib_ones_and_nothing_else() -> None:
    packagers_list = [_StdlibLikeList, _StdlibLikeDict, NDArrayListPackager, NDArrayDictPackager]
    with PackagersManager(packagers_list) as manager:
        assert type(manager.choose_packager([np.zeros(2)])[0]) is NDArrayListPackager
        assert type(manager.choose_packager({"a": np.zeros(2)})[0]) is NDArrayDictPackager
        assert type(manager.choose_packager([1, 2])[0]) is _StdlibLikeList
        assert type(manager.choose_packager({"a": 1})[0]) is _StdlibLikeDict


def test_the_collected_manager_gives_collections_of_arrays_to_this_plugin(
    collected_manager: PackagersManager, same_array: Any
) -> None:
    for collection, expected in (
        ([np.zeros(200), np.ones((3, 3))], NDArrayListPackager),
        ({"b": np.zeros(200), "a": np.ones(2)}, NDArrayDictPackager),
    ):
        packager, artifact_type = collected_manager.choose_packager(collection)
        assert (type(packager), artifact_type) == (expected, "file")
        package = collected_manager.pack(collection, "arrays")
        assert package.manifest["distribution"] == "packagers-numpy"
        hint = list[np.ndarray] if isinstance(collection, list) else dict[str, np.ndarray]
        same_collection(
            same_array, collection, collected_manager.unpack(packed_item(package), hint)
        )
    packager, _ = collected_manager.choose_packager([1, 2])
    assert not isinstance(packager, (NDArrayListPackager, NDArrayDictPackager, NDArrayPackager))


def test_itemized_lists_of_arrays_are_one_artifact_per_array(manager: PackagersManager) -> None:
    package = manager.pack([np.zeros(200), np.ones(200)], "*arrays")
    assert package.is_bundle
    assert [member.manifest["packager"] for member in package.members] == [
        NDArrayPackager.qualified_name()
    ] * 2


@pytest.mark.parametrize("name", ["a\x00b", "\x00", "\ud800"], ids=["nul", "only-nul", "surrogate"])
def test_names_zip_cannot_hold_are_refused(manager: PackagersManager, name: str) -> None:
    arrays = {"": np.zeros(2), name: np.ones(2)}
    with pytest.raises(PackingError, match=r"cannot be an npz member name.*format='pkl'"):
        manager.pack(arrays, "arrays")


def test_names_ending_in_npy_keep_their_own_arrays(manager: PackagersManager) -> None:
    """np.load's archive would read the member "x.npy" for both "x" and "x.npy"."""
    arrays = {"": np.zeros(1), ".npy": np.ones(2), "x": np.arange(3), "x.npy": np.arange(4.0)}
    package = manager.pack(arrays, "arrays")
    item = DataItem(package.artifact.src_path, key="arrays", manifest=package.manifest)
    restored = manager.unpack(item, dict[str, np.ndarray])
    assert list(restored) == list(arrays)
    for name, array in arrays.items():
        assert restored[name].dtype == array.dtype and np.array_equal(restored[name], array)
