"""LogHint: built from dicts and other inputs, validated, itemized, compared."""

from __future__ import annotations

import pytest

from packagers._errors import LogHintError
from packagers.log_hint import LogHint

# --- dicts, LogHint and other inputs --------------------------------------------------------------


def test_parse_returns_a_log_hint_as_is():
    hint = LogHint(key="x")
    assert LogHint.parse(hint) is hint


def test_parse_dict():
    hint = LogHint.parse(
        {
            "key": "model",
            "artifact_type": "model",
            "tag": "v1",
            "itemized": 3,
            "packing_kwargs": {"format": "pkl"},
            "labels": {"owner": "me"},
            "extra_data": {"notes": [1, 2]},
            "metrics": {"accuracy": 0.9},
        }
    )
    assert hint == LogHint(
        "model",
        "model",
        "v1",
        3,
        {"format": "pkl"},
        {"owner": "me"},
        {"notes": [1, 2]},
        {"accuracy": 0.9},
    )
    assert LogHint.parse({"key": "accuracy"}) == LogHint.parse("accuracy")


def test_parse_dict_with_unknown_fields():
    with pytest.raises(LogHintError) as info:
        LogHint.parse({"key": "x", "typ": "dataset", "format": "csv"})
    message = str(info.value)
    assert "'typ'" in message and "'format'" in message
    for name in ("key", "artifact_type", "tag", "itemized", "packing_kwargs", "labels"):
        assert name in message
    assert info.value.position is None


def test_parse_dict_without_key():
    with pytest.raises(LogHintError, match="no 'key'"):
        LogHint.parse({"artifact_type": "dataset"})


@pytest.mark.parametrize("value", [None, 3, 1.5, b"data", ["data"], ("data",), object()])
def test_parse_other_types(value):
    with pytest.raises(LogHintError, match="a str, a dict or a LogHint") as info:
        LogHint.parse(value)
    assert info.value.hint is None
    assert info.value.position is None


# --- construction and validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"key": "my key"}, "letter, digit or '_'"),
        ({"key": ""}, "invalid log hint key"),
        ({"key": None}, "invalid log hint key"),
        ({"key": "x", "itemized": 0}, ">= 1"),
        ({"key": "x", "itemized": -1}, ">= 1"),
        ({"key": "x", "itemized": 1.0}, ">= 1"),
        ({"key": "x", "itemized": "2"}, ">= 1"),
        ({"key": "x", "itemized": None}, ">= 1"),
        ({"key": "x", "artifact_type": ""}, "artifact type"),
        ({"key": "x", "artifact_type": "1x"}, "artifact type"),
        ({"key": "x", "artifact_type": "data set"}, "artifact type"),
        ({"key": "x", "artifact_type": 3}, "artifact type"),
        ({"key": "x", "tag": None}, "tag"),
        ({"key": "x", "packing_kwargs": None}, "packing_kwargs"),
        ({"key": "x", "packing_kwargs": [("a", 1)]}, "packing_kwargs"),
        ({"key": "x", "packing_kwargs": {1: "a"}}, "non-str keys"),
        ({"key": "x", "labels": {"a": 1}}, "str values"),
        ({"key": "x", "labels": {1: "a"}}, "non-str keys"),
        ({"key": "x", "extra_data": "no"}, "extra_data"),
        ({"key": "x", "metrics": 0.9}, "metrics"),
    ],
)
def test_invalid_fields(kwargs, fragment):
    with pytest.raises(LogHintError) as info:
        LogHint(**kwargs)
    assert fragment in str(info.value)
    assert info.value.position is None


def test_fields_order():
    hint = LogHint("k", "t", "tag", 2, {"a": 1}, {"l": "v"}, {"e": 1}, {"m": 1})
    assert (hint.key, hint.artifact_type, hint.tag, hint.itemized) == ("k", "t", "tag", 2)
    assert (hint.packing_kwargs, hint.labels, hint.extra_data, hint.metrics) == (
        {"a": 1},
        {"l": "v"},
        {"e": 1},
        {"m": 1},
    )


def test_defaults_are_not_shared():
    first, second = LogHint("a"), LogHint("b")
    assert first.packing_kwargs == {} and first.packing_kwargs is not second.packing_kwargs


def test_callers_dicts_are_copied():
    kwargs, labels, extra, metrics = {"a": 1}, {"l": "v"}, {"e": 1}, {"m": 1}
    hint = LogHint("x", packing_kwargs=kwargs, labels=labels, extra_data=extra, metrics=metrics)
    for given in (kwargs, labels, extra, metrics):
        given["new"] = "added"
    assert hint == LogHint(
        "x", packing_kwargs={"a": 1}, labels={"l": "v"}, extra_data={"e": 1}, metrics={"m": 1}
    )
    assert hint.packing_kwargs is not kwargs
    hint.packing_kwargs["mine"] = 1
    assert "mine" not in kwargs


def test_parsed_dict_fields_are_copied():
    spec = {"key": "x", "packing_kwargs": {"a": 1}}
    hint = LogHint.parse(spec)
    spec["packing_kwargs"]["a"] = 2
    assert hint.packing_kwargs == {"a": 1}


def test_frozen_and_unhashable():
    hint = LogHint("x")
    with pytest.raises(AttributeError):
        hint.key = "y"
    with pytest.raises(TypeError):
        hash(hint)


def test_replace():
    hint = LogHint("x", packing_kwargs={"a": 1})
    changed = hint.replace(artifact_type="dataset", itemized=True)
    assert changed == LogHint("x", "dataset", itemized=True, packing_kwargs={"a": 1})
    assert hint == LogHint("x", packing_kwargs={"a": 1})
    assert changed.packing_kwargs is not hint.packing_kwargs
    with pytest.raises(LogHintError, match="itemized"):
        hint.replace(itemized=0)
    with pytest.raises(LogHintError, match="'typ'"):
        hint.replace(typ="dataset")


# --- itemized -------------------------------------------------------------------------------------


def test_itemized_true_and_one_are_different():
    assert LogHint("x", itemized=True) != LogHint("x", itemized=1)
    assert LogHint.parse("*x") != LogHint.parse("1*x")
    assert LogHint.parse("*x").itemized is True
    assert type(LogHint.parse("1*x").itemized) is int
    assert LogHint("x", itemized=1) == LogHint("x", itemized=1)
    assert LogHint("x", itemized=True) == LogHint("x", itemized=True)
    assert LogHint("x", itemized=False) == LogHint("x")


@pytest.mark.parametrize(
    ("itemized", "depth", "text"),
    [
        (False, 0, "x"),
        (True, None, "*x"),
        (1, 1, "1*x"),
        (2, 2, "2*x"),
        (10**6, 10**6, "1000000*x"),
    ],
)
def test_depth_and_prefix(itemized, depth, text):
    hint = LogHint("x", itemized=itemized)
    assert hint.depth == depth
    assert str(hint) == text


def test_int_subclasses_are_stored_as_int():
    class Depth(int):
        pass

    hint = LogHint("x", itemized=Depth(3))
    assert type(hint.itemized) is int
    assert hint == LogHint("x", itemized=3)


def test_equality_with_other_types():
    assert LogHint("x") != "x"
    assert LogHint("x") != {"key": "x"}
