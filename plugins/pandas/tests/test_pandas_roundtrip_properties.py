"""Property-based round trips: random frames, Series and Arrow tables through every format.

The README promises that every format brings a frame back exactly, or refuses it when packing
(with the format to use instead) for what its table marks ✗. Each example is held to exactly
that: an exact round trip, or a ``PackingError`` that the README allows for that frame and
format. Examples are deterministic and few by default; ``PACKAGERS_HYPOTHESIS=fuzz`` runs many
more (see the repository's conftest.py).
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from packagers import LogHint, PackagersManager, PackingError
from packagers.testing import round_trip
from packagers_pandas import ArrowTablePackager, DataFramePackager, SeriesPackager

AssertExact = Any  # the ``exact`` fixture of conftest.py

MAX_ROWS = 6

#: Text the cell formats must hold or refuse: control characters (✗ in xlsx, xml, h5), quotes,
#: separators, line breaks, the missing markers themselves, non-ASCII.
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("ab,;\"'\n\r\t\\N\x00\x1f =#é€😀"), st.characters(codec="utf-8")
    ),
    max_size=6,
)
#: Labels of columns and index levels: what the README says a label may be.
LABELS = st.one_of(
    st.text(max_size=4),
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=32),
    st.booleans(),
    st.none(),
    st.tuples(st.text(max_size=2), st.integers(0, 2)),
)
NAMES = st.one_of(st.none(), st.text(max_size=3), st.integers(0, 3))


def _numbers(dtype: str) -> Callable[[int], st.SearchStrategy[Any]]:
    return lambda rows: hnp.arrays(np.dtype(dtype), rows)


def _masked(dtype: str, values: st.SearchStrategy[Any]) -> Callable[[int], st.SearchStrategy[Any]]:
    return lambda rows: st.lists(st.none() | values, min_size=rows, max_size=rows).map(
        lambda items: pd.array(items, dtype=dtype)
    )


def _text(dtype: str | None) -> Callable[[int], st.SearchStrategy[Any]]:
    def strategy(rows: int) -> st.SearchStrategy[Any]:
        items = st.lists(st.none() | TEXT, min_size=rows, max_size=rows)
        return items.map(lambda values: pd.array(values, dtype=dtype or object))

    return strategy


def _categorical(rows: int) -> st.SearchStrategy[Any]:
    categories = st.lists(st.text(max_size=3), unique=True, max_size=4)
    return st.tuples(categories, st.booleans()).flatmap(
        lambda spec: st.lists(
            st.none() | (st.sampled_from(spec[0]) if spec[0] else st.none()),
            min_size=rows,
            max_size=rows,
        ).map(lambda values: pd.Categorical(values, categories=spec[0], ordered=spec[1]))
    )


def _times(dtype: str) -> Callable[[int], st.SearchStrategy[Any]]:
    """datetime64/timedelta64 columns in any of pandas' units, NaT included; tz-aware too."""
    kind, unit, tz = dtype.split(":")
    per_second = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
    # years 1 to 9999, which pandas can show; nanoseconds span less than that
    low = max(-62135596800 * per_second, -(2**63) + 1)
    high = min(253402300799 * per_second, 2**63 - 1)

    def strategy(rows: int) -> st.SearchStrategy[Any]:
        counts = st.lists(st.none() | st.integers(low, high), min_size=rows, max_size=rows)

        def build(values: list[int | None]) -> Any:
            raw = np.array(
                [np.iinfo(np.int64).min if value is None else value for value in values],
                dtype=np.int64,
            ).view(f"{kind}8[{unit}]")
            if kind == "m":
                return pd.array(raw)
            series = pd.Series(raw)
            return series.dt.tz_localize("UTC").dt.tz_convert(tz).array if tz else series.array

        return counts.map(build)

    return strategy


def _mixed_objects(rows: int) -> st.SearchStrategy[Any]:
    values = st.one_of(
        st.none(),
        st.integers(-5, 5),
        st.text(max_size=3),
        st.booleans(),
        st.floats(-2, 2, allow_nan=False),
        st.tuples(st.integers(0, 3)),
        st.dictionaries(st.sampled_from("ab"), st.integers(0, 3), max_size=2),
    )
    return st.lists(values, min_size=rows, max_size=rows).map(_object_array)


