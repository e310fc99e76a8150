"""DataFramePackager refusals: what a format cannot hold, unknown names, missing modules."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest

from packagers import PackagersManager, PackingError, UnpackingError
from packagers_pandas import DataFramePackager

from .frame_samples import OPTIONAL, pack, packed, unpacked

#: (format, frame) pairs a format cannot hold: refused at pack time, naming what to use instead.
REFUSED = [
    ("parquet", pd.DataFrame({"o": pd.Series([1, "a"], dtype=object)}), "'object'"),
    ("csv", pd.DataFrame({"o": pd.Series([1, "a"], dtype=object)}), "'parquet'"),
    ("csv", pd.DataFrame({"p": pd.period_range("2020", periods=2)}), "dtype period.*'parquet'"),
    ("json", pd.DataFrame({"i": pd.interval_range(0, 2)}), "dtype interval.*'parquet'"),
    ("orc", pd.DataFrame({"u": np.array([2**64 - 1], dtype="uint64")}), "uint64.*'parquet'"),
    ("orc", pd.DataFrame({"p": pd.period_range("2020", periods=2)}), "'parquet'"),
    ("xlsx", pd.DataFrame({"s": ["a\x01b"]}), "'parquet'"),
    ("xlsx", pd.DataFrame({"s": ["x" * 32768]}), "longer than 32767 characters.*'parquet'"),
    ("xml", pd.DataFrame({"s": ["a\x01b"]}), "'parquet'"),
    ("h5", pd.DataFrame({"s": ["ab\x00"]}), "NUL.*'parquet'"),
    ("parquet", pd.DataFrame({"c": [1 + 2j]}), "'object'"),
]


@pytest.mark.parametrize(
    ("fmt", "frame", "message"), REFUSED, ids=[f"{row[0]}-{i}" for i, row in enumerate(REFUSED)]
)
def test_what_a_format_cannot_hold_is_refused(fmt: str, frame: pd.DataFrame, message: str) -> None:
    if fmt in OPTIONAL:
        pytest.importorskip(OPTIONAL[fmt])
    with pytest.raises(PackingError, match=message):
        pack(frame, fmt)


def test_unknown_format_lists_the_formats() -> None:
    with pytest.raises(
        PackingError, match=r"unknown format 'parq'; the formats are: parquet, feather, orc, csv"
    ):
        pack(pd.DataFrame({"a": [1]}), "parq")


def test_format_aliases_and_case() -> None:
    assert pack(pd.DataFrame({"a": [1]}), "PQ")[1].manifest["format"] == "parquet"


def test_unknown_packing_kwarg_lists_the_accepted_ones() -> None:
    with (
        PackagersManager([DataFramePackager]) as manager,
        pytest.raises(
            PackingError,
            match=r"unknown packing kwarg\(s\) 'compression'.*accepts format='parquet'",
        ),
    ):
        manager.pack(pd.DataFrame({"a": [1]}), 'frame : dataset[compression="zstd"]')


@pytest.mark.parametrize(("fmt", "module"), sorted(OPTIONAL.items()))
def test_missing_optional_dependency_says_what_to_install(
    fmt: str, module: str, manager: PackagersManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pd.DataFrame({"a": [1]})
    package = packed(manager, frame, fmt) if importlib.util.find_spec(module) else None
    monkeypatch.setitem(sys.modules, module, None)  # importing it now raises ImportError
    with pytest.raises(PackingError, match=rf"format '{fmt}' needs {module}.*pip install {module}"):
        packed(manager, frame, fmt)
    if package is not None:  # an artifact packed where it was installed
        with pytest.raises(UnpackingError, match=rf"pip install {module}"):
            unpacked(manager, package)


def test_a_pyarrow_without_orc_says_to_reinstall_pyarrow(
    manager: PackagersManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pd.DataFrame({"a": [1]})
    package = packed(manager, frame, "orc")
    monkeypatch.setitem(sys.modules, "pyarrow.orc", None)  # as on a build without ORC
    with pytest.raises(PackingError, match=r"needs pyarrow.orc.*--force-reinstall pyarrow"):
        packed(manager, frame, "orc")
    with pytest.raises(UnpackingError, match=r"--force-reinstall pyarrow"):
        unpacked(manager, package)


def test_unpacking_an_unknown_format_lists_the_formats(manager: PackagersManager) -> None:
    package = packed(manager, pd.DataFrame({"a": [1]}))
    with pytest.raises(UnpackingError, match="unknown format 'nope'; the formats are: parquet"):
        unpacked(manager, package, format="nope")


def test_unrecordable_names_are_refused() -> None:
    frame = pd.DataFrame({"a": [1]}, index=pd.Index([1], name=object()))
    with pytest.raises(PackingError, match=r"'frame' as parquet: the label <object"):
        pack(frame)


def test_an_unrecordable_label_among_others_is_named_with_a_way_out(frame_format: str) -> None:
    frame = pd.DataFrame(
        [[1, 2]], columns=pd.Index(["a", pd.Timestamp("2020-01-02")], dtype=object)
    )
    with pytest.raises(
        PackingError, match=r"the label Timestamp\('2020-01-02.*as 'object', a pickle"
    ):
        pack(frame, frame_format)


def test_xlsx_without_lxml_refuses_carriage_returns_instead_of_losing_them(monkeypatch):
    pytest.importorskip("openpyxl")
    import openpyxl.xml
    import pandas as pd

    from packagers import PackagersManager, PackingError
    from packagers_pandas import DataFramePackager

    monkeypatch.setattr(openpyxl.xml, "LXML", False)
    frame = pd.DataFrame({"note": ["one line", "two\r\nlines"]})
    with (
        PackagersManager([DataFramePackager]) as manager,
        pytest.raises(PackingError, match=r"'note'.*carriage returns.*pip install lxml"),
    ):
        manager.pack(frame, 'notes : dataset[format="xlsx"]')


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ([(1, 2), (3,)], r"\(1, 2\) \(tuple\).*\[1, 2\] \(list\)"),
        ([{1}, {2}], r"\{1\} \(set\)"),
        ([1, 2.5], r"1 \(int\).*1.0 \(float\)"),
        ([{"a": 1}, {"b": 2}], r"\{'a': 1\} \(dict\).*'b': None"),
    ],
    ids=["tuples", "sets", "ints-and-floats", "dicts-of-other-keys"],
)
@pytest.mark.parametrize("fmt", ["parquet", "feather", "orc"])
def test_object_values_arrow_would_change_are_refused(
    values: list[Any], shown: str, fmt: str
) -> None:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    with pytest.raises(PackingError, match=f"column 'a' holds {shown}.*pickle"):
        pack(pd.DataFrame({"a": column}), fmt)
