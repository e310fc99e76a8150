"""Itemizing collections into one output per item and bundling them back; key collisions."""

from __future__ import annotations

import pytest

from packagers import PackagersManager, PackingError, UnpackingError, config

from .manager_samples import CORE, Batch, BatchPackager, _load, _walk

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


def test_a_bundle_whose_packager_is_gone_names_that_packager(manager):
    package = manager.pack(Batch([1, 2]), "*batch")
    without = PackagersManager([p for p in CORE if p is not BatchPackager])
    with pytest.raises(
        UnpackingError, match=r"packed by the custom packager .*\.BatchPackager, which is not"
    ):
        _load(without, package)


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