def _object_array(items: list[Any]) -> np.ndarray[Any, Any]:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def _periods(rows: int) -> st.SearchStrategy[Any]:
    return st.lists(st.none() | st.integers(-1000, 1000), min_size=rows, max_size=rows).map(
        lambda items: pd.array(
            [pd.NaT if item is None else pd.Period(ordinal=item, freq="D") for item in items],
            dtype="period[D]",
        )
    )


#: Column kinds -> a strategy of a column of that many rows.
COLUMNS: dict[str, Callable[[int], st.SearchStrategy[Any]]] = {
    "float64": _numbers("float64"),
    "float32": _numbers("float32"),
    "int8": _numbers("int8"),
    "int64": _numbers("int64"),
    "uint16": _numbers("uint16"),
    "uint64": _numbers("uint64"),
    "bool": _numbers("bool"),
    "Int64": _masked("Int64", st.integers(-(2**63), 2**63 - 1)),
    "UInt8": _masked("UInt8", st.integers(0, 255)),
    "Float64": _masked("Float64", st.floats()),
    "boolean": _masked("boolean", st.booleans()),
    "str": _text("str"),
    "string[python]": _text("string[python]"),
    "string[pyarrow]": _text("string[pyarrow]"),
    "object-text": _text(None),
    "category": _categorical,
    "datetime-ns": _times("M:ns:"),
    "datetime-s": _times("M:s:"),
    "datetime-tz": _times("M:us:Europe/Paris"),
    "timedelta-ns": _times("m:ns:"),
    "timedelta-ms": _times("m:ms:"),
    "object-mixed": _mixed_objects,
    "period": _periods,
}

ARROW_FORMATS = ("parquet", "feather", "orc")
#: Formats whose text cannot hold control characters (README: ✗, footnote 9 for h5).
NO_CONTROL = ("xlsx", "h5", "xml")


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    """A frame of random columns, labels and index (a RangeIndex, one level or several)."""
    rows = draw(st.integers(0, MAX_ROWS))
    kinds = draw(st.lists(st.sampled_from(list(COLUMNS)), max_size=4))
    data = {position: draw(COLUMNS[kind](rows)) for position, kind in enumerate(kinds)}
    frame = pd.DataFrame(data, index=pd.RangeIndex(rows))
    if draw(st.booleans()):  # labels of mixed types, duplicates and tuples included
        labels = draw(st.lists(LABELS, min_size=len(kinds), max_size=len(kinds)))
        frame.columns = pd.Index(labels, dtype=object, tupleize_cols=False)
    else:
        frame.columns = [f"c{position}" for position in range(len(kinds))]
    levels = draw(st.integers(0, 2))
    if levels:
        index_kinds = draw(
            st.lists(
                st.sampled_from(["int64", "float64", "str", "datetime-ns", "Int64"]),
                min_size=levels,
                max_size=levels,
            )
        )
        arrays = [draw(COLUMNS[kind](rows)) for kind in index_kinds]
        names = draw(st.lists(NAMES, min_size=levels, max_size=levels))
        frame.index = (
            pd.Index(arrays[0], name=names[0])
            if levels == 1
            else pd.MultiIndex.from_arrays(arrays, names=names)
        )
    return frame


def refusals(frame: pd.DataFrame, fmt: str) -> list[str]:
    """Why the README lets ``fmt`` refuse ``frame`` (empty: it must come back exactly)."""
    index = frame.index
    columns = [frame.iloc[:, position] for position in range(frame.shape[1])]
    by_position = index.set_names(list(range(index.nlevels)))  # levels named 1 or 0 exist
    columns += [pd.Series(by_position.get_level_values(level)) for level in range(index.nlevels)]
    reasons = [reason for column in columns for reason in _column_refusals(column, fmt)]
    labels = [*frame.columns, *frame.columns.names, *index.names]
    if fmt in NO_CONTROL and any(_has_control(label) for label in labels):
        reasons.append("control characters in a label")
    return reasons


