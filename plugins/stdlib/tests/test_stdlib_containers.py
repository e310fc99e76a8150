"""dict, list, tuple, set and frozenset: every (type, artifact type, format), edge data, errors."""

from __future__ import annotations

import copy
import json
import math
import sys
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from packagers import DataItem, LogHint, PackagersManager, PackingError, UnpackingError
from packagers.testing import round_trip
from packagers_stdlib import CODEC, RESULT_MAX_CHARS, DictPackager

Exact = Callable[[Any, Any], None]

NESTED_DICT = {
    "unicode ✓": "ünïcødé 🐍",
    "ints": {1: "one", -2: "minus two", 2**100: "big", False: "bool key", None: "null key"},
    "floats": {1.5: 1e308, -0.0: 5e-324},
    "tuples": [(1, 2), ((3,), [4, (5, 6)])],
    "tuple key": {(1, "a"): "t", frozenset({1}): "fs"},
    "sets": [set(), {1, 2}, frozenset({"a"})],
    "bytes": [b"\x00\xff", bytearray(b"ba")],
    "empty": [{}, [], ()],
    "$set": {"$bytes": "not a tag here"},
    "huge": 10**5000,
    "none": None,
}
SAMPLES: dict[type, list[Any]] = {
    dict: [{}, {"a": 1}, NESTED_DICT],
    list: [[], [1, (2, 3), [4, {5: (6,)}]], [NESTED_DICT, b"x", None]],
    tuple: [(), (1,), ((), [()], {"k": (1, 2)}), (None, NESTED_DICT)],
    set: [set(), {1, 2.5, "s", (1, 2), frozenset({3}), None}],
    frozenset: [frozenset(), frozenset({(1, (2,)), b"bytes"})],
}
TYPE_SAMPLES = [(tp, sample) for tp, samples in SAMPLES.items() for sample in samples]


def _unpack(manager: PackagersManager, package: Any, hint: Any) -> Any:
    item = DataItem(package.artifact.src_path, key=package.key, manifest=package.manifest)
    return manager.unpack(item, hint)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize(("tp", "sample"), TYPE_SAMPLES)
def test_file_round_trip_is_exact(
    manager: PackagersManager, exact: Exact, tp: type, sample: Any, fmt: str
) -> None:
    before = copy.deepcopy(sample)
    package = manager.pack(sample, LogHint("data", "file", packing_kwargs={"format": fmt}))
    assert package.manifest["instructions"] == {"format": fmt, "codec": CODEC}
    assert package.artifact is not None and package.artifact.src_path.endswith(f".{fmt}")
    exact(sample, _unpack(manager, package, tp))
    exact(sample, _unpack(manager, package, None))  # no hint: the manifest decides
    exact(before, sample)  # the caller's object is untouched


@pytest.mark.parametrize(
    "sample",
    [
        {},
        {"a": 1, "b": {"c": [1, (2, b"x")], "d": {1: "int key inside"}}},
        {"big": 2**64, "small": -(2**63), "floats": [1e308, -0.0, float("inf")]},
        {"$tuple": "collides with a tag"},
    ],
)
def test_toml_round_trip_is_exact(manager: PackagersManager, exact: Exact, sample: Any) -> None:
    """Exact but for key order: TOML writes a dict's tables after its plain values."""
    package = manager.pack(sample, 'data : file[format="toml"]')
    assert package.artifact is not None and package.artifact.src_path.endswith(".toml")
    restored = _unpack(manager, package, dict)
    exact(sample, {key: restored[key] for key in sample})


def test_toml_keeps_64_bit_ints_native_and_tags_larger(manager: PackagersManager) -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the toml extra installs tomli before Python 3.11, as the plugin reads it
        import tomli as tomllib

    package = manager.pack({"ok": 2**63 - 1, "big": 2**63}, 'data : file[format="toml"]')
    assert package.artifact is not None
    text = Path(package.artifact.src_path).read_text()
    assert tomllib.loads(text) == {"ok": 2**63 - 1, "big": {"$int": hex(2**63)}}


def test_nan_and_infinities_are_tagged_so_files_stay_strict_json(
    manager: PackagersManager,
) -> None:
    sample = [float("nan"), float("inf"), -float("inf"), -0.0, 1e308]
    package = manager.pack(sample, "data : file")
    assert package.artifact is not None
    text = Path(package.artifact.src_path).read_text()
    strict = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-JSON {name}"))
    assert strict[:3] == [{"$float": "nan"}, {"$float": "inf"}, {"$float": "-inf"}]
    restored = _unpack(manager, package, list)
    assert math.isnan(restored[0]) and restored[1:3] == [math.inf, -math.inf]
    assert math.copysign(1, restored[3]) == -1 and restored[4] == 1e308


def test_sequence_files_are_plain_arrays_at_the_top(manager: PackagersManager) -> None:
    package = manager.pack((3, 1, (2,)), "data : file")
    assert package.artifact is not None
    assert json.loads(Path(package.artifact.src_path).read_text()) == [3, 1, {"$tuple": [2]}]


