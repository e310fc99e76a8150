"""A value logged as a result comes back as what it was, for the next step's type hint.

Results are JSON values in the store (a tuple is an array, an ndarray a nested list); the
packager that packed one rebuilds it, unless the hint already holds the JSON value.
"""

from __future__ import annotations

import pathlib
from typing import Any

import numpy as np
import pytest

import packagers
from packagers.runner import run


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ((1, "a"), tuple),
        ({1, 2}, set),
        (frozenset({3}), frozenset),
        (pathlib.Path("data/x.csv"), pathlib.Path),
        (np.arange(6).reshape(2, 3), np.ndarray),
        (np.float32(0.5), np.float32),
        (np.int16(7), np.int16),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, type) else "",
)
def test_a_result_loads_as_the_type_it_was_logged_from(tmp_path, value: Any, hint: type) -> None:
    store = str(tmp_path / "store")
    logged = packagers.log(value, "value : result", store=store)
    assert not isinstance(logged, packagers.ArtifactRef)  # it really is a result
    for asked in (hint, None):
        restored = packagers.load("store://value", asked, store=store)
        assert type(restored) is type(value)
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(restored, value)
        else:
            assert restored == value


def test_a_hint_that_holds_the_json_value_gets_it_as_is(tmp_path) -> None:
    store = str(tmp_path / "store")
    packagers.log(np.arange(3), "array", store=store)
    packagers.log((1, 2), "pair", store=store)
    assert packagers.load("store://array", list, store=store) == [0, 1, 2]
    assert packagers.load("store://pair", list, store=store) == [1, 2]


def test_a_small_array_from_one_step_is_an_array_in_the_next(tmp_path) -> None:
    store = str(tmp_path / "store")

    def scale(factor: float) -> np.ndarray:
        return np.arange(3) * factor

    def total(values: np.ndarray, shape: tuple) -> float:
        assert isinstance(values, np.ndarray) and isinstance(shape, tuple)
        return float(values.sum())

    first = run(scale, params={"factor": 2.0}, returns=["values"], store=store)
    assert first.state == "completed" and first.results["values"] == [0.0, 2.0, 4.0]
    packagers.log((3,), "shape", store=store)
    second = run(
        total,
        inputs={"values": "store://values", "shape": "store://shape"},
        returns=["total"],
        store=store,
    )
    assert second.state == "completed", second.error
    assert second.results == {"total": 6.0}