def _column_refusals(column: pd.Series, fmt: str) -> list[str]:
    dtype = column.dtype
    reasons = []
    if isinstance(dtype, pd.PeriodDtype) and fmt not in ("parquet", "feather"):
        reasons.append("period")
    if str(dtype) == "uint64" and fmt == "orc":
        reasons.append("uint64 in orc")
    text = isinstance(dtype, pd.StringDtype) or str(dtype) == "object"
    inferred = pd.api.types.infer_dtype(column, skipna=True)
    if str(dtype) == "object" and inferred not in ("string", "empty"):
        containers = any(isinstance(value, (tuple, dict)) for value in column)
        if fmt not in ("json", *ARROW_FORMATS) or (fmt == "json" and containers):
            reasons.append("object values other than text (JSON scalars)")
        elif fmt in ARROW_FORMATS and (inferred.startswith("mixed") or containers):
            reasons.append("values Arrow would give back changed")
    if fmt in NO_CONTROL and text and any(_has_control(value) for value in column.dropna()):
        reasons.append("control characters")
    categories = dtype.categories if isinstance(dtype, pd.CategoricalDtype) else []
    if fmt in NO_CONTROL and any(_has_control(value) for value in categories):
        reasons.append("control characters in categories")
    return reasons


def _has_control(value: Any) -> bool:
    if isinstance(value, tuple):
        return any(_has_control(part) for part in value)
    return isinstance(value, str) and any(
        unicodedata.category(char) in ("Cc", "Cs", "Cn", "Co") for char in value
    )


def round_trips_or_is_refused(
    manager: PackagersManager, obj: Any, fmt: str, exact: AssertExact, reasons: list[str]
) -> None:
    before = obj.copy(deep=True)
    hint = LogHint("data", "dataset", packing_kwargs={"format": fmt})
    try:
        restored, _ = round_trip(manager, obj, hint, type(obj))
    except PackingError as error:
        assert reasons, f"refused, though the README says {fmt} holds it: {error}"
        return
    exact(restored, before)
    exact(obj, before)  # the caller's object is untouched


@pytest.fixture
def manager() -> Any:
    with PackagersManager([DataFramePackager, SeriesPackager, ArrowTablePackager]) as packagers:
        yield packagers


@given(frame=frames())
def test_frames_round_trip_exactly_or_are_refused_as_documented(
    manager: PackagersManager, exact: AssertExact, frame_format: str, frame: pd.DataFrame
) -> None:
    reasons = refusals(frame, frame_format)
    round_trips_or_is_refused(manager, frame, frame_format, exact, reasons)


@given(frame=frames().filter(lambda frame: frame.shape[1] >= 1), name=LABELS)
def test_series_round_trip_exactly_or_are_refused_as_documented(
    manager: PackagersManager, exact: AssertExact, frame_format: str, frame: pd.DataFrame, name: Any
) -> None:
    fmt = frame_format
    series = frame.iloc[:, 0].rename(name)
    reasons = refusals(series.to_frame(), fmt)
    if fmt in NO_CONTROL and _has_control(name):
        reasons.append("control characters in the name")
    round_trips_or_is_refused(manager, series, fmt, exact, reasons)


@given(frame=frames())
@pytest.mark.parametrize("fmt", ["parquet", "feather"])
def test_arrow_tables_come_back_equal_with_their_metadata(
    manager: PackagersManager, fmt: str, frame: pd.DataFrame
) -> None:
    try:
        with warnings.catch_warnings():  # pandas metadata of non-str index names: not ours
            warnings.simplefilter("ignore", UserWarning)
            table = pa.Table.from_pandas(frame.set_axis([str(c) for c in frame.columns], axis=1))
    except (pa.ArrowException, ValueError):
        return  # a column Arrow cannot type is not a table
    hint = LogHint("table", "dataset", packing_kwargs={"format": fmt})
    null_dictionary = any(
        pa.types.is_dictionary(field.type) and pa.types.is_null(field.type.value_type)
        for field in table.schema
    )
    if fmt == "parquet" and (null_dictionary or (table.num_rows and not table.num_columns)):
        with pytest.raises(PackingError, match="use format='feather'"):  # README: refused
            manager.pack(table, hint)
        return
    try:
        restored, _ = round_trip(manager, table, hint, pa.Table)
    except PackingError as error:  # README: a type the format's Arrow writer declines
        assert isinstance(error.__cause__, pa.ArrowNotImplementedError), error
        return
    assert restored.equals(table, check_metadata=True)
