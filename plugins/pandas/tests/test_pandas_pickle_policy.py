"""Every reader that would unpickle obeys ``pickle.policy``: HDF5 is the one pandas format that
does (PyTables pickles attributes and the fixed layout's object columns)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from packagers import DataItem, PackagersManager, PackagersWarning, UnpackingError, config
from packagers_pandas import DataFramePackager

tables = pytest.importorskip("tables")

#: Calls made by the pickles below: none may happen under ``deny``.
CALLS: list[str] = []


def _record(name: str) -> str:
    CALLS.append(name)
    return name


class Payload:
    """Unpickling this calls ``_record``: any code would run the same way."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_record, ("payload ran",))


@pytest.fixture(autouse=True)
def _no_calls() -> None:
    CALLS.clear()


def _fixed_layout(path: Path) -> Path:
    """What ``to_hdf`` writes by default: text columns are pickled numpy object arrays."""
    pd.DataFrame({"n": [1, 2], "s": ["a", "b"]}).to_hdf(path, key="data", format="fixed")
    return path


def _with_pickled_attribute(path: Path) -> Path:
    """A table-layout file (no pickled columns) with a payload planted in a node attribute."""
    pd.DataFrame({"n": [1, 2], "s": ["a", "b"]}).to_hdf(path, key="data", format="table")
    with tables.open_file(path, "a") as opened:
        opened.root.data._v_attrs.planted = Payload()
    CALLS.clear()  # setting the attribute read it back
    return path


@pytest.mark.parametrize("make", [_fixed_layout, _with_pickled_attribute])
def test_a_plain_h5_input_is_refused_under_deny_before_anything_is_unpickled(
    tmp_path: Path, make: Any
) -> None:
    path = make(tmp_path / "input.h5")
    config.pickle.policy = "deny"
    with (
        PackagersManager([DataFramePackager]) as manager,
        pytest.raises(UnpackingError, match=r"input\.h5.*pickle policy is 'deny'.*POLICY"),
    ):
        manager.unpack(str(path), pd.DataFrame)
    assert CALLS == []


def test_a_stored_h5_dataset_with_its_file_swapped_is_refused_under_deny(tmp_path: Path) -> None:
    config.pickle.policy = "deny"
    with PackagersManager([DataFramePackager]) as manager:
        package = manager.pack(
            pd.DataFrame({"n": [1, 2], "s": ["a", "b"]}), 'data : dataset[format="h5"]'
        )
        item = DataItem(package.artifact.src_path, manifest=package.manifest)
        pd.testing.assert_frame_equal(  # the table layout we write needs no unpickling
            manager.unpack(item, pd.DataFrame), pd.DataFrame({"n": [1, 2], "s": ["a", "b"]})
        )
        _with_pickled_attribute(Path(package.artifact.src_path))
        with pytest.raises(UnpackingError, match="pickle policy is 'deny'"):
            manager.unpack(item, pd.DataFrame)
    assert CALLS == []


def test_under_warn_the_fixed_layout_loads_with_a_warning(tmp_path: Path) -> None:
    path = _fixed_layout(tmp_path / "input.h5")
    with (
        PackagersManager([DataFramePackager]) as manager,
        pytest.warns(PackagersWarning, match=r"unpickling the HDF5 file .*input\.h5"),
    ):
        frame = manager.unpack(str(path), pd.DataFrame)
    assert list(frame["s"]) == ["a", "b"]


def test_under_allow_a_planted_pickle_runs_as_pytables_intends(tmp_path: Path) -> None:
    """The guard changes nothing outside ``deny``/``warn``: the payload above is real."""
    path = _with_pickled_attribute(tmp_path / "input.h5")
    config.pickle.policy = "allow"
    with PackagersManager([DataFramePackager]) as manager:
        manager.unpack(str(path), pd.DataFrame)
    assert CALLS == ["payload ran"]


def test_pytables_outside_packagers_is_left_alone(tmp_path: Path) -> None:
    path = _with_pickled_attribute(tmp_path / "input.h5")
    config.pickle.policy = "deny"
    with PackagersManager([DataFramePackager]) as manager:
        with pytest.raises(UnpackingError):
            manager.unpack(str(path), pd.DataFrame)
        pd.read_hdf(path)  # the user's own call: pickle.policy governs what packagers loads
    assert CALLS == ["payload ran"]
