"""2-D arrays as parquet datasets, written with pyarrow straight from the columns.

A dataset is a table other tools can read, so each array column becomes a parquet column
(named ``"0"``, ``"1"``, ...); the dtype and shape go into the instructions and restore the
array exactly. pyarrow is optional: without it the ``dataset`` type says what to install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packagers import PackagersError, PackingError, UnpackingError

if TYPE_CHECKING:
    from types import ModuleType

    import numpy as np
    import pyarrow as pa

    from packagers import DataItem

__all__ = ["holds_dataset", "load_parquet", "save_parquet"]

#: dtype kinds parquet columns hold: bool, ints, floats, datetimes, timedeltas, str, bytes.
_KINDS = "biufmMUS"

#: Time units Arrow columns have; other datetime64/timedelta64 units are written in seconds.
_ARROW_UNITS = {"M": ("D", "s", "ms", "us", "ns"), "m": ("s", "ms", "us", "ns")}


def holds_dataset(array: np.ndarray[Any, Any]) -> bool:
    """Whether ``array`` fits a parquet table exactly: 2-D, and a dtype parquet has."""
    dtype = array.dtype  # structured dtypes are kind V
    return (
        array.ndim == 2
        and dtype.kind in _KINDS
        and not (dtype.kind == "f" and dtype.itemsize > 8)  # no parquet type for float128
    )


def save_parquet(array: np.ndarray[Any, Any], path: str, key: str) -> dict[str, Any]:
    """Write the columns of a 2-D array (checked by :func:`holds_dataset`); the instructions."""
    pa, pq = _pyarrow(PackingError, key)
    table = pa.table({str(index): _column(pa, array[:, index]) for index in range(array.shape[1])})
    pq.write_table(table, path)
    return {"dtype": array.dtype.str, "shape": list(array.shape)}


def load_parquet(
    data_item: DataItem, dtype: str | None = None, shape: list[int] | None = None
) -> np.ndarray[Any, Any]:
    """The array a parquet file holds: as recorded, or the columns side by side for plain files."""
    import numpy as np

    _, pq = _pyarrow(UnpackingError, data_item.key)
    table = pq.read_table(data_item.local())
    if dtype is None or shape is None:
        return np.column_stack([column.to_numpy() for column in table.columns])
    array = np.empty(shape, dtype=dtype)
    for index, column in enumerate(table.columns):
        array[:, index] = column.to_numpy()  # datetimes written in seconds cast back exactly
    return array


def _column(pa: ModuleType, column: np.ndarray[Any, Any]) -> pa.Array:
    """An Arrow column holding exactly the values of ``column``."""
    kind = column.dtype.kind
    if kind in "US":  # from fixed-width numpy strings Arrow stops at the first NUL character
        return pa.array(column.astype(object))
    if kind in _ARROW_UNITS:
        import numpy as np

        unit, count = np.datetime_data(column.dtype)
        if count != 1 or unit not in _ARROW_UNITS[kind]:
            column = column.astype(f"{kind}8[s]")
    return pa.array(column)


def _pyarrow(error: type[PackagersError], key: str) -> tuple[ModuleType, ModuleType]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as missing:
        raise error(
            f"{key!r}: 2-D arrays are datasets in parquet, which needs pyarrow ({missing}); "
            "pip install pyarrow (or pip install packagers-pandas, which brings it)"
        ) from missing
    return pa, pq
