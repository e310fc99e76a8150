"""NDArrayPackager's object arrays: pickled by the core, under the pickle policy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import packagers
from packagers import PackagersManager, UnpackingError

from .ndarray_helpers import unpack

OBJECTS = np.array([{"a": 1}, None, "x", 3], dtype=object)


def test_object_arrays_are_pickled_by_the_core(manager: PackagersManager) -> None:
    package = manager.pack(OBJECTS, "arr")
    assert (package.artifact_type, package.manifest["format"]) == ("file", "pkl")
    pickled = package.manifest["instructions"]["pickled"]
    assert pickled["pickle_module"] == packagers.config.pickle.module
    assert len(pickled["sha256"]) == 64


def test_object_arrays_are_refused_when_the_pickle_policy_denies(
    manager: PackagersManager,
) -> None:
    package = manager.pack(OBJECTS, "arr")
    with (
        packagers.config.override(pickle__policy="deny"),
        pytest.raises(UnpackingError, match=r"refusing to unpickle.*'arr'.*policy is 'deny'"),
    ):
        unpack(manager, package)


def test_object_arrays_warn_under_the_warn_policy(manager: PackagersManager) -> None:
    package = manager.pack(OBJECTS, "arr")
    with (
        packagers.config.override(pickle__policy="warn"),
        pytest.warns(packagers.PackagersWarning, match="unpickling"),
    ):
        restored = unpack(manager, package)
    assert restored.tolist() == OBJECTS.tolist()


def test_object_arrays_load_when_the_policy_allows(manager: PackagersManager) -> None:
    package = manager.pack(OBJECTS, "arr")
    with packagers.config.override(pickle__policy="allow"):
        restored = unpack(manager, package)
    assert restored.dtype == object and restored.tolist() == OBJECTS.tolist()


def test_a_changed_pickle_is_refused_before_unpickling(manager: PackagersManager) -> None:
    package = manager.pack(OBJECTS, "arr")
    assert package.artifact is not None and package.artifact.src_path is not None
    with open(package.artifact.src_path, "ab") as stream:
        stream.write(b"tampered")
    with (
        packagers.config.override(pickle__policy="allow"),
        pytest.raises(UnpackingError, match="sha256"),
    ):
        unpack(manager, package)


def test_a_plain_npy_of_objects_is_never_unpickled(
    manager: PackagersManager, tmp_path: Path
) -> None:
    path = tmp_path / "objects.npy"
    np.save(path, OBJECTS, allow_pickle=True)
    with (
        packagers.config.override(pickle__policy="allow"),
        pytest.raises(UnpackingError, match=r"not an npy file of plain data.*pickle policy"),
    ):
        manager.unpack(path, np.ndarray)
