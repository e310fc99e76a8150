"""A function's returns against its log hints: tuples, missing hints, None, auto-pack keys."""

from __future__ import annotations

import pytest

from packagers import PackagersWarning, PackingError, config


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