def test_equal_sets_give_identical_files(manager: PackagersManager) -> None:
    words = [f"word{i}" for i in range(100)]
    first = manager.pack(set(words), "a : file")
    second = manager.pack(set(reversed(words)), "b : file")
    assert first.manifest["digest"] == second.manifest["digest"]


def test_dict_key_order_is_kept(manager: PackagersManager) -> None:
    sample = {3: "c", "a": 1, 1: "a", (0,): None}
    restored, _ = round_trip(manager, sample, "data : file", dict)
    assert list(restored) == list(sample)


# -- results ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "value"),
    [
        ({"a": [1, 2]}, {"a": [1, 2]}),
        ((1, (2, 3)), [1, [2, 3]]),
        ({3, 1, 2}, [1, 2, 3]),
        (frozenset({"b", "a"}), ["a", "b"]),
        (
            {1: "a", None: "b", False: "c", 1.5: "d"},
            {"1": "a", "null": "b", "false": "c", "1.5": "d"},
        ),
        ({"nested": {(1, 2)}}, {"nested": [[1, 2]]}),
    ],
)
def test_results_are_plain_json_lossy_by_design(
    manager: PackagersManager, sample: Any, value: Any
) -> None:
    package = manager.pack(sample, "r : result")
    assert package.is_result
    assert package.value == value
    assert json.loads(json.dumps(package.manifest["value"])) == value


def test_bytes_and_objects_cannot_be_results(manager: PackagersManager) -> None:
    with pytest.raises(PackingError, match=r"value\['k'\]\[1\].*bytes.*r : file"):
        manager.pack({"k": [1, b"x"]}, "r : result")
    with pytest.raises(PackingError, match=r"tuple key"):
        manager.pack({(1, 2): 3}, "r : result")


# -- default artifact types ------------------------------------------------------------------


def _chars(obj: Any) -> int:
    return len(json.dumps(obj, separators=(",", ":")))


@pytest.mark.parametrize("tp", [list, tuple, set, frozenset])
def test_small_sequences_are_results_and_large_ones_files(
    manager: PackagersManager, tp: type
) -> None:
    assert manager.pack(tp(range(10)), "small").is_result
    large = tp(range(2000))
    assert _chars(list(large)) > RESULT_MAX_CHARS
    assert manager.pack(large, "large").artifact_type == "file"


def test_the_threshold_is_the_compact_json_length(manager: PackagersManager) -> None:
    at_limit = {"k": "x" * (RESULT_MAX_CHARS - 8)}
    assert _chars(at_limit) == RESULT_MAX_CHARS
    assert manager.pack(at_limit, "at").is_result
    over = {"k": "x" * (RESULT_MAX_CHARS - 7)}
    assert manager.pack(over, "over").artifact_type == "file"


@pytest.mark.parametrize(
    "sample",
    [{1: "int key"}, {"b": b"bytes"}, [1, 10**5000], {"t": ({1: 2},)}],
    ids=["int-key", "bytes", "huge-int", "nested-int-key"],
)
def test_small_values_a_result_would_change_default_to_a_file(
    manager: PackagersManager, sample: Any
) -> None:
    assert manager.pack(sample, "data").artifact_type == "file"


class _Custom:
    pass


def test_values_without_a_typed_json_form_default_to_pickle(
    manager: PackagersManager, trusted_pickles: None
) -> None:
    sample = {"ok": 1, "custom": [_Custom()]}
    package = manager.pack(sample, "data")
    assert package.artifact_type == "object"
    assert package.manifest["packager"] == DictPackager.qualified_name()
    with pytest.raises(PackingError, match=r"value\['custom'\]\[0\].*_Custom.*data : object"):
        manager.pack(sample, "data : file")


def test_self_referencing_containers_are_refused_or_pickled(
    manager: PackagersManager, trusted_pickles: None
) -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    assert manager.pack(loop, "loop").artifact_type == "object"
    with pytest.raises(PackingError, match="nested too deeply"):
        manager.pack(loop, "loop : file")


@pytest.mark.parametrize("tp", [OrderedDict, type("Sub", (list,), {})])
def test_subclasses_go_to_pickle_so_their_type_survives(
    manager: PackagersManager, trusted_pickles: None, tp: type
) -> None:
    sample = tp()
    package = manager.pack(sample, "data")
    assert package.manifest["packager"] == "packagers._builtin.PicklePackager"


# -- errors ----------------------------------------------------------------------------------


def test_unknown_format_lists_the_accepted_ones(manager: PackagersManager) -> None:
    with pytest.raises(PackingError, match=r"unknown format 'xml'.*json, yaml, toml"):
        manager.pack({"a": 1}, 'data : file[format="xml"]')


def test_unknown_packing_kwarg_lists_the_accepted_ones(manager: PackagersManager) -> None:
    with pytest.raises(PackingError, match=r"'fmt'.*format='json'"):
        manager.pack({"a": 1}, 'data : file[fmt="json"]')


