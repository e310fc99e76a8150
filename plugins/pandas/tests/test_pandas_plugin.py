"""The plugin as users meet it: collected without importing pandas, its types routed here."""

from __future__ import annotations

import subprocess
import sys
from typing import Annotated, Any

import pandas as pd
import pyarrow as pa
import pytest

import packagers_pandas
from packagers import DataItem, PackagersManager
from packagers_pandas import ArrowTablePackager, Columns, DataFramePackager, SeriesPackager
from packagers_pandas._plugin import packagers_register


def _run(code: str) -> None:
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def _not_loaded(*libraries: str) -> str:
    return (
        "\nimport sys\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {libraries!r})\n"
        "assert not loaded, loaded\n"
    )


def test_importing_and_collecting_the_plugin_imports_neither_pandas_nor_pyarrow() -> None:
    _run(
        "import warnings\n"
        "warnings.simplefilter('ignore')\n"  # another plugin that fails to load is not our test
        "import packagers_pandas, packagers_pandas._plugin\n"
        "from packagers import PackagersManager, list_packagers\n"
        "names = [record.name for record in list_packagers()]\n"
        "assert 'packagers_pandas._dataframe.DataFramePackager' in names, names\n"
        "PackagersManager().choose_packager({'a': 1})\n" + _not_loaded("pandas", "pyarrow")
    )


def test_a_pyarrow_table_needs_no_pandas_at_all() -> None:
    _run(
        "import sys\n"
        "class NoPandas:\n"  # pandas cannot be imported, as where it is not installed
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'pandas':\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, NoPandas())\n"
        "import pyarrow as pa\n"
        "from packagers import DataItem, PackagersManager\n"
        "from packagers_pandas import ArrowTablePackager\n"
        "table = pa.table({'a': [1, 2]}).replace_schema_metadata({'k': 'v'})\n"
        "with PackagersManager([ArrowTablePackager]) as manager:\n"
        "    package = manager.pack(table, 'table')\n"
        "    item = DataItem(package.artifact.src_path, manifest=package.manifest)\n"
        "    assert manager.unpack(item, pa.Table).equals(table, check_metadata=True)\n"
        + _not_loaded("pandas")
    )


def test_the_plugin_registers_every_packager_it_exports() -> None:
    exported = {getattr(packagers_pandas, name) for name in packagers_pandas.__all__}
    assert set(packagers_register()) == exported - {Columns}
    for packager_class in packagers_register():
        packager_class.validate()


SAMPLES: list[tuple[Any, type, type]] = [
    (pd.DataFrame({"a": [1]}), DataFramePackager, pd.DataFrame),
    (pd.Series([1.5], name="s"), SeriesPackager, pd.Series),
    (pa.table({"a": [1]}), ArrowTablePackager, pa.Table),
]


@pytest.mark.parametrize(("obj", "expected", "hint"), SAMPLES, ids=["DataFrame", "Series", "Table"])
def test_every_collected_plugin_leaves_these_types_to_this_one(
    obj: Any, expected: type, hint: type
) -> None:
    with PackagersManager() as manager:
        packager, artifact_type = manager.choose_packager(obj)
        assert type(packager) is expected and artifact_type == "dataset"
        package = manager.pack(obj, "data")
        assert package.manifest["distribution"] == "packagers-pandas"
        item = DataItem(package.artifact.src_path, manifest=package.manifest)
        restored = manager.unpack(item, hint)
    assert type(restored) is hint


def test_annotated_columns_through_the_collected_manager(tmp_path: Any) -> None:
    path = str(tmp_path / "wide.parquet")
    pd.DataFrame({f"c{i}": [i] for i in range(50)}).to_parquet(path)
    with PackagersManager() as manager:
        frame = manager.unpack(path, Annotated[pd.DataFrame, Columns("c7", "c3")])
        table = manager.unpack(path, Annotated[pa.Table, Columns("c1")])
    assert list(frame.columns) == ["c7", "c3"] and table.column_names == ["c1"]


def test_frames_and_tables_are_never_offered_as_results() -> None:
    from packagers_pandas import ArrowTablePackager, DataFramePackager, SeriesPackager

    for packager in (DataFramePackager, SeriesPackager, ArrowTablePackager):
        assert "result" not in packager.packing_artifact_types(), packager
