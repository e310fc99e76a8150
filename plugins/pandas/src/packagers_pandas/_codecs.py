"""The value codecs that carry a column through a file format that cannot hold its dtype.

*Text* (``str`` values, ``None`` for missing) for cell formats such as CSV, *JSON* (numbers stay
numbers) for JSON. Decoding takes the column's spec (``_dtypes``), so the column comes back with
its exact dtype whatever the file kept.

This module imports numpy and pandas: only the packagers' methods import it.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from packagers import PackingError, UnpackingError
from packagers_pandas._dtypes import (
    Spec,
    kind_of,
    masked_fill,
    resolve,
    take,
    unit_of,
)

__all__ = ["from_json", "from_text", "to_json", "to_text"]

_JSON_SCALARS = (str, int, float, bool, type(None))
#: What ``infer_dtype`` says of an object column the text codec carries.
_TEXT_INFERRED = frozenset({"string", "empty"})


# -- text codec ------------------------------------------------------------------------------------


def to_text(values: pd.Series, column: str) -> np.ndarray:
    """``values`` as an object array of ``str``, ``None`` where missing (floats: NaN)."""
    text: np.ndarray  # pandas is untyped: what it returns is Any to mypy
    dtype = values.dtype
    kind = kind_of(dtype)
    if kind in ("bool", "int"):
        text = values.to_numpy().astype(str).astype(object)
        return text
    if kind == "float":
        array = values.to_numpy()
        text = array.astype(str).astype(object)
        text[np.isnan(array)] = None
        return text
    if kind == "masked":
        mask = values.isna().to_numpy()
        data = values.to_numpy(dtype=dtype.numpy_dtype, na_value=masked_fill(dtype))
        text = data.astype(str).astype(object)
        text[mask] = None
        return text
    if kind in ("string", "object"):
        text = values.to_numpy(dtype=object, na_value=None)
        if kind == "object" and pd.api.types.infer_dtype(text, skipna=True) not in _TEXT_INFERRED:
            raise _not_carried(column, "an object column of values other than str")
        return text
    if kind == "timedelta":
        return _timedelta_text(values)
    if kind == "datetime":  # ISO 8601, to the nanosecond
        if isinstance(dtype, pd.DatetimeTZDtype):  # the zone is in the spec; local offsets
            values = values.dt.tz_convert("UTC")  # may have seconds, which parsers refuse
        text = values.astype(str).to_numpy(dtype=object)
        text[values.isna().to_numpy()] = None
        return text
    if kind == "category":
        categorical = values.array
        levels = to_text(pd.Series(categorical.categories, copy=False), column)
        return take(levels, categorical.codes)
    raise _not_carried(column, f"dtype {dtype}")  # period, interval, complex, sparse, Arrow


def from_text(raw: np.ndarray, spec: Spec, missing_marker: str | None = None) -> Any:
    """The column ``to_text`` wrote, as an array of the spec's dtype.

    ``raw`` may also hold typed cells (a spreadsheet's numbers and booleans); None, NaN and
    ``missing_marker`` are missing values.
    """
    dtype = resolve(spec)
    kind = kind_of(dtype)
    if raw.dtype == dtype and kind != "object":  # a typed cell format kept it
        return raw
    missing = pd.isna(raw)
    if missing_marker is not None and len(raw):
        missing |= raw == missing_marker
    values = np.array(raw, dtype=object)
    if isinstance(spec, dict) and spec["kind"] == "category":
        return _categorical_from(values, missing, spec)
    values[missing] = None
    if kind in ("bool", "int"):
        if missing.any():
            raise UnpackingError(f"missing values in a column of dtype {dtype}")
        return _parse_numbers(values, dtype)
    if kind == "float":
        values[missing] = np.nan
        return values.astype(dtype)
    if kind == "masked":
        values[missing] = 0
        return dtype.construct_array_type()(_parse_numbers(values, dtype.numpy_dtype), missing)
    if kind == "string":
        return pd.array(values, dtype=dtype)
    if kind == "object":
        return values
    if kind == "datetime":
        tz = getattr(dtype, "tz", None)
        if tz is None:
            # Parsed by numpy in the column's own unit: pandas 2 parses text to nanoseconds
            # first, where dates beyond 2262 (fine in seconds) overflow.
            values[missing] = "NaT"
            return pd.array(values.astype(dtype))
        return (
            pd.to_datetime(values, format="ISO8601", utc=True)
            .tz_convert(tz)
            .as_unit(unit_of(dtype))
            .array
        )
    if kind == "timedelta":
        return _parse_timedeltas(values, unit_of(dtype))
    raise UnpackingError(f"no text codec for dtype {dtype}")


#: Nanoseconds in one unit of a timedelta column, and in a day.
_UNIT_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
_DAY_NS = 86_400 * 10**9
#: pandas' own form of a timedelta: ``-1 days +23:59:59.999000``.
_TIMEDELTA = re.compile(r"(-?\d+) days ([+-]?)(\d+):(\d\d):(\d\d)(?:\.(\d{1,9}))?")


def _timedelta_text(values: pd.Series) -> np.ndarray:
    """pandas' own form, computed from the integer counts: pandas' ``str`` of a timedelta
    beyond nanoseconds' range (about 292 years) in a coarser unit is silently wrong.
    """
    unit_ns = _UNIT_NS[unit_of(values.dtype)]
    counts = values.to_numpy().view(np.int64)
    text = np.empty(len(counts), dtype=object)
    for position, (count, missing) in enumerate(zip(counts, values.isna().to_numpy(), strict=True)):
        if not missing:
            days, rest = divmod(int(count) * unit_ns, _DAY_NS)
            seconds, fraction = divmod(rest, 10**9)
            minutes, second = divmod(seconds, 60)
            hour, minute = divmod(minutes, 60)
            sign = "+" if days < 0 else ""
            clock = f"{hour:02d}:{minute:02d}:{second:02d}" + (
                f".{fraction:09d}" if fraction else ""
            )
            text[position] = f"{days} days {sign}{clock}"
    return text


def _parse_timedeltas(values: np.ndarray, unit: str) -> Any:
    """The timedeltas :func:`_timedelta_text` (or pandas) wrote, exactly in ``unit``:
    ``pd.to_timedelta`` parses into nanoseconds, which cannot hold every value of a coarser unit.
    """
    unit_ns = _UNIT_NS[unit]
    counts = np.full(len(values), np.iinfo(np.int64).min, dtype=np.int64)  # NaT
    for position, value in enumerate(values):
        if value is None:
            continue
        match = _TIMEDELTA.fullmatch(str(value))
        if match is None:  # another of pandas' forms, within nanoseconds' range
            counts[position] = pd.Timedelta(value).as_unit(unit).value
            continue
        days, sign, hours, minutes, seconds, fraction = match.groups()
        clock = (int(hours) * 3600 + int(minutes) * 60 + int(seconds)) * 10**9
        clock += int((fraction or "0").ljust(9, "0"))
        total = int(days) * _DAY_NS + (-clock if sign == "-" else clock)
        counts[position] = total // unit_ns
    return pd.array(counts.view(f"m8[{unit}]"))


def _parse_numbers(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype.kind == "b":  # compared elementwise: the cells may be text or bools
        truth: np.ndarray = (values == "True") | (values == True)  # noqa: E712
        return truth
    return values.astype(dtype)


def _categorical_from(values: np.ndarray, missing: np.ndarray, spec: dict[str, Any]) -> Any:
    dtype = resolve(spec)
    levels = to_text(pd.Series(dtype.categories, copy=False), "categories")
    values[missing] = None
    codes = pd.Index(levels, dtype=object).get_indexer(values)
    if ((codes < 0) & ~missing).any():
        raise UnpackingError("values of a categorical column are not among its categories")
    return pd.Categorical.from_codes(codes, dtype=dtype)


# -- JSON codec ------------------------------------------------------------------------------------


def to_json(values: pd.Series, column: str = "") -> list[Any]:
    """``values`` as JSON values: numbers and booleans as such, the rest through the text codec.

    Non-finite floats are ``null`` (NaN) and ``"Infinity"``/``"-Infinity"``, so the JSON stays
    standard.
    """
    dtype = values.dtype
    kind = kind_of(dtype)
    if kind in ("bool", "int"):
        return values.to_numpy().tolist()  # type: ignore[no-any-return]
    if kind == "float":
        return _float_json(values.to_numpy())
    if kind == "masked":
        data = values.to_numpy(dtype=dtype.numpy_dtype, na_value=masked_fill(dtype))
        items = _float_json(data) if data.dtype.kind == "f" else data.tolist()
        for position in np.flatnonzero(values.isna().to_numpy()):
            items[position] = None
        return items
    if kind == "object":
        items = values.to_numpy(dtype=object, na_value=None).tolist()
        items = [item.item() if isinstance(item, np.generic) else item for item in items]
        if not all(isinstance(item, _JSON_SCALARS) for item in items):
            raise _not_carried(
                column, "an object column of values other than str, int, float, bool"
            )
        return items
    return to_text(values, column).tolist()  # type: ignore[no-any-return]


def _float_json(array: np.ndarray) -> list[Any]:
    if np.isfinite(array).all():
        return array.tolist()  # type: ignore[no-any-return]
    items = array.astype(object)
    items[np.isnan(array)] = None
    items[array == np.inf] = "Infinity"
    items[array == -np.inf] = "-Infinity"
    return items.tolist()  # type: ignore[no-any-return]


def from_json(items: list[Any], spec: Spec) -> Any:
    """The column ``to_json`` wrote, as an array of the spec's dtype."""
    values = np.fromiter(items, dtype=object, count=len(items))
    dtype = resolve(spec)
    kind = kind_of(dtype)
    if kind in ("bool", "int"):
        return values.astype(dtype)
    if kind == "float":
        values[pd.isna(values)] = np.nan
        return values.astype(dtype)
    if kind == "masked":
        missing = pd.isna(values)
        values[missing] = 0
        data = values.astype(dtype.numpy_dtype)
        return dtype.construct_array_type()(data, missing)
    if kind == "object":
        return values
    return from_text(values, spec)


def _not_carried(column: str, what: str) -> PackingError:
    return PackingError(
        f"column {column!r} is {what}, which this format cannot hold; use the 'parquet' format "
        "where Arrow holds its values, or pack the object as a pickle (artifact type 'object')"
    )
