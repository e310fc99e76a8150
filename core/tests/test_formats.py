"""The format registry every plugin family declares its formats in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from packagers import CollectionError, PackingError, UnpackingError
from packagers.formats import (
    Format,
    FormatRegistry,
    MissingLibraryError,
    UnknownFormatError,
    is_pickle,
    require,
)


@dataclass(frozen=True, kw_only=True)
class Sheet(Format):
    """A family's own row: the registry hands it back with its extra fields."""

    engine: str = "builtin"


SHEETS = FormatRegistry(
    "sheet",
    (
        Sheet(name="csv", suffixes=(".csv", ".csv.gz")),
        Sheet(name="gz", suffixes=(".gz",)),
        Sheet(
            name="xlsx",
            suffixes=(".xlsx",),
            aliases=("excel",),
            library="no_such_module_for_packagers",
            install="pip install 'packagers-sheets[xlsx]'",
            engine="openpyxl",
        ),
    ),
)


def test_a_format_is_found_by_name_or_alias_in_any_case() -> None:
    assert SHEETS.get("CSV").name == "csv"
    assert SHEETS.get("Excel", available=False).engine == "openpyxl"
    assert SHEETS.names() == ("csv", "gz", "xlsx")
    assert list(SHEETS) == ["csv", "gz", "xlsx"]
    assert SHEETS["gz"].suffix == ".gz"


def test_an_unknown_format_lists_the_known_ones_and_is_both_error_kinds() -> None:
    with pytest.raises(UnknownFormatError, match=r"'data': unknown format 'ods'.*csv, gz, xlsx"):
        SHEETS.get("ods", key="data")
    with pytest.raises(PackingError):
        SHEETS.get(3)
    with pytest.raises(UnpackingError):
        SHEETS.get(None)


def test_the_missing_library_is_named_with_what_to_install() -> None:
    with pytest.raises(MissingLibraryError, match=r"needs no_such.*packagers-sheets\[xlsx\]"):
        SHEETS.get("xlsx")
    with pytest.raises(UnknownFormatError, match=r"xlsx \(needs no_such_module_for_packagers\)"):
        SHEETS.get("ods")
    require(SHEETS["csv"])  # no library: nothing to install


def test_a_suffix_finds_the_format_with_the_longest_match() -> None:
    assert SHEETS.for_suffix(".CSV.GZ").name == "csv"
    assert SHEETS.for_suffix(".txt.gz").name == "gz"
    with pytest.raises(UnknownFormatError, match=r"'\.json'; readable suffixes: \.csv, \.csv\.gz"):
        SHEETS.for_suffix(".json")
    with pytest.raises(UnknownFormatError, match="the file name has no suffix to tell its format"):
        SHEETS.for_suffix("")


def test_a_name_declared_twice_is_refused() -> None:
    with pytest.raises(CollectionError, match="'csv' is declared twice"):
        FormatRegistry("sheet", (Format(name="csv", suffixes=(".csv",)),) * 2)


def test_pickle_suffixes_are_known_in_one_place() -> None:
    assert is_pickle(".pkl")
    assert is_pickle(".data.PICKLE")
    assert is_pickle(".cloudpickle")
    assert not is_pickle(".pkl.json")
