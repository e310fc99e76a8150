"""The layout: how a frame becomes flat columns for a file, and the instructions to rebuild it.

Every format stores a *flat* frame: the index levels first (unless the index is a ``RangeIndex``,
which is recorded, not written), then the columns, all under unique string field names. The
*layout* (JSON, part of the unpacking instructions) holds what the flat frame loses: the index
and column labels with their names and dtypes, every field's dtype, and the row count.

Flattening works on a shallow copy, so the caller's frame is never touched, and for the common
frame (a default index, unique string labels) the flat frame is the frame itself.

This module imports pandas: only the packagers' methods import it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from packagers import PackingError, UnpackingError
from packagers_pandas._codecs import from_json, to_json
from packagers_pandas._dtypes import describe, resolve

__all__ = ["flatten", "rebuild", "select_fields"]

Layout = dict[str, Any]

#: Labels a column level records as plain JSON values.
_JSON_LABELS = (str, int, float, bool, type(None))


def flatten(
    obj: pd.DataFrame | pd.Series, holds_categories: Callable[[pd.CategoricalDtype], bool]
) -> tuple[pd.DataFrame, Layout]:
    """The flat frame to write and its layout (a Series is a frame of one column and a name).

    ``holds_categories`` tells whether the format keeps a categorical dtype's categories itself;
    where it does not, they are recorded in the layout. A file of no rows keeps none (no
    dictionary is written without a batch), so then they are always recorded.
    """
    frame = obj.to_frame() if isinstance(obj, pd.Series) else obj
    data_fields = _field_names([str(label) for label in frame.columns], taken=set())
    index = frame.index
    layout: Layout = {"rows": len(frame), "columns": _axis_labels(frame.columns)}
    if isinstance(obj, pd.Series):
        layout["series"] = {"name": _label(obj.name)}
    if isinstance(index, pd.RangeIndex):
        layout["index"] = _range(index)
        index_fields: list[str] = []
    else:
        names = [
            name if isinstance(name, str) and name not in data_fields else f"__index_level_{i}__"
            for i, name in enumerate(index.names)
        ]
        index_fields = _field_names(names, taken=set(data_fields))
        layout["index"] = {"fields": index_fields, "names": [_label(n) for n in index.names]}
        levels = _level_values(index)
        freqs = [getattr(level, "freqstr", None) for level in levels]
        if any(freqs):  # a level of a MultiIndex has one too
            layout["index"]["freqs"] = freqs
    flat = frame
    if list(frame.columns) != data_fields:
        flat = frame.set_axis(pd.Index(data_fields, dtype=object), axis=1)
    if index_fields:
        rows = pd.RangeIndex(len(frame))
        flat = pd.concat(
            [
                pd.DataFrame(dict(zip(index_fields, levels, strict=True)), index=rows),
                flat.set_axis(rows),
            ],
            axis=1,
        )
    fields = index_fields + data_fields
    if not len(frame):
        holds_categories = _holds_none
    layout["fields"] = data_fields
    layout["dtypes"] = {
        field: _describe(dtype, holds_categories)
        for field, dtype in zip(fields, flat.dtypes, strict=True)
    }
    return flat, layout


def select_fields(layout: Layout, wanted: tuple[Hashable, ...] | None) -> list[int]:
    """Positions of the data fields holding the ``wanted`` column labels (all when None)."""
    fields = layout["fields"]
    if wanted is None:
        return list(range(len(fields)))
    columns = _build_axis(layout["columns"])
    positions: list[int] = []
    for label in wanted:
        try:
            found = columns.get_loc(label)
        except (KeyError, TypeError):
            shown = ", ".join(map(repr, columns[:20])) + (", ..." if len(columns) > 20 else "")
            raise UnpackingError(
                f"Columns({', '.join(map(repr, wanted))}): there is no column {label!r}; "
                f"the columns are: {shown}"
            ) from None
        if isinstance(found, int):
            positions.append(found)
        else:
            positions.extend(pd.RangeIndex(len(columns))[found])
    return positions


def rebuild(
    data: pd.DataFrame, index_frame: pd.DataFrame, layout: Layout, positions: list[int]
) -> pd.DataFrame | pd.Series:
    """The original object (only the ``positions`` columns of a frame) from the decoded fields.

    ``data`` is a new frame of ours, so it is relabelled in place rather than copied.
    """
    index = _build_index(layout, index_frame)
    axis = _build_axis(layout["columns"])
    # Every column in order keeps the axis as it is: pandas 2 turns a taken RangeIndex into an
    # Index of integers.
    columns = axis if positions == list(range(len(axis))) else axis.take(positions)
    if data.shape[1] == 0:
        return pd.DataFrame(index=index, columns=columns)
    data.columns = columns
    data.index = index
    if "series" in layout:
        series = data.iloc[:, 0]
        series.name = _unlabel(layout["series"]["name"])
        return series
    return data


# -- index and columns -----------------------------------------------------------------------------


def _build_index(layout: Layout, index_frame: pd.DataFrame) -> pd.Index:
    spec = layout["index"]
    if "range" in spec:
        return _build_axis(spec)
    names = [_unlabel(name) for name in spec["names"]]
    levels = [
        pd.Index(index_frame[field], dtype=resolve(layout["dtypes"][field]), copy=False)
        for field in spec["fields"]
    ]
    for position, freq in enumerate(spec.get("freqs", [])):
        if freq is not None:
            levels[position] = type(levels[position])(levels[position], freq=freq)
    if len(levels) == 1:
        return levels[0].rename(names[0])
    return pd.MultiIndex.from_arrays(levels, names=names)


def _axis_labels(axis: pd.Index) -> dict[str, Any]:
    """An axis whose labels go into the layout itself (the columns)."""
    if isinstance(axis, pd.RangeIndex):
        return _range(axis)
    return {
        "names": [_label(name) for name in axis.names],
        "levels": [_axis_level(level) for level in _level_values(axis)],
    }


def _axis_level(level: pd.Index) -> dict[str, Any]:
    """One level of column labels; labels JSON has no value for (tuples) are tagged one by one."""
    spec: dict[str, Any] = {"dtype": describe(level.dtype)}
    if level.dtype == object and not all(isinstance(label, _JSON_LABELS) for label in level):
        spec["labels"] = [_label(label) for label in level]
    else:
        spec["values"] = to_json(pd.Series(level, copy=False))
    return spec


def _level_values(axis: pd.Index) -> list[pd.Index]:
    """The values of each level, by position: ``get_level_values(1)`` means the level *named* 1
    when there is one, so the levels are renamed to their positions first (no data is copied).
    """
    by_position = axis.set_names(list(range(axis.nlevels)))
    return [by_position.get_level_values(i) for i in range(axis.nlevels)]


def _build_axis(spec: dict[str, Any]) -> pd.Index:
    if "range" in spec:
        start, stop, step = spec["range"]
        return pd.RangeIndex(start, stop, step, name=_unlabel(spec["name"]))
    names = [_unlabel(name) for name in spec["names"]]
    levels = [_build_level(level) for level in spec["levels"]]
    if len(levels) == 1:
        return levels[0].rename(names[0])
    return pd.MultiIndex.from_arrays(levels, names=names)


def _build_level(level: dict[str, Any]) -> pd.Index:
    if "labels" in level:  # tuples among the labels: an Index would make them a MultiIndex
        labels = [_unlabel(label) for label in level["labels"]]
        return pd.Index(np.fromiter(labels, dtype=object, count=len(labels)), tupleize_cols=False)
    return pd.Index(from_json(level["values"], level["dtype"]), dtype=resolve(level["dtype"]))


def _range(index: pd.RangeIndex) -> dict[str, Any]:
    return {"range": [index.start, index.stop, index.step], "name": _label(index.name)}


def _describe(dtype: Any, holds_categories: Callable[[pd.CategoricalDtype], bool]) -> Any:
    if isinstance(dtype, pd.CategoricalDtype):
        return describe(dtype, categories=not holds_categories(dtype))
    return describe(dtype)


def _holds_none(dtype: pd.CategoricalDtype) -> bool:
    return False


def _field_names(names: list[str], taken: set[str]) -> list[str]:
    """``names`` made unique (``a``, ``a.1``), also against ``taken``."""
    unique: list[str] = []
    for name in names:
        candidate, number = name, 0
        while candidate in taken:
            number += 1
            candidate = f"{name}.{number}"
        taken.add(candidate)
        unique.append(candidate)
    return unique


# -- labels (axis and series names) ----------------------------------------------------------------


def _label(name: Any) -> Any:
    """A name as JSON: scalars as they are, tuples tagged, non-finite floats tagged."""
    if hasattr(name, "item") and not isinstance(name, (str, bytes)):
        name = name.item()
    if isinstance(name, tuple):
        return {"tuple": [_label(part) for part in name]}
    if isinstance(name, float) and not math.isfinite(name):
        return {"float": repr(name)}
    if isinstance(name, (str, int, float, bool)) or name is None:
        return name
    raise PackingError(
        f"the label {name!r} ({type(name).__name__}) cannot be recorded; names and column labels "
        "must be str, int, float, bool, None or tuples of them (rename it, or pack the object "
        "as 'object', a pickle)"
    )


def _unlabel(value: Any) -> Any:
    if isinstance(value, dict):
        if "tuple" in value:
            return tuple(_unlabel(part) for part in value["tuple"])
        return float(value["float"])
    return value
