"""The manager: choosing packagers, returns, itemization, bundling, linking, clearing, strict."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional, Union

import pytest

from packagers import (
    Artifact,
    DataItem,
    DefaultPackager,
    LogHint,
    ModelArtifact,
    PackagersManager,
    PackagersWarning,
    PackingError,
    UnpackingError,
    config,
)
from packagers._builtin import PicklePackager


class IntPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = int
    DEFAULT_PACKING_ARTIFACT_TYPE = "result"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"

    def pack_file(self, obj: int, key: str) -> tuple[Artifact, dict]:
        path = self.temp_path(key, ".int")
        Path(path).write_text(str(obj))
        return Artifact(key, path, format="int"), {}

    def unpack_file(self, data_item: DataItem) -> int:
        return int(Path(data_item.local()).read_text())


class FloatPackager(IntPackager):
    PACKABLE_OBJECT_TYPE = float

    def unpack_file(self, data_item: DataItem) -> float:
        return float(Path(data_item.local()).read_text())


class Model:
    def __init__(self, weight: float) -> None:
        self.weight = weight


class ModelPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = Model
    DEFAULT_PACKING_ARTIFACT_TYPE = "model"

    def pack_model(self, obj: Model, key: str) -> tuple[Artifact, dict]:
        path = self.temp_path(key, ".txt")
        Path(path).write_text(str(obj.weight))
        return ModelArtifact(key, path, format="txt"), {}


class Batch(list):
    """A collection type whose packager can rebuild it from its items."""


class BatchPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = Batch
    BUNDLE_FROM_LIST = True


CORE = [IntPackager, FloatPackager, ModelPackager, BatchPackager, PicklePackager]


@pytest.fixture
def manager():
    with PackagersManager(CORE) as manager:
        yield manager


def _resolver(packages):
    index = {p.key: p for top in packages for p in _walk(top)}

    def resolve(entry):
        package = index[entry["key"]]
        source = package.artifact.src_path if package.artifact else ""
        return DataItem(source, key=package.key, manifest=package.manifest, resolver=resolve)

    return resolve


def _walk(package):
    for member in package.members:
        yield from _walk(member)
    yield package


def _load(manager, package, hint=None):
    resolve = _resolver([package])
    return manager.unpack(resolve({"key": package.key}), hint)


# -- choosing a packager ---------------------------------------------------------------------


def test_the_highest_priority_packager_wins_and_ties_are_stable():
    class Low(IntPackager):
        PRIORITY = 7

    class High(IntPackager):
        PRIORITY = 2

    manager = PackagersManager([Low, High, PicklePackager])
    assert type(manager.choose_packager(1)[0]) is High
    assert manager.choose_packager(1)[1] == "result"


def test_an_explicit_artifact_type_skips_packagers_that_do_not_offer_it():
    class Eager(IntPackager):
        PRIORITY = 1

        def is_packable(self, obj, artifact_type=None):
            return super().is_packable(obj, artifact_type) and artifact_type != "file"

    manager = PackagersManager([Eager, IntPackager, PicklePackager])
    assert type(manager.choose_packager(1, "file")[0]) is IntPackager


def test_no_packager_for_a_requested_type_lists_what_is_offered(manager):
    with pytest.raises(PackingError, match=r"as 'dataset'.*IntPackager packs file, object, result"):
        manager.pack(5, "n : dataset")


def test_a_packer_returning_a_directory_is_refused_and_a_file_gets_its_size():
    class DirectoryPackager(IntPackager):
        def pack_file(self, obj: int, key: str) -> tuple[Artifact, dict]:
            path = self.temp_path(key, "")
            os.mkdir(path)
            return Artifact(key, path, format="int"), {}

    with (
        PackagersManager([DirectoryPackager]) as manager,
        pytest.raises(PackingError, match="returned a directory for 'n'; a packer must"),
    ):
        manager.pack(5, "n : file")
    with PackagersManager([IntPackager]) as manager:
        assert manager.pack(12345, "n : file").manifest["size"] == 5


def test_unknown_types_fall_back_to_pickle(manager):
    package = manager.pack(Model, "cls")
    assert package.artifact_type == "object"
    assert package.manifest["packager"] == "packagers._builtin.PicklePackager"


def test_dispatch_is_cached_per_type(manager):
    first = manager.packagers_for(int)
    assert manager.packagers_for(int) is first


# -- returns ---------------------------------------------------------------------------------


def test_a_tuple_is_several_outputs_unless_pack_tuples(manager):
    packages = manager.pack_outputs((1, 2.5), ["a", "b"])
    assert [(p.key, p.value) for p in packages] == [("a", 1), ("b", 2.5)]
    config.pack_tuples = True
    (package,) = manager.pack_outputs((1, 2.5), ["pair"])
    assert package.artifact_type == "object"


def test_values_without_hints_are_ignored_with_a_warning(manager):
    with pytest.warns(PackagersWarning, match=r"1 log hint; values 1 and 2 have no log hint"):
        packages = manager.pack_outputs((1, 2, 3), ["a"])
    assert [p.key for p in packages] == ["a"]
    with pytest.warns(PackagersWarning, match=r"2 values for 1 log hint; value 1 has no log hint "):
        manager.pack_outputs((1, 2), ["a"])
    with pytest.warns(PackagersWarning, match=r"returned 1 value for 3 log hints"):
        manager.pack_outputs((1,), ["a", "b", "c"])


def test_auto_pack_outputs_names_values_by_index(manager):
    config.auto_pack_outputs = True
    config.auto_pack_key = "out"
    packages = manager.pack_outputs((1, 2, 3), ["a"], auto_key_prefix="train")
    assert [p.key for p in packages] == ["a", "train-out-1", "train-out-2"]


def test_more_hints_than_values_warns_naming_the_keys_and_strict_mode_raises(manager):
    with pytest.warns(PackagersWarning, match="nothing is logged for: b, c"):
        manager.pack_outputs((1,), ["a", "b", "c"])
    config.strict = True
    with pytest.raises(PackingError, match="nothing is logged for: b, c"):
        manager.pack_outputs((1,), ["a", "b", "c"])


def test_none_under_a_hint_is_a_null_result_and_no_return_at_all_logs_nothing(manager):
    (package,) = manager.pack_outputs(None, ["a"])
    assert package.is_result and package.key == "a" and package.value is None
    assert manager.pack_outputs(None, []) == []  # no warning either


def test_values_without_hints_say_how_to_log_them(manager):
    with pytest.warns(PackagersWarning, match="returned 2 values and has no log hints, so nothing"):
        assert manager.pack_outputs((1, 2), []) == []


def test_auto_pack_keys_come_from_any_function_name(manager):
    with config.override(auto_pack_outputs=True):
        (package,) = manager.pack_outputs(1, [], auto_key_prefix="<lambda>")
    assert package.key == "lambda-artifact-0"


# -- itemization and bundling ----------------------------------------------------------------


NESTED = {"x": {"p": {"deep": 1}, "q": 2}, "y": 3}


def test_depth_2_on_a_three_level_dict_stops_at_the_second_level(manager):
    package = manager.pack(NESTED, "2*res")
    keys = [p.key for p in _walk(package)]
    assert keys == ["res_x_p", "res_x_q", "res_x", "res_y", "res"]
    leaf = next(p for p in _walk(package) if p.key == "res_x_p")
    assert leaf.artifact_type == "object"  # the third level is packed whole
    with config.override(pickle__policy="allow"):
        assert _load(manager, package) == NESTED


def test_full_itemization_round_trips_structure_and_types(manager):
    value = {"a": [1, 2.5, (3, 4)], 7: (5,)}
    package = manager.pack(value, "*res")
    assert {p.key for p in _walk(package)} >= {"res_a_0", "res_a_2_1", "res_7_0"}
    restored = _load(manager, package)
    assert restored == value
    assert isinstance(restored["a"][2], tuple)
    assert 7 in restored


def test_generators_are_itemized_as_lists(manager):
    package = manager.pack((i * 2 for i in range(3)), "*gen")
    assert [m.value for m in package.members] == [0, 2, 4]
    assert _load(manager, package) == [0, 2, 4]


def test_a_bundle_type_is_rebuilt_by_its_packager(manager):
    package = manager.pack(Batch([1, 2]), "*batch")
    assert package.manifest["bundle"]["collection"] == "packager"
    restored = _load(manager, package)
    assert type(restored) is Batch and restored == [1, 2]


def test_strings_and_bytes_are_never_split(manager):
    assert not manager.pack("abc", "*s").members
    assert not manager.pack(b"abc", "*b").members


def test_an_empty_collection_logs_nothing_and_does_not_fail(manager):
    package = manager.pack([], "*empty")
    assert package.members == []
    assert package.manifest["bundle"]["members"] == []


def test_empty_itemized_outputs_of_a_function_log_nothing(manager):
    assert [p.key for p in manager.pack_outputs(([], {}, 3), ["*e", "*d", "n"])] == ["n"]
    assert [p.key for p in manager.pack_outputs(((), [1]), ["*t", "*l"])] == ["l"]


def test_a_collision_names_both_outputs(manager):
    with pytest.raises(PackingError, match=r"'res_0' \(from 'res' and 'res_0'\)"):
        manager.pack_outputs(([1, 2], 3), ["*res", "res_0"])


def test_a_packing_error_names_the_itemized_key(manager):
    with pytest.raises(PackingError, match=r"^'r_0': no packager packs a builtins.int as 'plot'"):
        manager.pack([1, 2], "*r : plot")


def test_a_generated_key_colliding_with_another_output_is_an_error_before_packing(manager):
    created_before = len(manager.packagers[0].future_clearing_paths)
    with pytest.raises(PackingError, match="'res_0'.*nothing was logged"):
        manager.pack_outputs(([1, 2], 3), ["*res : file", "res_0"])
    assert len(manager.packagers[0].future_clearing_paths) == created_before


def test_a_generated_key_that_is_not_valid_is_an_error(manager):
    with pytest.raises(PackingError, match="'res_a b', which is not a valid"):
        manager.pack({"a b": 1}, "*res")


# -- linking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model_first", [True, False])
def test_linking_resolves_in_any_order(manager, model_first):
    hints = [
        LogHint("model", metrics={"accuracy": ...}, extra_data={"threshold": ..., "notes": "x"}),
        "accuracy",
        "threshold : file",
    ]
    values = [Model(0.5), 0.93, 7]
    if not model_first:
        hints, values = hints[::-1], values[::-1]
    packages = manager.pack_outputs(tuple(values), hints)
    manager.link(packages, reference=lambda p: f"store://{p.key}")
    model = next(p for p in packages if p.key == "model")
    assert model.manifest["metrics"] == {"accuracy": 0.93}
    assert model.manifest["extra_data"] == {"notes": "x", "threshold": "store://threshold"}


def test_a_missing_link_is_dropped_with_a_warning_and_the_hint_is_untouched(manager):
    hint = LogHint("model", extra_data={"nowhere": ...})
    packages = manager.pack_outputs(Model(1.0), [hint])
    with pytest.warns(PackagersWarning, match="links to 'nowhere'"):
        manager.link(packages)
    assert "nowhere" not in packages[0].manifest["extra_data"]
    assert hint.extra_data == {"nowhere": ...}


def test_metrics_link_only_results_to_models(manager):
    hints = [
        LogHint("n", artifact_type="file", metrics={"m": ...}),
        LogHint("model", metrics={"f": ...}),
        "m",
        "f : file",
    ]
    packages = manager.pack_outputs((1, Model(1.0), 2, 3), hints)
    with pytest.warns(PackagersWarning) as caught:
        manager.link(packages)
    messages = " ".join(str(w.message) for w in caught)
    assert "'n': metrics link only results" in messages
    assert "'model': metrics link only results to model artifacts; 'f'" in messages


# -- unpacking -------------------------------------------------------------------------------


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
    with pytest.raises(UnpackingError, match=r"it was packed as a .*test_manager.Model"):
        manager.unpack(item, Batch)


def test_a_missing_custom_packager_is_not_blamed_on_another_failed_one(manager):
    from packagers import PackagersWarning, add_custom_packager

    package = manager.pack(7, "n : file")
    manifest = {**package.manifest, "packager": "gone.IntPackager", "distribution": None}
    add_custom_packager("nomodule_here.Unrelated")
    with pytest.warns(PackagersWarning, match="nomodule_here"):
        collected = PackagersManager()
    with pytest.raises(UnpackingError) as caught:
        collected.unpack(DataItem(package.artifact.src_path, manifest=manifest))
    assert "gone.IntPackager" in str(caught.value)
    assert "nomodule_here" not in str(caught.value)


def test_an_unregistered_custom_packager_is_to_register_not_to_install(manager):
    package = manager.pack(7, "n : file")
    manifest = {**package.manifest, "packager": "mine.IntPackager", "plugin": "custom"}
    manifest["distribution"] = None
    with pytest.raises(UnpackingError, match=r"add_custom_packager\('mine.IntPackager'\)") as e:
        manager.unpack(DataItem(package.artifact.src_path, manifest=manifest))
    assert "pip install" not in str(e.value)


def test_a_packer_that_names_no_format_gets_its_file_suffix(tmp_path):
    class PlainPackager(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Model
        DEFAULT_PACKING_ARTIFACT_TYPE = "file"

        def pack_file(self, obj: Model, key: str) -> tuple[Artifact, dict]:
            path = self.temp_path(key, ".TXT")
            Path(path).write_text(str(obj.weight))
            return Artifact(key=key, src_path=path), {}

    with PackagersManager([PlainPackager]) as manager:
        assert manager.pack(Model(1.0), "m").manifest["format"] == "txt"


def test_a_missing_packager_names_the_distribution_to_install(manager):
    package = manager.pack(7, "n : file")
    manifest = {
        **package.manifest,
        "packager": "packagers_pandas.DataFramePackager",
        "distribution": "packagers-pandas",
        "distribution_version": "0.1.0",
    }
    item = DataItem(package.artifact.src_path, manifest=manifest)
    with pytest.raises(UnpackingError, match=r"pip install packagers-pandas==0.1.0"):
        manager.unpack(item)


# -- clearing --------------------------------------------------------------------------------


def test_temp_files_are_cleared_when_the_run_fails(tmp_path):
    paths = []
    with pytest.raises(RuntimeError), PackagersManager(CORE) as manager:
        paths.append(manager.pack(7, "n : file").artifact.src_path)
        raise RuntimeError("the user's function failed")
    assert paths and not any(os.path.exists(p) for p in paths)


# -- known families whose plugin is missing --------------------------------------------------


@pytest.fixture
def without_numpy_plugin():
    from packagers.manager import _pack as manager_module

    np = pytest.importorskip("numpy")
    manager_module._warn_missing_family.cache_clear()
    with config.override(plugins__blocked=["numpy"], pickle__policy="allow"):
        yield np
    manager_module._warn_missing_family.cache_clear()


def test_a_known_familys_value_is_pickled_with_the_distribution_to_install(without_numpy_plugin):
    np = without_numpy_plugin
    with PackagersManager() as manager:
        with pytest.warns(PackagersWarning, match="numpy.ndarray is pickled .* packagers-numpy"):
            package = manager.pack(np.arange(3), "a")
        assert package.manifest["format"] == "pkl"
        manager.pack(np.arange(4), "b")  # told once (the test config makes a warning an error)


def test_a_type_only_the_missing_plugin_provides_names_it(without_numpy_plugin):
    np = without_numpy_plugin
    with (
        PackagersManager() as manager,
        pytest.raises(PackingError, match="pip install packagers-numpy"),
    ):
        manager.pack(np.arange(3), "a : dataset")


def test_the_fallback_packs_any_object_as_a_model(manager, tmp_path):
    package = manager.pack(Path("x"), "m : model")
    assert package.manifest["artifact_type"] == "model" and package.manifest["kind"] == "model"
    with config.override(pickle__policy="allow"):
        assert _load(manager, package) == Path("x")
