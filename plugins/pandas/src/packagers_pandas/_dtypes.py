"""Column dtypes as JSON *specs*, and the steps the value codecs share.

A dtype is recorded as a spec: ``str(dtype)`` when pandas parses that string back to the same
dtype (``"float64"``, ``"Int64"``, ``"datetime64[ns, Europe/Paris]"``), or a small dict for the
dtypes whose string is ambiguous (string dtypes) or incomplete (categoricals). Decoding takes
the spec, so a column comes back with its exact dtype whatever the file kept: through the text
or JSON codec (``_codecs``) for formats that cannot hold the dtype, or through Arrow
(``_arrow_columns``).

This module imports numpy and pandas: only the packagers' methods import it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from packagers import PackingError

__all__ = [
    "Spec",
    "categories_of",
    "describe",
    "is_nan",
    "kind_of",
    "masked_fill",
    "resolve",
    "take",
    "unit_of",
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


# -- specs ----------------------------------------------------------------------------------------


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
        na = "nan" if is_nan(dtype.na_value) else "NA"
        return {"kind": "string", "storage": dtype.storage, "na": na}
    if isinstance(dtype, pd.CategoricalDtype):
        levels = dtype.categories
        spec: dict[str, Any] = {
            "kind": "category",
            "ordered": bool(dtype.ordered),
            "dtype": describe(levels.dtype),
        }
        if categories:
            from packagers_pandas._codecs import to_json

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
    from packagers_pandas._codecs import from_json

    values = from_json(spec["categories"], spec["dtype"])
    return pd.Index(values, dtype=resolve(spec["dtype"]), copy=False)


# -- shared by the codecs -------------------------------------------------------------------------


def take(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values[codes]`` with -1 (a missing categorical value) giving None (or -1)."""
    missing = codes < 0
    if not len(values):
        return np.full(len(codes), None if values.dtype == object else -1, dtype=values.dtype)
    taken = values[np.where(missing, 0, codes)]
    taken[missing] = None if values.dtype == object else -1
    return taken


def unit_of(dtype: Any) -> str:
    """The resolution of a datetime or timedelta dtype: ``"ns"``, ``"s"``..."""
    return dtype.unit if isinstance(dtype, pd.DatetimeTZDtype) else np.datetime_data(dtype)[0]


def masked_fill(dtype: Any) -> Any:
    """A value of a masked dtype's numpy type to stand where a value is missing."""
    return False if dtype.numpy_dtype.kind == "b" else 0


def is_nan(value: Any) -> bool:
    """Whether ``value`` is a float NaN (the missing value of float and some string dtypes)."""
    return isinstance(value, float) and math.isnan(value)