@pytest.mark.parametrize(
    ("sample", "match"),
    [
        ([1, 2], r"only a dict with str keys.*not a list.*format=\"json\""),
        ({1: "a"}, r"only a dict with str keys.*format=\"json\""),
        ({"a": {"b": [1, None]}}, r"value\['a'\]\['b'\]\[1\]: None.*toml has no null.*\"json\""),
    ],
)
def test_toml_refuses_what_it_cannot_hold(
    manager: PackagersManager, sample: Any, match: str
) -> None:
    with pytest.raises(PackingError, match=match):
        manager.pack(sample, 'data : file[format="toml"]')


def test_lone_surrogates_need_json(manager: PackagersManager, exact: Exact) -> None:
    sample = {"text": "broken \ud800 surrogate"}
    with pytest.raises(PackingError, match=r"lone surrogate.*json"):
        manager.pack(sample, 'data : file[format="yaml"]')
    restored, _ = round_trip(manager, sample, "data : file", dict)
    exact(sample, restored)


def test_a_missing_yaml_library_says_what_to_install(
    manager: PackagersManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(PackingError, match=r"pip install 'packagers-stdlib\[yaml\]'"):
        manager.pack({"a": 1}, 'data : file[format="yaml"]')


def test_an_unknown_codec_asks_for_an_upgrade(manager: PackagersManager, tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text("{}")
    manifest = _manifest(manager, {"format": "json", "codec": "stdlib-typed-json/99"})
    with pytest.raises(UnpackingError, match="upgrade packagers-stdlib"):
        manager.unpack(DataItem(path, manifest=manifest), dict)


def _manifest(manager: PackagersManager, instructions: dict[str, Any]) -> dict[str, Any]:
    manifest = manager.pack({"a": 1}, "data : file").manifest
    return {**manifest, "instructions": instructions}


# -- plain files and other hints -------------------------------------------------------------

PLAIN = {
    "data.json": '{"a": [1, 2], "$tuple": [3]}',
    "data.yaml": "a:\n  - 1\n  - 2\n$tuple:\n  - 3\n",
    "data.yml": "a: [1, 2]\n$tuple: [3]\n",
    "data.toml": 'a = [1, 2]\n"$tuple" = [3]\n',
}


@pytest.mark.parametrize("name", list(PLAIN))
def test_plain_files_unpack_as_plain_data(
    manager: PackagersManager, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(PLAIN[name])
    # without the codec in instructions nothing is read as a tag
    assert manager.unpack(str(path), dict) == {"a": [1, 2], "$tuple": [3]}
    assert manager.unpack(str(path), dict[str, list[int]]) == {"a": [1, 2], "$tuple": [3]}


@pytest.mark.parametrize(
    ("hint", "expected"),
    [(list, [1, 2, 2]), (tuple, (1, 2, 2)), (set, {1, 2}), (frozenset, frozenset({1, 2}))],
)
def test_plain_arrays_unpack_as_any_sequence(
    manager: PackagersManager, exact: Exact, tmp_path: Path, hint: type, expected: Any
) -> None:
    path = tmp_path / "items.json"
    path.write_text("[1, 2, 2]")
    exact(expected, manager.unpack(str(path), hint))


def test_a_plain_file_of_the_wrong_shape_is_an_error(
    manager: PackagersManager, tmp_path: Path
) -> None:
    path = tmp_path / "items.json"
    path.write_text("[1, 2]")
    with pytest.raises(UnpackingError, match="holds a list, not a dict"):
        manager.unpack(str(path), dict)
    path.write_text('{"a": 1}')
    with pytest.raises(UnpackingError, match="holds a dict, not a list"):
        manager.unpack(str(path), list)
    path.write_text("[[1], [2]]")
    with pytest.raises(UnpackingError, match=r"cannot make a set.*unhashable"):
        manager.unpack(str(path), set)


def test_an_unknown_suffix_lists_the_accepted_ones(
    manager: PackagersManager, tmp_path: Path
) -> None:
    path = tmp_path / "table.csv"
    path.write_text("a,b\n")
    with pytest.raises(UnpackingError, match=r"'\.csv'.*\.json, \.yaml, \.yml, \.toml"):
        manager.unpack(str(path), dict)


def test_another_sequence_hint_keeps_the_typed_items(
    manager: PackagersManager, exact: Exact
) -> None:
    """A tuple file asked for as a list goes to the list packager; the manifest keeps the codec."""
    sample = ((1, 2), {3}, b"x")
    package = manager.pack(sample, "data : file")
    exact([(1, 2), {3}, b"x"], _unpack(manager, package, list))


def test_a_default_choice_never_leaks_into_a_later_pack(
    manager: PackagersManager, exact: Exact
) -> None:
    """Choosing ``file`` encodes the object; only the pack right after may reuse that tree."""
    data = {f"k{i}": i for i in range(2000)}
    assert manager.choose_packager(data)[1] == "file"
    data["added later"] = (1,)
    restored, _ = round_trip(manager, data, "data : file", dict)
    exact(data, restored)
