"""The table preview of a DataFrame or Series: shape, dtypes, first rows and column statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packagers.previews import MAX_COLUMNS, MAX_ROWS, SAMPLE_SIZE, clip, json_scalar

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["table_preview"]


def table_preview(obj: pd.DataFrame | pd.Series[Any]) -> dict[str, Any]:
    """A ``table`` preview; a Series is the frame of its one column (named ``0`` when unnamed).

    Rows and columns beyond the bounds are left out (``truncated``); statistics cover every row
    of the columns shown, or an even sample of :data:`SAMPLE_SIZE` rows of a longer table
    (``sampled`` says how many).
    """
    import pandas as pd

    frame = obj.to_frame() if isinstance(obj, pd.Series) else obj
    shown = frame.iloc[:MAX_ROWS, :MAX_COLUMNS]
    rows = frame.shape[0]
    step = -(-rows // SAMPLE_SIZE)
    # One contiguous copy of the sampled rows: a strided view is copied again per column read.
    counted = frame.iloc[:, : len(shown.columns)].take(range(0, rows, step)) if step > 1 else frame
    columns = [clip(str(name)) for name in shown.columns]
    return {
        "kind": "table",
        "shape": list(frame.shape),
        "columns": columns,
        "dtypes": {name: str(dtype) for name, dtype in zip(columns, shown.dtypes, strict=True)},
        "rows": [
            [_scalar(value) for value in row] for row in shown.itertuples(index=False, name=None)
        ],
        "index": [clip(str(label)) for label in shown.index],
        "stats": {name: _stats(counted.iloc[:, position]) for position, name in enumerate(columns)},
        "truncated": rows > MAX_ROWS or frame.shape[1] > MAX_COLUMNS,
        "sampled": len(counted) if step > 1 else None,
    }


def _stats(series: pd.Series[Any]) -> dict[str, Any]:
    """Count, mean, std, min and max of a numeric column; count, unique and top of others."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    count = int(series.count())
    if is_numeric_dtype(series.dtype) and not is_bool_dtype(series.dtype):
        if not count:
            return {"count": 0, "mean": None, "std": None, "min": None, "max": None}
        import numpy as np

        with np.errstate(all="ignore"):  # inf - inf in a deviation is NaN, shown as null
            return {
                "count": count,
                "mean": _scalar(series.mean()),
                "std": _scalar(series.std()),
                "min": _scalar(series.min()),
                "max": _scalar(series.max()),
            }
    try:
        counts = series.value_counts(dropna=True)
    except TypeError:  # pandas < 3 cannot count unhashable cells (lists, dicts)
        return {"count": count, "unique": None, "top": None}
    top = _scalar(counts.index[0]) if len(counts) else None
    return {"count": count, "unique": len(counts), "top": top}


def _scalar(value: Any) -> Any:
    """A cell or statistic as JSON: numpy numbers as Python ones, missing values as null."""
    import numpy as np
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        value = value.item()
    return json_scalar(value)
