"""Column dtypes as JSON, and the value codecs that carry a column through any file format exactly.

A dtype is recorded as a *spec*: ``str(dtype)`` when pandas parses that string back to the same
dtype (``"float64"``, ``"Int64"``, ``"datetime64[ns, Europe/Paris]"``), or a small dict for the
dtypes whose string is ambiguous (string dtypes) or incomplete (categoricals).

Formats that cannot hold a dtype write the column through a codec instead: *text* (``str`` values,
``None`` for missing) for cell formats such as CSV, or *JSON* (numbers stay numbers) for JSON.
Decoding takes the spec, so the column comes back with its exact dtype whatever the file kept.
Arrow-backed formats use :func:`arrow_to_frame`, which converts column by column only where the
default conversion would not give the recorded dtype.

This module imports numpy, pandas and pyarrow: only the packagers' methods import it.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from packagers import PackingError, UnpackingError

__all__ = [
    "arrow_to_frame",
    "categories_of",
    "check_objects",
    "describe",
    "frame_of",
    "from_json",
    "from_text",
    "kind_of",
    "resolve",
    "to_json",
    "to_text",
]

Spec = str | dict[str, Any]

#: Masked (nullable) dtypes: numbers and booleans with ``pd.NA``.
_MASKED = frozenset(
    {
        "Int8",
        "Int16",
        "Int32",
        "Int64",
        "UInt8",
        "UInt16",
        "UInt32",
        "UInt64",
        "Float32",
        "Float64",
        "boolean",
    }
)
_NUMPY_KINDS = {
    "b": "bool",
    "i": "int",
    "u": "int",
    "f": "float",
    "M": "datetime",
    "m": "timedelta",
    "O": "object",
}
_JSON_SCALARS = (str, int, float, bool, type(None))
#: What ``infer_dtype`` says of an object column the text codec carries.
_TEXT_INFERRED = frozenset({"string", "empty"})


# -- specs -----------------------------------------------------------------------------------------


def kind_of(dtype: Any) -> str:
    """The family a dtype belongs to, which decides how each codec carries it."""
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if isinstance(dtype, pd.StringDtype):
        return "string"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "datetime"
    if isinstance(dtype, np.dtype):
        return _NUMPY_KINDS.get(dtype.kind, "other")
    return "masked" if str(dtype) in _MASKED else "other"


def describe(dtype: Any, *, categories: bool = True) -> Spec:
    """The JSON spec of ``dtype``; ``categories=False`` leaves them to a format that holds them."""
    if isinstance(dtype, pd.StringDtype):
        na = "nan" if _is_nan(dtype.na_value) else "NA"
        return {"kind": "string", "storage": dtype.storage, "na": na}
    if isinstance(dtype, pd.CategoricalDtype):
        levels = dtype.categories
        spec: dict[str, Any] = {
            "kind": "category",
            "ordered": bool(dtype.ordered),
            "dtype": describe(levels.dtype),
        }
        if categories:
            spec["categories"] = to_json(pd.Series(levels, copy=False))
        return spec
    text = str(dtype)
    try:
        same = pd.api.types.pandas_dtype(text) == dtype
    except TypeError:
        same = False
    if not same:
        raise PackingError(
            f"the dtype {dtype!r} cannot be recorded, so it would not come back; convert the "
            "column, or pack the object as a pickle (artifact type 'object')"
        )
    return text


def resolve(spec: Spec) -> Any:
    """The dtype a spec describes (categories included when the spec has them)."""
    if isinstance(spec, str):
        return pd.api.types.pandas_dtype(spec)
    if spec["kind"] == "string":
        if spec["na"] == "nan":
            return pd.StringDtype(spec["storage"], na_value=np.nan)
        return pd.StringDtype(spec["storage"])
    return pd.CategoricalDtype(categories_of(spec), ordered=spec["ordered"])


def categories_of(spec: dict[str, Any]) -> pd.Index | None:
    """The recorded categories of a categorical spec, or None when the file holds them."""
    if "categories" not in spec:
        return None
    values = from_json(spec["categories"], spec["dtype"])
    return pd.Index(values, dtype=resolve(spec["dtype"]), copy=False)


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
        data = values.to_numpy(dtype=dtype.numpy_dtype, na_value=_fill(dtype))
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
        return _take(levels, categorical.codes)
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
            .as_unit(_unit(dtype))
            .array
        )
    if kind == "timedelta":
        return _parse_timedeltas(values, _unit(dtype))
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
    unit_ns = _UNIT_NS[_unit(values.dtype)]
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
        data = values.to_numpy(dtype=dtype.numpy_dtype, na_value=_fill(dtype))
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


# -- Arrow -----------------------------------------------------------------------------------------


def arrow_to_frame(table: pa.Table, dtypes: dict[str, Spec]) -> pd.DataFrame:
    """A frame of ``table`` with the recorded dtypes.

    When pyarrow's own conversion gives every recorded dtype, this is one ``to_pandas()`` call,
    exactly what reading the file by hand costs; otherwise columns convert one by one (no copy
    of the ones that already fit).
    """
    table = table.replace_schema_metadata()
    fields = table.schema
    if all(_fits(field.type, dtypes[field.name]) for field in fields):
        return table.to_pandas()
    columns = {
        field.name: (
            table.column(position).to_pandas().array
            if _fits(field.type, dtypes[field.name])
            else _from_arrow(table.column(position), dtypes[field.name])
        )
        for position, field in enumerate(fields)
    }
    return frame_of(columns, table.num_rows)


def frame_of(columns: dict[str, Any], rows: int) -> pd.DataFrame:
    """A frame of decoded columns, as they are: no copy, no consolidation, no dtype inference."""
    index = pd.RangeIndex(rows)
    return pd.DataFrame(
        {
            name: pd.Series(values, index=index, dtype=object, copy=False)
            if getattr(values, "dtype", None) == np.dtype(object)
            else values
            for name, values in columns.items()
        },
        index=index,
        copy=False,
    )


def _fits(arrow_type: pa.DataType, spec: Spec) -> bool:
    """Whether pyarrow's default conversion gives the recorded dtype (a str spec, so cached)."""
    return isinstance(spec, str) and _fits_cached(arrow_type, spec)


