"""One expansion budget for every archive reader: the two limits, the floor and one message."""

from __future__ import annotations

import zipfile

import pytest

from packagers import UnpackingError, config
from packagers.plugin_api import ExpansionBudget

WHAT = "to read the archive 'a.zip'"


def test_the_size_limit_counts_every_member() -> None:
    with config.override(archive__max_size=1000):
        budget = ExpansionBudget(10**6, WHAT)
    budget.spend("a", 600)
    budget.spend("b", 400)  # exactly the limit is allowed
    with pytest.raises(UnpackingError) as raised:
        budget.spend("c", 1)
    assert str(raised.value) == (
        "refusing to read the archive 'a.zip' at its member 'c': the archive expands to more "
        "than 1000 bytes, the most one archive may. For an archive you trust, raise the setting "
        "archive.max_size (packagers.config.archive.max_size = ..., or the variable "
        "MLRUN_PACKAGERS__ARCHIVE__MAX_SIZE)"
    )


def test_the_ratio_applies_only_past_the_floor() -> None:
    budget = ExpansionBudget(1000, WHAT)  # 200 * 1000 bytes is far below the floor
    budget.spend("zeros", ExpansionBudget.RATIO_FLOOR)
    with pytest.raises(
        UnpackingError,
        match=r"'zeros': the 1000-byte archive expands to at least 67108865 bytes, more than "
        r"200 times its size.*setting archive\.max_ratio .*MLRUN_PACKAGERS__ARCHIVE__MAX_RATIO",
    ):
        budget.spend("zeros", 1)


def test_past_the_floor_the_ratio_is_the_limit() -> None:
    size = ExpansionBudget.RATIO_FLOOR  # 200 times it is the bound
    budget = ExpansionBudget(size, WHAT)
    budget.spend("a", 200 * size)
    with pytest.raises(UnpackingError, match="archive.max_ratio"):
        budget.spend("b", 1)
    with config.override(archive__max_ratio=201):
        ExpansionBudget(size, WHAT).spend("a", 200 * size + 1)


def test_the_settings_are_read_when_the_budget_is_made() -> None:
    with config.override(archive__max_size=10):
        budget = ExpansionBudget(100, WHAT)
    budget.spend("a", 10)
    with pytest.raises(UnpackingError, match="more than 10 bytes"):
        budget.spend("a", 1)


@pytest.mark.parametrize(
    ("method", "name"), [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "lzma"), (9, "method 9")]
)
def test_zip_members_inflated_without_a_bound_are_refused(method: int, name: str) -> None:
    info = zipfile.ZipInfo("data.bin")
    info.compress_type = method
    with pytest.raises(UnpackingError, match=rf"'data\.bin': it is compressed with {name},"):
        ExpansionBudget(100, WHAT).check_zip_member(info)


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_stored_and_deflated_zip_members_are_read(method: int) -> None:
    info = zipfile.ZipInfo("data.bin")
    info.compress_type = method
    ExpansionBudget(100, WHAT).check_zip_member(info)


def test_a_recorded_size_lifts_the_ratio_up_to_itself() -> None:
    """An archive its packer measured: past the floor and 200 times its size, yet read."""
    declared = 2 * ExpansionBudget.RATIO_FLOOR
    budget = ExpansionBudget(1000, WHAT, declared=declared)
    budget.spend("zeros", declared)  # exactly the recorded size is allowed
    with pytest.raises(UnpackingError) as raised:
        budget.spend("zeros", 1)
    assert str(raised.value) == (
        "refusing to read the archive 'a.zip' at its member 'zeros': the archive expands past "
        f"the {declared} bytes its manifest records: damaged or forged"
    )


def test_without_a_recorded_size_the_ratio_applies_as_before() -> None:
    budget = ExpansionBudget(1000, WHAT, declared=None)
    with pytest.raises(UnpackingError, match="archive.max_ratio"):
        budget.spend("zeros", ExpansionBudget.RATIO_FLOOR + 1)


def test_the_size_limit_holds_whatever_size_is_recorded() -> None:
    with (
        config.override(archive__max_size=1000),
        pytest.raises(
            UnpackingError,
            match=r"^refusing to read the archive 'a\.zip': its manifest records that it expands "
            r"to 1001 bytes, more than 1000, the most one archive may\. .*archive\.max_size",
        ),
    ):
        ExpansionBudget(10, WHAT, declared=1001)
    with config.override(archive__max_size=1000):
        budget = ExpansionBudget(10, WHAT, declared=1000)
    budget.spend("a", 1000)


@pytest.mark.parametrize("declared", ["1000", -1, 1.5, True, [1]])
def test_a_recorded_size_that_is_no_byte_count_is_refused(declared: object) -> None:
    """The size comes from a manifest, which anyone who can write the store can forge."""
    with pytest.raises(UnpackingError, match="which is not a number of bytes; .* forged"):
        ExpansionBudget(10, WHAT, declared=declared)  # type: ignore[arg-type]
