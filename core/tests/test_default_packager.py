"""The DefaultPackager conventions, with custom packagers written as the tutorial writes them."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from packagers import (
    Artifact,
    ArtifactType,
    CollectionError,
    DataItem,
    DefaultPackager,
    PackagersManager,
    PackingError,
    UnpackingError,
)
from packagers.testing import PackagerConformance, round_trip


class Point:
    def __init__(self, x: float, y: float) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


class PointPackager(DefaultPackager):
    """Round trip: pack_file and unpack_file, with a packing kwarg that becomes an instruction."""

    PACKABLE_OBJECT_TYPE = Point
    DEFAULT_PACKING_ARTIFACT_TYPE = ArtifactType.FILE
    DEFAULT_UNPACKING_ARTIFACT_TYPE = ArtifactType.FILE

    def pack_file(self, obj: Point, key: str, file_format: str = "json") -> tuple[Artifact, dict]:
        path = self.temp_path(key, f".{file_format}")
        with open(path, "w") as stream:
            json.dump({"x": obj.x, "y": obj.y}, stream)
        return Artifact(key=key, src_path=path), {"file_format": file_format}

    def unpack_file(self, data_item: DataItem, file_format: str = "json") -> Point:
        with open(data_item.local()) as stream:
            return Point(**json.load(stream))


class PointPlotPackager(DefaultPackager):
    """Pack-only: a rendering that cannot be read back."""

    PACKABLE_OBJECT_TYPE = Point
    DEFAULT_PACKING_ARTIFACT_TYPE = "plot"

    def pack_plot(self, obj: Point, key: str) -> tuple[Artifact, dict]:
        path = self.temp_path(key, ".txt")
        with open(path, "w") as stream:
            stream.write(f"*  at ({obj.x}, {obj.y})")
        return Artifact(key=key, src_path=path), {}


class LegacyPointPackager(DefaultPackager):
    """Unpack-only: reads an old "x,y" text format that is no longer written."""

    PACKABLE_OBJECT_TYPE = Point
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "v1"

    def unpack_v1(self, data_item: DataItem) -> Point:
        x, y = data_item.get().decode().split(",")
        return Point(float(x), float(y))


def test_pack_and_unpack_types_are_discovered_independently():
    assert PointPlotPackager.packing_artifact_types() == {"plot", "result", "object"}
    assert PointPlotPackager.unpacking_artifact_types() == {"object"}
    assert LegacyPointPackager.packing_artifact_types() == {"result", "object"}
    assert LegacyPointPackager.unpacking_artifact_types() == {"v1", "object"}
    plot = PointPlotPackager()
    assert plot.is_packable(Point(1, 2), "plot")
    assert not plot.is_unpackable(DataItem("x.txt"), Point, "plot")
    assert LegacyPointPackager().is_unpackable(DataItem("x.txt"), Point, "v1")
    assert not LegacyPointPackager().is_packable(Point(1, 2), "v1")


def test_packing_kwargs_come_from_the_signature():
    assert PointPackager.packing_kwargs("file") == {"file_format": "json"}


def test_an_unknown_packing_kwarg_lists_the_accepted_ones():
    with pytest.raises(PackingError, match=r"'colour'.*accepts file_format='json'"):
        PackagersManager([PointPackager]).pack(Point(1, 2), 'p : file[colour="red"]')


def test_a_default_type_without_its_method_is_an_error_naming_the_class():
    class Broken(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Point
        DEFAULT_PACKING_ARTIFACT_TYPE = "file"

    with pytest.raises(CollectionError, match=r"Broken: DEFAULT_PACKING_ARTIFACT_TYPE 'file'"):
        Broken.validate()

    class BrokenUnpack(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Point
        DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"

    with pytest.raises(CollectionError, match="BrokenUnpack: DEFAULT_UNPACKING_ARTIFACT_TYPE"):
        BrokenUnpack.validate()


def test_a_packing_kwarg_without_default_is_an_error_at_registration():
    class NoDefault(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Point

        def pack_file(self, obj: Point, key: str, file_format: str) -> tuple[Artifact, dict]:
            raise AssertionError

    with pytest.raises(CollectionError, match="'file_format' has no default"):
        NoDefault.validate()
    with pytest.raises(CollectionError, match="has no default"):
        PackagersManager([NoDefault])


def test_a_method_that_cannot_take_the_object_and_key_is_an_error_at_registration():
    """Otherwise the mistake shows only as a TypeError on the first pack, far from the class."""

    class NoKey(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Point

        def pack_file(self, obj: Point) -> tuple[Artifact, dict]:
            raise AssertionError

    with pytest.raises(CollectionError, match=r"NoKey\.pack_file\(obj.* must take the object and"):
        NoKey.validate()

    class NoItem(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Point

        def unpack_file(self) -> Point:
            raise AssertionError

    with pytest.raises(CollectionError, match=r"NoItem\.unpack_file\(\).* must take the data item"):
        NoItem.validate()


def test_static_pack_methods_are_discovered_with_their_kwargs():
    class Static(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Point

        @staticmethod
        def pack_result(obj: Point, key: str, scale: int = 1) -> dict:
            return {key: obj.x * scale}

    Static.validate()
    assert Static.packing_kwargs("result") == {"scale": 1}
    assert PackagersManager([Static]).pack(Point(2, 0), "p : result[scale=3]").value == 6


@pytest.mark.parametrize("priority", [0, 11, "high", True])
def test_priority_must_be_1_to_10(priority):
    bad = type("Bad", (DefaultPackager,), {"PACKABLE_OBJECT_TYPE": Point, "PRIORITY": priority})
    with pytest.raises(CollectionError, match="PRIORITY must be an int from 1 to 10"):
        bad.validate()


def test_a_dotted_type_name_resolves_only_once_its_module_is_imported(monkeypatch):
    import sys

    class Lazy(DefaultPackager):
        PACKABLE_OBJECT_TYPE = "fractions.Fraction"

    monkeypatch.delitem(sys.modules, "fractions", raising=False)
    assert Lazy.packable_type() is None
    assert Lazy.packable_type_name() == "fractions.Fraction"
    assert "fractions" not in sys.modules
    from fractions import Fraction

    assert Lazy.packable_type() is Fraction
    assert Lazy().is_packable(Fraction(1, 2))


def test_subclasses_are_packed_only_when_asked():
    class SubPoint(Point):
        pass

    assert not PointPackager().is_packable(SubPoint(1, 2))

    class Family(PointPackager):
        PACK_SUBCLASSES = True

    assert Family().is_packable(SubPoint(1, 2))


def test_result_is_always_packable_but_must_be_json():
    with pytest.raises(PackingError, match="result 'p'.*not JSON-serialisable"):
        PackagersManager([PointPackager]).pack(Point(1, 2), "p : result")

    class NormPackager(PointPackager):
        def pack_result(self, obj: Point, key: str) -> dict:
            return {key: (obj.x**2 + obj.y**2) ** 0.5}

    package = PackagersManager([NormPackager]).pack(Point(3, 4), "p : result")
    assert package.is_result
    assert package.value == 5.0
    assert package.manifest["value"] == 5.0


def test_a_round_trip_goes_through_the_recorded_packager_and_instructions(tmp_path):
    with PackagersManager([PointPackager]) as manager:
        restored, package = round_trip(manager, Point(3, 4), 'p : file[file_format="json"]')
    assert restored == Point(3, 4)
    assert package.manifest["instructions"] == {"file_format": "json"}
    assert package.manifest["packager"].endswith("PointPackager")
    assert package.manifest["object_type"].endswith("Point")


def test_an_unpack_only_type_reads_a_plain_file(tmp_path):
    legacy = tmp_path / "p.v1"
    legacy.write_text("1.5,2")
    assert PackagersManager([LegacyPointPackager]).unpack(str(legacy), Point) == Point(1.5, 2)


def test_a_pack_only_artifact_is_not_unpacked_but_given_as_a_path(tmp_path):
    from pathlib import Path

    with PackagersManager([PointPlotPackager]) as manager:
        package = manager.pack(Point(1, 2), "p")
        item = DataItem(package.artifact.src_path, manifest=package.manifest)
        with pytest.raises(UnpackingError, match="'plot' artifact.*cannot unpack"):
            manager.unpack(item, Point)
        path = manager.unpack(item, Path)
        assert path.read_text().startswith("*")


def test_temp_files_are_cleared_and_user_files_are_kept(tmp_path):
    users = tmp_path / "p.v1"
    users.write_text("1,2")
    manager = PackagersManager([PointPackager, LegacyPointPackager])
    package = manager.pack(Point(1, 2), "p")
    manager.unpack(str(users), Point)
    manager.clear()
    assert not os.path.exists(package.artifact.src_path)
    assert users.read_text() == "1,2"


def test_temp_paths_share_one_folder_per_process_and_never_a_name():
    """No folder per log or per repeat: each new folder is one more inode to allocate."""
    first, second = PointPackager(), PointPackager()
    paths = [first.temp_path("p", ".v1"), first.temp_path("p", ".v1"), second.temp_path("p", ".v1")]
    assert len(set(paths)) == 3
    assert len({os.path.dirname(path) for path in paths}) == 1
    assert os.path.basename(paths[0]) == "p.v1"
    assert all(os.path.basename(path).startswith("p-") for path in paths[1:])
    assert all(path.endswith(".v1") for path in paths)
    taken = os.path.join(os.path.dirname(paths[0]), "q.v1")  # a name someone else wrote
    open(taken, "w").close()
    assert second.temp_path("q", ".v1") != taken
    for path in paths:
        open(path, "w").close()
    first.clear()
    assert [os.path.exists(path) for path in paths] == [False, False, True]
    assert first.temp_path("p", ".v1") == paths[0]  # given again once deleted
    second.clear()
    first.clear()
    os.remove(taken)
    assert not os.path.exists(paths[2])


def test_threads_packing_one_key_at_once_get_different_paths():
    from concurrent.futures import ThreadPoolExecutor

    packagers = [PointPackager() for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(lambda packager: packager.temp_path("same", ".v1"), packagers))
    assert len(set(paths)) == 8
    for packager in packagers:
        packager.clear()


def _pack_in_child(report: Any) -> None:
    report.put(PointPackager().temp_path("p", ".v1"))


def test_a_child_process_packs_in_a_folder_of_its_own_and_removes_it():
    """The parent removes its folder at exit, whatever its children still write; a child of
    ``multiprocessing`` ends by ``os._exit``, without atexit, and still removes its own."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    context = multiprocessing.get_context("fork")
    parent_folder = os.path.dirname(PointPackager().temp_path("p", ".v1"))
    report = context.Queue()
    child = context.Process(target=_pack_in_child, args=(report,))
    child.start()
    child_path = report.get(timeout=30)
    child.join(30)
    assert child.exitcode == 0
    assert os.path.dirname(child_path) != parent_folder
    assert not os.path.exists(os.path.dirname(child_path))
    assert os.path.isdir(parent_folder)


