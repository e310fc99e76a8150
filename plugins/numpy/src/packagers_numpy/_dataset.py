"""2-D arrays as parquet datasets, written with pyarrow straight from the columns.

A dataset is a table other tools can read, so each array column becomes a parquet column
(named ``"0"``, ``"1"``, ...); the dtype and shape go into the instructions and restore the
array exactly. pyarrow is optional: without it the ``dataset`` type says what to install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packagers import PackingError
from packagers.formats import Format, require

if TYPE_CHECKING:
    from types import ModuleType

    import numpy as np
    import pyarrow as pa

    from packagers import DataItem

__all__ = ["PARQUET", "holds_dataset", "load_parquet", "save_parquet"]

#: The format of an array packed as a ``dataset``; pyarrow is optional here.
PARQUET = Format(
    name="parquet",
    suffixes=(".parquet",),
    library="pyarrow.parquet",
    install="pip install pyarrow (or pip install packagers-pandas, which brings it)",
)

#: dtype kinds parquet columns hold: bool, ints, floats, datetimes, timedeltas, str, bytes.
_KINDS = "biufmMUS"

#: Time units parquet columns keep, coarsest first (parquet has no timestamps in seconds: Arrow
#: would write them in milliseconds); other datetime64/timedelta64 units are converted to one.
_ARROW_UNITS = {"M": ("D", "ms", "us", "ns"), "m": ("s", "ms", "us", "ns")}

#: numpy's time units, coarsest first.
_NUMPY_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")

#: Arrow's ``date32`` holds days as 32-bit integers; numpy's ``M8[D]`` holds them in 64 bits.
_DATE32_RANGE = (-(2**31), 2**31 - 1)


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
    pa, pq = _pyarrow(key)
    table = pa.table(
        {str(index): _column(pa, array[:, index], key) for index in range(array.shape[1])}
    )
    pq.write_table(table, path)
    return {"dtype": array.dtype.str, "shape": list(array.shape)}


def load_parquet(
    data_item: DataItem, dtype: str | None = None, shape: list[int] | None = None
) -> np.ndarray[Any, Any]:
    """The array a parquet file holds: as recorded, or the columns side by side for plain files."""
    import numpy as np

    _, pq = _pyarrow(data_item.key)
    table = pq.read_table(data_item.local())
    if dtype is None or shape is None:
        return np.column_stack([column.to_numpy() for column in table.columns])
    array = np.empty(shape, dtype=dtype)
    for index, column in enumerate(table.columns):
        array[:, index] = column.to_numpy()  # times in another unit cast back exactly
    return array


def _column(pa: ModuleType, column: np.ndarray[Any, Any], key: str) -> pa.Array:
    """An Arrow column holding exactly the values of ``column``."""
    if not column.dtype.isnative:  # Arrow reads native byte order only
        column = column.astype(column.dtype.newbyteorder("="))
    kind = column.dtype.kind
    if kind in "US":  # from fixed-width numpy strings Arrow stops at the first NUL character
        try:
            return pa.array(column.astype(object))
        except UnicodeEncodeError as error:
            text = error.object[error.start : error.end]
            raise PackingError(
                f"{key!r}: parquet text is UTF-8, which cannot hold {text!r} (a lone surrogate); "
                "pack the array as a file (npy keeps it)"
            ) from error
    if kind in _ARROW_UNITS:
        column = _arrow_time(column, key)
    return pa.array(column)


def _arrow_time(column: np.ndarray[Any, Any], key: str) -> np.ndarray[Any, Any]:
    """``column`` in a time unit parquet keeps, or a ``PackingError`` when none holds it exactly."""
    import numpy as np

    kind = column.dtype.kind
    unit, _ = np.datetime_data(column.dtype)
    target = _nearest_unit(kind, unit)
    converted = _exactly_in(column, target, key)
    if target == "D":  # Arrow's date32 would wrap days beyond 32 bits silently
        days = converted[~np.isnat(converted)].view(np.int64)
        low, high = _DATE32_RANGE
        if len(days) and (days.min() < low or days.max() > high):
            converted = _exactly_in(column, _nearest_unit(kind, "h"), key)
    return converted


def _exactly_in(column: np.ndarray[Any, Any], unit: str, key: str) -> np.ndarray[Any, Any]:
    """``column`` converted to ``unit``, checked: numpy before 2.5 converts without checking
    overflow or lost precision, so the conversion is undone and compared bit for bit; newer
    numpy raises ``OverflowError`` instead, which means the same.
    """
    import numpy as np

    try:
        converted = column.astype(f"{column.dtype.kind}8[{unit}]")
        exact = converted.dtype == column.dtype or np.array_equal(
            converted.astype(column.dtype).view(np.int64), column.view(np.int64)
        )
    except OverflowError:
        exact = False
    if not exact:
        raise PackingError(
            f"{key!r}: a {column.dtype} column holds values that the nearest unit parquet "
            f"keeps, {unit}, cannot hold exactly (too large, or finer than it); a dataset "
            "would change them: pack the array as a file (npy keeps every unit)"
        )
    return column if converted.dtype == column.dtype else converted


def _nearest_unit(kind: str, unit: str) -> str:
    """``unit`` if parquet keeps it, else the coarsest finer one it keeps (or nanoseconds)."""
    units = _ARROW_UNITS[kind]
    if unit in units:
        return unit
    rank = _NUMPY_UNITS.index(unit)
    finer = [candidate for candidate in units if _NUMPY_UNITS.index(candidate) > rank]
    return finer[0] if finer else units[-1]


def _pyarrow(key: str) -> tuple[ModuleType, ModuleType]:
    """pyarrow and its parquet module, or the registry's ``MissingLibraryError`` (a
    ``PackingError`` and an ``UnpackingError``) saying what to install."""
    require(PARQUET, key)
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pa, pq
