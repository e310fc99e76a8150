"""DataFramePackager with awkward values: object columns, control characters, misread text."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from packagers import PackagersManager, PackingError

from .frame_samples import AssertExact, pack, packed, unpacked


@pytest.mark.parametrize("fmt", ["parquet", "feather", "orc", "json"])
def test_object_columns_of_other_values_where_the_format_types_them(
    fmt: str, exact: AssertExact
) -> None:
    frame = pd.DataFrame({"ints": pd.Series([1, None, 2**62], dtype=object)})
    if fmt == "json":
        frame["mixed"] = pd.Series(["a", 1, True], dtype=object)
    else:
        frame["bytes"] = pd.Series([b"\x00\xff", None, b""], dtype=object)
        frame["lists"] = pd.Series([[1, 2], None, []], dtype=object)
    restored, _ = pack(frame, fmt)
    exact(restored, frame)
    assert restored["ints"].tolist() == [1, None, 2**62]
    if fmt != "json":
        assert restored["lists"].tolist() == [[1, 2], None, []]


@pytest.mark.parametrize("fmt", ["parquet", "feather", "orc", "csv", "json"])
def test_control_characters_in_text(fmt: str, exact: AssertExact) -> None:
    frame = pd.DataFrame({"s": ["a\x01\r\n\x00b", "\t", "\\N", "", None]})
    if fmt == "csv" and sys.version_info < (3, 11):  # its csv module cannot write NUL
        with pytest.raises(PackingError, match="cannot be written as csv"):
            pack(frame, fmt)
        return
    exact(pack(frame, fmt)[0], frame)


def test_text_that_readers_take_for_something_else(
    frame_format: str, manager: PackagersManager, exact: AssertExact
) -> None:
    """Readers take ``nan`` or ``None`` for missing; spreadsheets ``=...`` for a formula (which
    would run) and ``#N/A`` for an error: all of it stays text.
    """
    texts = ["nan", "None", "NULL", "N/A", "=1+1", "=", "#N/A", "#DIV/0!", "007", "TRUE"]
    frame = pd.DataFrame({"s": pd.Series(texts, dtype="str"), "=A1": range(len(texts))})
    package = packed(manager, frame, frame_format)
    exact(unpacked(manager, package), frame)
    if frame_format == "xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(package.artifact.src_path).active
        assert {cell.data_type for row in sheet.iter_rows() for cell in row} == {"s", "n"}


def test_csv_keeps_lone_carriage_returns(exact: AssertExact) -> None:
    """In text, labels and the index alike: unquoted, a lone CR would end the row."""
    frame = pd.DataFrame(
        {"a\r": pd.Series(["x\ry", "\r", "\n\r", None], dtype="str")},
        index=pd.Index(["\r", "b", "c", "d"], name="i\r"),
    )
    restored, _ = pack(frame, "csv")
    exact(restored, frame)
