"""Array previews: statistics that skip NaN, first values, histograms, and collections of arrays."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from packagers import PackagersManager
from packagers.previews import MAX_BINS, MAX_ROWS


def preview_of(manager: PackagersManager, obj: Any, hint: str = "data : file") -> dict[str, Any]:
    preview = manager.pack(obj, hint).preview
    assert preview is not None and preview["schema"] == 1
    json.dumps(preview, allow_nan=False)
    return preview


def test_an_array_preview_summarises_the_values(manager: PackagersManager) -> None:
    array = np.arange(1000, dtype=np.float32).reshape(10, 100)
    preview = preview_of(manager, array)
    assert preview["kind"] == "array"
    assert preview["shape"] == [10, 100] and preview["dtype"] == "float32"
    assert (preview["min"], preview["max"], preview["mean"]) == (0.0, 999.0, 499.5)
    assert preview["nan_count"] == 0
    assert preview["first"] == list(range(MAX_ROWS))
    histogram = preview["histogram"]
    assert len(histogram["counts"]) == MAX_BINS and sum(histogram["counts"]) == 1000
    assert histogram["edges"][0] == 0.0 and histogram["edges"][-1] == 999.0


def test_nan_is_counted_apart_and_infinities_are_text(manager: PackagersManager) -> None:
    preview = preview_of(manager, np.array([1.0, np.nan, np.inf, 3.0]))
    assert preview["nan_count"] == 1
    assert (preview["min"], preview["max"]) == (1.0, "Infinity")
    assert preview["first"] == [1.0, None, "Infinity", 3.0]
    assert sum(preview["histogram"]["counts"]) == 2  # the finite values


def test_small_integer_ranges_get_one_bin_per_value(manager: PackagersManager) -> None:
    preview = preview_of(manager, np.array([0, 1, 1, 3] * 50))
    assert preview["histogram"] == {"edges": [0.0, 1.0, 2.0, 3.0, 4.0], "counts": [50, 100, 0, 50]}


@pytest.mark.parametrize(
    ("array", "first"),
    [
        (np.array([np.nan, np.nan]), [None, None]),
        (np.array(["a", "b"]), ["a", "b"]),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), ["2020-01-01"]),
        (np.array([1 + 2j]), ["(1+2j)"]),
        (np.zeros((0, 3)), []),
    ],
    ids=["all-nan", "str", "datetime", "complex", "empty"],
)
def test_values_without_an_order_have_no_statistics(
    manager: PackagersManager, array: np.ndarray[Any, Any], first: list[Any]
) -> None:
    preview = preview_of(manager, array)
    assert preview["first"] == first
    assert preview["min"] is preview["max"] is preview["mean"] is preview["histogram"] is None


def test_a_long_double_array_is_plain_json(manager: PackagersManager) -> None:
    preview = preview_of(manager, np.ones(200, dtype=np.longdouble))
    assert preview["min"] == 1.0 and type(preview["first"][0]) is float


def test_a_collection_of_arrays_lists_their_shapes(manager: PackagersManager) -> None:
    arrays = {"x": np.ones((2, 3)), "y": np.zeros(4, dtype=np.int8)}
    preview = preview_of(manager, arrays)
    assert preview["kind"] == "json" and preview["length"] == 2
    assert json.loads(preview["text"]) == {
        "x": {"shape": [2, 3], "dtype": "float64"},
        "y": {"shape": [4], "dtype": "int8"},
    }


def test_a_large_arrays_statistics_are_of_an_even_sample(manager: PackagersManager) -> None:
    """A preview costs far less than the pack: at most SAMPLE_SIZE values are summarised."""
    from packagers.previews import SAMPLE_SIZE

    array = np.arange(10 * SAMPLE_SIZE, dtype=np.float64).reshape(10, SAMPLE_SIZE)
    preview = preview_of(manager, array)
    assert preview["sampled"] == SAMPLE_SIZE  # every tenth value, in order
    assert preview["shape"] == [10, SAMPLE_SIZE]  # the array's, not the sample's
    assert preview["min"] == 0.0 and preview["first"] == list(range(MAX_ROWS))
    assert preview["max"] > 0.95 * array.size  # the sample reaches the end of the array
    assert sum(preview["histogram"]["counts"]) == SAMPLE_SIZE
    assert preview["histogram"]["counts"].count(0) == 0  # and covers it all, bin by bin
    assert preview_of(manager, np.arange(10.0))["sampled"] is None


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_the_histogram_counts_as_numpy_does(manager: PackagersManager, dtype: Any) -> None:
    """Counted without ``np.histogram`` (twice the cost of the rest of the preview)."""
    values = (np.random.default_rng(7).normal(size=5000) * 1000).astype(dtype)
    histogram = preview_of(manager, values)["histogram"]
    low, high = float(values.min()), float(values.max())
    counts, edges = np.histogram(values, bins=MAX_BINS, range=(low, high))
    assert histogram["counts"] == counts.tolist()
    assert histogram["edges"] == edges.astype(np.float64).tolist()


@pytest.mark.parametrize(
    "array",
    [np.array([-1e308, 1e308]), np.array([2**62, 2**62 + 5], dtype=np.int64)],
    ids=["float-range-overflows", "integers-float64-cannot-part"],
)
def test_no_histogram_when_float64_edges_cannot_part_the_values(
    manager: PackagersManager, array: np.ndarray[Any, Any]
) -> None:
    preview = preview_of(manager, array)
    assert preview["histogram"] is None and preview["min"] is not None


@pytest.mark.parametrize(
    ("array", "bounded"),
    [
        (np.arange(10.0), True),
        (np.arange(12).reshape(3, 4), True),
        (np.array(["2026-01-01"], dtype="datetime64[D]"), True),
        (np.arange(12.0).reshape(3, 4)[:, ::2], False),  # scattered: the sample would copy it all
        (np.array([{"a": 1}, None], dtype=object), False),  # an object's str is arbitrary code
        (np.array(["x" * 10]), False),  # a string's length is up to its packer
    ],
    ids=["floats", "ints", "times", "strided", "objects", "strings"],
)
def test_only_previews_of_numbers_in_one_block_are_made_on_the_packing_thread(
    array: np.ndarray[Any, Any], bounded: bool
) -> None:
    from packagers_numpy import NDArrayPackager

    assert NDArrayPackager().preview_is_bounded(array) is bounded
