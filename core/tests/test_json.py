from __future__ import annotations

import math

from packagers._json import json_error, json_safe, survives_json


def test_json_error_names_what_json_refuses() -> None:
    assert json_error({"a": [1, 2.5, None, "x"]}) is None
    assert isinstance(json_error({"a": object()}), TypeError)


def test_json_safe_keeps_json_values_and_shortens_the_repr_of_others() -> None:
    assert json_safe([1, "a"]) == [1, "a"]
    assert json_safe({1, 2}) == "{1, 2}"
    assert json_safe(set(range(500))).endswith("…")
    assert len(json_safe(set(range(500)))) == 200


def test_survives_json_wants_the_same_value_back() -> None:
    assert survives_json({"a": [1, 2]})
    assert not survives_json((1, 2))  # comes back a list
    assert not survives_json({1: "a"})  # comes back with a string key
    assert not survives_json(object())
    assert not survives_json(math.nan)  # nan != nan
