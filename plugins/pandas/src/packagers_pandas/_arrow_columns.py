"""Arrow tables to frames with the recorded dtypes, and the check that Arrow gives back what it
was given: the Arrow formats (parquet, feather, orc) read and write through these.

:func:`arrow_to_frame` converts column by column only where pyarrow's default conversion would
not give the recorded dtype.

This module imports numpy, pandas and pyarrow: only the packagers' methods import it.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from packagers import PackingError, UnpackingError
from packagers_pandas._dtypes import Spec, categories_of, is_nan, kind_of, resolve, take, unit_of
from packagers_pandas._frame_format import frame_of

__all__ = ["arrow_to_frame", "check_objects"]


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
            if back is None and (value is None or value is pd.NA or is_nan(value)):
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
    codes = take(recorded.get_indexer(read.categories), read.codes)
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
    return pa.timestamp(unit_of(dtype)) if dtype.kind == "M" else pa.duration(unit_of(dtype))