class TestPointConformance(PackagerConformance):
    packager_class = PointPackager

    def samples(self):
        return [Point(0, 0), Point(-1.5, 1e300)]


class TestPointPlotConformance(PackagerConformance):
    """A pack-only packager goes through the suite too: its type cannot round-trip."""

    packager_class = PointPlotPackager

    def samples(self):
        return [Point(0, 0)]


class _BadPlotPackager(PointPackager):
    """Round-trips fine, but its pack-only type returns instructions that are not JSON."""

    def pack_plot(self, obj: Point, key: str) -> tuple[Artifact, dict]:
        path = self.temp_path(key, ".txt")
        with open(path, "w") as stream:
            stream.write("*")
        return Artifact(key=key, src_path=path), {"not json": object()}


class _BadPlotConformance(PackagerConformance):
    packager_class = _BadPlotPackager

    def samples(self):
        return [Point(1, 2)]


def test_the_suite_packs_pack_only_types_that_no_round_trip_reaches():
    with pytest.raises(PackingError, match="not JSON-serialisable"):
        _BadPlotConformance().test_pack_only_and_lossy_types_pack_cleanly()


class _NoResultPointPackager(PointPackager):
    RESULTS = False


def test_results_are_offered_only_where_values_can_be_results() -> None:
    assert "result" in PointPackager.packing_artifact_types()
    assert "result" not in _NoResultPointPackager.packing_artifact_types()
    assert _NoResultPointPackager.packing_artifact_types() == {"file", "object"}
    with (
        PackagersManager([_NoResultPointPackager]) as manager,
        pytest.raises(PackingError, match="'result'"),
    ):
        manager.pack(Point(1, 2), "p : result")


def test_will_clear_knows_registered_paths_and_what_is_inside_registered_folders(tmp_path):
    packager = PointPackager()
    folder = tmp_path / "made"
    packager.add_future_clearing_path(f"{folder}{os.sep}")  # a trailing separator too
    path = packager.temp_path("p", ".v1")
    assert packager.will_clear(path)
    assert packager.will_clear(folder / "inner" / "x.txt")
    assert packager.will_clear(folder)
    assert not packager.will_clear(tmp_path / "made-too" / "x.txt")
    assert not packager.will_clear(tmp_path)
    packager.clear()
    assert not packager.will_clear(path)
