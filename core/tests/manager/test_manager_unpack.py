"""Unpacking by type hint: unions, Annotated extras, handles and paths, the recorded packager."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional, Union

import pytest

from packagers import DataItem, PackagersManager, UnpackingError

from .manager_samples import Batch, IntPackager, Model


def _int_file(tmp_path, text="42"):
    path = tmp_path / "n.int"
    path.write_text(text)
    return str(path)


def test_union_members_are_tried_in_written_order(manager, tmp_path):
    path = _int_file(tmp_path)
    assert manager.unpack(path, Union[int, float]) == 42
    assert type(manager.unpack(path, Union[float, int])) is float
    assert manager.unpack(path, Optional[int]) == 42


def test_every_failed_union_member_is_reported(manager, tmp_path):
    path = _int_file(tmp_path, "not a number")
    with pytest.raises(UnpackingError) as caught:
        manager.unpack(path, Union[int, float, Model])
    message = str(caught.value)
    assert "int via" in message and "float via" in message and "ValueError" in message
    assert "not a pickle" not in message  # only the packagers that really tried are listed


def test_each_union_member_sees_only_its_own_annotated_extras(tmp_path):
    seen: list[tuple[str, str, tuple]] = []  # (packager, call, the extras it saw)

    class Recording(IntPackager):
        def is_unpackable(self, data_item, type_hint, artifact_type=None):
            seen.append((type(self).__name__, "is_unpackable", data_item.hint_metadata))
            return super().is_unpackable(data_item, type_hint, artifact_type)

    class FailingInt(Recording):
        def unpack_file(self, data_item: DataItem) -> int:
            seen.append(("FailingInt", "unpack", data_item.hint_metadata))
            raise ValueError("A gives up")

    class Float(Recording):
        PACKABLE_OBJECT_TYPE = float

        def unpack_file(self, data_item: DataItem) -> float:
            seen.append(("Float", "unpack", data_item.hint_metadata))
            return float(Path(data_item.local()).read_text())

    item = DataItem(_int_file(tmp_path))
    with PackagersManager([FailingInt, Float]) as manager:
        assert manager.unpack(item, Union[Annotated[int, "for A"], float]) == 42.0
    assert seen == [
        ("FailingInt", "is_unpackable", ("for A",)),
        ("FailingInt", "unpack", ("for A",)),
        ("Float", "is_unpackable", ()),
        ("Float", "unpack", ()),
    ]
    assert item.hint_metadata == ()  # the caller's item is never changed


def test_an_annotated_handle_is_a_view_of_the_same_local_copy(manager, tmp_path):
    item = DataItem(_int_file(tmp_path))
    handle = manager.unpack(item, Annotated[DataItem, "extra"])
    assert handle.hint_metadata == ("extra",) and item.hint_metadata == ()
    assert handle.local() == item.local()


def test_a_download_made_through_a_hints_view_is_cleared_with_the_manager():
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.pipe("/manager-views/n.int", b"42")
    local_paths = []

    class Recording(IntPackager):
        def unpack_file(self, data_item: DataItem) -> int:
            local_paths.append(data_item.local())
            return super().unpack_file(data_item)

    try:
        with PackagersManager([Recording]) as manager:
            assert manager.unpack("memory://manager-views/n.int", Annotated[int, "x"]) == 42
            assert os.path.exists(local_paths[0])
        assert not os.path.exists(local_paths[0])
    finally:
        fs.rm("/manager-views", recursive=True)


def test_when_no_packager_tries_the_error_says_why_each_declined(manager, tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"x")
    with pytest.raises(UnpackingError, match="not a pickle"):
        manager.unpack(str(path), Model)


def test_handle_and_path_hints(manager, tmp_path):
    path = _int_file(tmp_path)
    item = DataItem(path)
    assert manager.unpack(item, DataItem) is item
    assert manager.unpack(path, Path) == Path(path)
    assert manager.unpack(path, str) == path
    assert manager.unpack(item) is item


def test_a_packed_item_goes_to_its_recorded_packager_even_without_a_hint(manager):
    package = manager.pack(7, "n : file")
    item = DataItem(package.artifact.src_path, manifest=package.manifest)
    assert manager.unpack(item) == 7
    assert manager.unpack(item, int) == 7
    assert manager.unpack(item, Optional[int]) == 7


def test_a_union_member_that_agrees_with_the_manifest_wins_over_the_written_order(manager):
    package = manager.pack(7, "n : file")
    item = DataItem(package.artifact.src_path, manifest=package.manifest)
    value = manager.unpack(item, Union[float, int])  # FloatPackager could read the file too
    assert type(value) is int and value == 7


def test_a_packed_item_that_no_member_agrees_with_says_what_it_was(manager):
    package = manager.pack(Model(0.5), "m")
    item = DataItem(package.artifact.src_path, manifest=package.manifest)
    with pytest.raises(UnpackingError, match=r"it was packed as a .*manager_samples.Model"):
        manager.unpack(item, Batch)


def test_a_recorded_step_whose_packager_is_not_here_is_refused_as_unpacking_refuses(manager):
    """``unpack_steps`` (what ``explain`` prints) declines what ``unpack`` cannot do: the
    packager the manifest names is not collected, or the item cannot reach a bundle's members."""
    package = manager.pack(7, "n : file")
    gone = {**package.manifest, "packager": "gone.IntPackager", "distribution": "gone-dist"}
    bundle = manager.pack([1, 2], "*parts").manifest
    for item, hint in (
        (DataItem(package.artifact.src_path, manifest=gone), None),
        (DataItem(package.artifact.src_path, manifest=gone), Optional[int]),
        (DataItem(package.artifact.src_path, manifest=bundle), None),  # no resolver
    ):
        (step,) = manager.unpack_steps(item, hint)
        with pytest.raises(UnpackingError) as raised:
            manager.unpack(item, hint)
        assert (step.route, step.verdict.accepted, step.verdict.code) == (
            "recorded",
            False,
            "missing",
        )
        assert step.verdict.reason == str(raised.value)