@functools.lru_cache(maxsize=1024)
def _fits_cached(arrow_type: pa.DataType, spec: str) -> bool:
    if pa.types.is_dictionary(arrow_type):
        return False
    dtype = resolve(spec)
    if kind_of(dtype) not in ("bool", "int", "float", "datetime", "timedelta"):
        return False
    try:
        return bool(pd.api.types.pandas_dtype(arrow_type.to_pandas_dtype()) == dtype)
    except (NotImplementedError, TypeError):
        return False


def _from_arrow(column: pa.ChunkedArray, spec: Spec) -> Any:
    if isinstance(spec, dict) and spec["kind"] == "category":
        return _categorical_from_arrow(column, spec)
    dtype = resolve(spec)
    kind = kind_of(dtype)
    if kind == "masked":  # formats without unsigned types store wider signed ones
        return dtype.__from_arrow__(column.cast(pa.from_numpy_dtype(dtype.numpy_dtype)))
    if kind == "string":
        return dtype.__from_arrow__(column)
    if kind == "object":  # Python values as they were: ints stay ints beside nulls, lists lists
        return np.fromiter(column.to_pylist(), dtype=object, count=len(column))
    if pa.types.is_integer(column.type) and kind in ("datetime", "timedelta"):  # counts (orc)
        column = column.cast(_arrow_temporal(dtype))
    series = column.to_pandas()
    if kind == "datetime" and isinstance(dtype, pd.DatetimeTZDtype) and series.dtype != dtype:
        series = series.dt.tz_convert(dtype.tz)
    if series.dtype != dtype:
        series = series.astype(dtype)
    return series.array


