"""The conformance suite's check that packing and unpacking leave no file behind."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator

import pytest

from packagers import Artifact, DataItem, DefaultPackager, config
from packagers.testing import PackagerConformance


class Box:
    def __init__(self, size: int) -> None:
        self.size = size

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Box) and other.size == self.size


class BoxPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = Box
    DEFAULT_PACKING_ARTIFACT_TYPE = "file"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"
    #: Where the packer also writes, unregistered: None, "beside" its path, or "tempdir".
    stray: str | None = None

    def pack_file(self, obj: Box, key: str) -> tuple[Artifact, dict]:
        path = self.temp_path(key, ".json")
        with open(path, "w") as stream:
            json.dump(obj.size, stream)
        if self.stray == "beside":
            open(f"{path}.log", "w").close()
        elif self.stray == "tempdir":
            tempfile.mkstemp(prefix="box-")
        return Artifact(key, path, format="json"), {}

    def unpack_file(self, data_item: DataItem) -> Box:
        with open(data_item.local()) as stream:
            return Box(json.load(stream))


@pytest.fixture(autouse=True)
def _trusted_pickles() -> Iterator[None]:
    """The suite's own fixture, which a direct call of its test does not apply."""
    with config.override(pickle__policy="allow"):
        yield


def _suite(stray: str | None) -> PackagerConformance:
    packager = type("StrayBoxPackager", (BoxPackager,), {"stray": stray})
    suite = type("Suite", (PackagerConformance,), {"packager_class": packager})
    suite.samples = lambda self: [Box(3)]  # type: ignore[method-assign]
    return suite()


def test_a_packager_that_leaves_nothing_passes() -> None:
    _suite(None).test_temporary_files_are_cleared()


@pytest.mark.parametrize("stray", ["beside", "tempdir"])
def test_an_unregistered_file_fails_the_suite(stray: str) -> None:
    from packagers import _scratch

    with pytest.raises(AssertionError, match="temporary files left after clear"):
        _suite(stray).test_temporary_files_are_cleared()
    for name in os.listdir(_scratch.folder()):
        if name.endswith(".log"):
            os.remove(os.path.join(_scratch.folder(), name))


def test_the_process_folder_made_during_the_check_is_not_a_leftover(monkeypatch) -> None:
    """The first ``temp_path`` of a process may come inside the check: its folder stays."""
    from packagers import _scratch

    monkeypatch.setattr(_scratch, "_folder", None)
    _suite(None).test_temporary_files_are_cleared()
    made = _scratch.folder()
    assert os.path.isdir(made)
    _scratch.remove()  # this test's folder: the process's own comes back with monkeypatch
    assert not os.path.exists(made)
