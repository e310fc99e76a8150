"""Array previews: shape, dtype, summary statistics, the first values and a histogram."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from packagers.previews import MAX_BINS, MAX_ROWS, SAMPLE_SIZE, json_preview, json_scalar

if TYPE_CHECKING:
    import numpy as np

__all__ = ["array_preview", "arrays_preview"]

#: dtype kinds with a minimum, a maximum and a mean (booleans: the share of True).
_ORDERED = "biuf"
#: dtype kinds with a histogram.
_BINNED = "iuf"


def array_preview(array: np.ndarray[Any, Any]) -> dict[str, Any]:
    """An ``array`` preview; statistics ignore NaN (counted apart) and are null where undefined.

    Statistics, NaN count and histogram are of an even sample of :data:`SAMPLE_SIZE` values for
    a larger array (``sampled`` says how many), the leading values for a memory map (reading a
    sample spread over its file would read most of the file).
    """
    import numpy as np

    first = _first(array)
    shape = list(array.shape)  # the array's, not the sample's
    sampled = None
    if array.size > SAMPLE_SIZE:
        flat = array.reshape(-1) if array.flags.c_contiguous else array.ravel()
        step = -(-array.size // SAMPLE_SIZE)
        sample = flat[:SAMPLE_SIZE] if isinstance(array, np.memmap) else flat[::step]
        # gathered once: the statistics then read a small contiguous array, not strided memory
        array = np.ascontiguousarray(sample)
        sampled = int(array.size)
    kind = array.dtype.kind
    nan_count = int(np.count_nonzero(np.isnan(array))) if kind in "fc" else 0
    defined = kind in _ORDERED and array.size > nan_count
    low = high = mean = None
    histogram = None
    if defined:
        nan_safe = kind == "f" and nan_count > 0
        with np.errstate(all="ignore"):  # inf - inf in a mean is NaN, shown as null
            if nan_safe:
                low, high, mean = np.nanmin(array), np.nanmax(array), np.nanmean(array)
            else:  # the methods: numpy's functions add a Python layer each on top of them
                low, high, mean = array.min(), array.max(), array.mean()
            if kind in _BINNED:
                histogram = _histogram(array, low, high, nan_count)
    return {
        "kind": "array",
        "shape": shape,
        "dtype": str(array.dtype),
        "min": _scalar(low),
        "max": _scalar(high),
        "mean": _scalar(mean),
        "nan_count": nan_count,
        "first": first,
        "histogram": histogram,
        "sampled": sampled,
    }


def arrays_preview(arrays: list[Any] | dict[str, Any]) -> dict[str, Any]:
    """A ``json`` preview of a collection of arrays: each one's shape and dtype, in order."""
    named = arrays.items() if isinstance(arrays, dict) else enumerate(arrays)
    summary = {name: {"shape": list(a.shape), "dtype": str(a.dtype)} for name, a in named}
    return json_preview(summary if isinstance(arrays, dict) else list(summary.values()))


def _first(array: np.ndarray[Any, Any]) -> list[Any]:
    """The first values in C order; times as text (``tolist`` would give bare integers)."""
    head = array.flat[:MAX_ROWS]
    if array.dtype.kind in "mM":
        return [str(value) for value in head]
    return [_scalar(value) for value in head.tolist()]  # one conversion, not one per value


def _histogram(
    array: np.ndarray[Any, Any], low: Any, high: Any, nan_count: int
) -> dict[str, Any] | None:
    """Up to :data:`MAX_BINS` bins over the finite values; one per integer when they fit.

    Counted with one ``bincount`` rather than ``np.histogram``, whose checks and edge corrections
    cost more than the rest of the preview together (so a value within a rounding error of an
    edge may land in the next bin, which a preview does not show). None when no bins fit: no
    finite value, or values too far apart for float64 edges.
    """
    import numpy as np

    array = array.reshape(-1)  # at most SAMPLE_SIZE values: a copy when not contiguous is small
    if nan_count or not (np.isfinite(low) and np.isfinite(high)):
        array = array[np.isfinite(array)]
        if not array.size:
            return None
        low, high = array.min(), array.max()
    if low == high:
        return {"edges": [float(low), float(high)], "counts": [int(array.size)]}
    bins, bottom, top = MAX_BINS, float(low), float(high)
    per_integer = array.dtype.kind in "iu" and int(high) - int(low) < MAX_BINS
    if per_integer:
        bins, top = int(high) - int(low) + 1, top + 1
    # in the array's float width, as np.histogram makes them
    edges = np.linspace(bottom, top, bins + 1, dtype=np.result_type(bottom, top, array))
    width = top - bottom
    if not (math.isfinite(width) and bool(np.all(edges[1:] > edges[:-1]))):
        return None
    if per_integer:
        index = (array - low).astype(np.intp)  # exact
    else:  # positions in float64 at least; bins / width alone may overflow
        position = np.subtract(array, bottom, dtype=np.result_type(array, np.float64))
        position /= width  # in place: the same operations in the same order, no temporaries
        position *= bins
        index = position.astype(np.intp)
        np.minimum(index, bins - 1, out=index)  # the maximum closes the last bin
    counts = np.bincount(index, minlength=bins)
    return {"edges": edges.astype(np.float64).tolist(), "counts": counts.tolist()}


def _scalar(value: Any) -> Any:
    """A numpy value as JSON; every float width (long double too) as a Python float."""
    import numpy as np

    if isinstance(value, np.floating):
        return json_scalar(float(value))
    return json_scalar(value.item() if isinstance(value, np.generic) else value)