def check_objects(flat: pd.DataFrame, table: pa.Table) -> None:
    """Refuse object columns Arrow typed as something that gives other values back.

    Arrow stores a tuple or a set as a list, a dict as a struct with every key of the column,
    ints beside floats as floats; reading gives those back, so a ``PackingError`` says so before
    anything is written. Text columns (Arrow strings) always come back; a missing value comes
    back as None, as the README says.
    """
    for position, dtype in enumerate(flat.dtypes):
        column = table.column(position)
        text = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
        if dtype != np.dtype(object) or text:
            continue
        for original, back in zip(flat.iloc[:, position].tolist(), column.to_pylist(), strict=True):
            value = original.item() if isinstance(original, np.generic) else original
            if back is None and (value is None or value is pd.NA or _is_nan(value)):
                continue
            if type(value) is not type(back) or value != back:
                raise PackingError(
                    f"column {flat.columns[position]!r} holds {value!r} "
                    f"({type(value).__name__}), which Arrow stores as {column.type} and gives "
                    f"back as {back!r} ({type(back).__name__}); pack the object as a pickle "
                    "(artifact type 'object')"
                )


def _categorical_from_arrow(column: pa.ChunkedArray, spec: dict[str, Any]) -> pd.Categorical:
    recorded = categories_of(spec)
    dtype = pd.CategoricalDtype(recorded, ordered=spec["ordered"])
    if recorded is not None and column.null_count == len(column):  # maybe not even a value type
        return pd.Categorical.from_codes(np.full(len(column), -1), dtype=dtype)
    if not pa.types.is_dictionary(column.type):  # the format kept the values only
        return _categorical_from_values(column, spec, dtype)
    read = column.to_pandas().array
    if recorded is None:
        return pd.Categorical.from_codes(
            read.codes,
            categories=read.categories.astype(resolve(spec["dtype"])),
            ordered=spec["ordered"],
        )
    codes = _take(recorded.get_indexer(read.categories), read.codes)
    if (codes < 0).sum() != (read.codes < 0).sum():
        raise UnpackingError("values of a categorical column are not among its categories")
    return pd.Categorical.from_codes(codes, dtype=dtype)


def _categorical_from_values(
    column: pa.ChunkedArray, spec: dict[str, Any], dtype: pd.CategoricalDtype
) -> pd.Categorical:
    """Codes from the present values only: integer or boolean categories hold no missing value
    (parquet reads their dictionaries back as plain values, nulls included).
    """
    present = column.is_valid().to_numpy(zero_copy_only=False)
    codes = np.full(len(column), -1, dtype=np.int64)
    values = _from_arrow(column.filter(present), spec["dtype"])
    codes[present] = dtype.categories.get_indexer(values)
    if (codes[present] < 0).any():
        raise UnpackingError("values of a categorical column are not among its categories")
    return pd.Categorical.from_codes(codes, dtype=dtype)


def _arrow_temporal(dtype: Any) -> pa.DataType:
    """The Arrow type whose integer counts a datetime or timedelta column was stored as."""
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pa.timestamp(dtype.unit, tz="UTC")
    return pa.timestamp(_unit(dtype)) if dtype.kind == "M" else pa.duration(_unit(dtype))


# -- helpers ---------------------------------------------------------------------------------------


def _take(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values[codes]`` with -1 (a missing categorical value) giving None (or -1)."""
    missing = codes < 0
    if not len(values):
        return np.full(len(codes), None if values.dtype == object else -1, dtype=values.dtype)
    taken = values[np.where(missing, 0, codes)]
    taken[missing] = None if values.dtype == object else -1
    return taken


def _unit(dtype: Any) -> str:
    """The resolution of a datetime or timedelta dtype: ``"ns"``, ``"s"``..."""
    return dtype.unit if isinstance(dtype, pd.DatetimeTZDtype) else np.datetime_data(dtype)[0]


def _fill(dtype: Any) -> Any:
    return False if dtype.numpy_dtype.kind == "b" else 0


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _not_carried(column: str, what: str) -> PackingError:
    return PackingError(
        f"column {column!r} is {what}, which this format cannot hold; use the 'parquet' format "
        "where Arrow holds its values, or pack the object as a pickle (artifact type 'object')"
    )
