"""ArrowTablePackager: Arrow types and schema metadata through parquet and feather, no pandas."""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from packagers import DataItem, LogHint, PackagersManager, PackingError, UnpackingError
from packagers.testing import PackagerConformance, round_trip
from packagers_pandas import ArrowTablePackager, Columns


def tables() -> list[pa.Table]:
    schema = pa.schema(
        [
            pa.field("i", pa.int64(), metadata={"unit": "m"}),
            pa.field("s", pa.large_string()),
            pa.field("d", pa.dictionary(pa.int8(), pa.string(), ordered=True)),
            pa.field("t", pa.timestamp("ns", tz="Asia/Tokyo")),
            pa.field("u", pa.duration("us")),
            pa.field("l", pa.list_(pa.int32())),
            pa.field("st", pa.struct([("x", pa.float64()), ("y", pa.bool_())])),
            pa.field("dec", pa.decimal128(12, 3)),
            pa.field("n", pa.null()),
        ],
        metadata={"origin": "test", "rows": "2"},
    )
    full = pa.table(
        {
            "i": [1, None],
            "s": ["é", ""],
            "d": pa.array(["b", None]).dictionary_encode().cast(schema.field("d").type),
            "t": [1, None],
            "u": [datetime.timedelta(microseconds=1), None],
            "l": [[1, 2], None],
            "st": [{"x": 0.1, "y": True}, {"x": None, "y": False}],
            "dec": [decimal.Decimal("1.234"), None],
            "n": [None, None],
        },
        schema=schema,
    )
    return [full, full.slice(0, 0), pa.table({"a": pa.array([], pa.float32())})]


def same_table(original: pa.Table, restored: pa.Table) -> None:
    assert isinstance(restored, pa.Table)
    assert restored.schema.equals(original.schema, check_metadata=True), (
        original.schema,
        restored.schema,
    )
    assert restored.equals(original, check_metadata=True)


class TestArrowTablePackager(PackagerConformance):
    packager_class = ArrowTablePackager

    def samples(self) -> list[pa.Table]:
        return tables()

    def snapshot(self, obj: Any) -> Any:
        return obj  # tables are immutable

    def assert_same(self, original: Any, restored: Any) -> None:
        same_table(original, restored)


@pytest.mark.parametrize("fmt", ["parquet", "feather"])
@pytest.mark.parametrize("artifact_type", ["dataset", "file"])
def test_tables_round_trip_with_their_metadata(fmt: str, artifact_type: str) -> None:
    with PackagersManager([ArrowTablePackager]) as manager:
        hint = LogHint("table", artifact_type, packing_kwargs={"format": fmt})
        restored, package = round_trip(manager, tables()[0], hint, pa.Table)
    same_table(tables()[0], restored)
    assert package.manifest["format"] == fmt


def test_the_manifest_has_shape_schema_and_a_json_preview() -> None:
    with PackagersManager([ArrowTablePackager]) as manager:
        spec = manager.pack(tables()[0], "table").manifest["spec"]
    assert (spec["rows"], spec["columns"]) == (2, 9)
    assert spec["schema"][3] == {"name": "t", "type": "timestamp[ns, tz=Asia/Tokyo]"}
    assert spec["preview"][0]["i"] == 1 and spec["preview"][0]["dec"] == "1.234"
    json.dumps(spec, allow_nan=False)


def test_the_preview_is_standard_json() -> None:
    table = pa.table({"f": [float("nan"), float("inf"), -float("inf"), 0.5]})
    with PackagersManager([ArrowTablePackager]) as manager:
        preview = manager.pack(table, "table").manifest["spec"]["preview"]
    assert [row["f"] for row in preview] == [None, "Infinity", "-Infinity", 0.5]


@pytest.mark.parametrize("fmt", ["parquet", "feather", "orc"])
def test_columns_read_only_those_in_that_order(fmt: str, tmp_path: Any) -> None:
    import pyarrow.feather as feather
    import pyarrow.orc as orc

    table = pa.table({"a": [1], "b": ["x"], "c": [2.5]})
    path = str(tmp_path / f"table.{fmt}")
    {"parquet": pq.write_table, "feather": feather.write_feather, "orc": orc.write_table}[fmt](
        table, path
    )
    with PackagersManager([ArrowTablePackager]) as manager:
        restored = manager.unpack(path, Annotated[pa.Table, Columns("c", "a")])
        assert manager.unpack(path, pa.Table).equals(table)
    assert restored.equals(table.select(["c", "a"]))


@pytest.mark.parametrize("fmt", ["orc", "csv", "nope"])
def test_formats_that_lose_types_are_refused(fmt: str) -> None:
    with (
        PackagersManager([ArrowTablePackager]) as manager,
        pytest.raises(
            PackingError, match=rf"a pyarrow.Table packs as parquet or feather, not '{fmt}'"
        ),
    ):
        manager.pack(tables()[0], f'table : dataset[format="{fmt}"]')


def test_a_plain_file_of_another_family_is_refused(tmp_path: Any) -> None:
    path = tmp_path / "table.csv"
    path.write_text("a\n1\n")
    with (
        PackagersManager([ArrowTablePackager]) as manager,
        pytest.raises(
            UnpackingError,
            match=r"no format reads files ending in '\.csv'; readable suffixes: .*\.orc",
        ),
    ):
        manager.unpack(str(path), pa.Table)


def test_a_recorded_table_unpacks_without_a_hint() -> None:
    with PackagersManager([ArrowTablePackager]) as manager:
        package = manager.pack(tables()[0], "table")
        item = DataItem(package.artifact.src_path, manifest=package.manifest)
        same_table(tables()[0], manager.unpack(item))


@pytest.mark.parametrize("whole_file_max", [32 << 20, 0], ids=["whole-file", "datasets"])
def test_a_parquet_file_keeps_the_fields_that_share_a_name(
    monkeypatch: pytest.MonkeyPatch, whole_file_max: int
) -> None:
    """Read whole, or (a larger file) through datasets, which refuse the names: read again."""
    from packagers_pandas import _arrow_formats

    monkeypatch.setattr(_arrow_formats, "_WHOLE_FILE_MAX", whole_file_max)
    table = pa.table([pa.array([1]), pa.array(["x"])], names=["a", "a"])
    with PackagersManager([ArrowTablePackager]) as manager:
        restored, _ = round_trip(manager, table, "table", pa.Table)
    assert restored.equals(table, check_metadata=True)


def test_rows_without_columns_are_refused_as_parquet_and_kept_by_feather() -> None:
    table = pa.table({"a": [1, 2]}).drop_columns(["a"])
    with PackagersManager([ArrowTablePackager]) as manager:
        with pytest.raises(PackingError, match="no columns holds no rows.*format='feather'"):
            manager.pack(table, "table")
        restored, _ = round_trip(manager, table, 'table : dataset[format="feather"]', pa.Table)
    assert restored.num_rows == 2 and restored.equals(table, check_metadata=True)


def test_types_parquet_does_not_keep_come_back_from_parquet() -> None:
    """Timestamps in seconds (stored in milliseconds), dictionaries of large strings (read as
    strings): the recorded fields are cast back."""
    seconds = pa.array([0, None, 2**40], pa.timestamp("s", tz="UTC"))
    table = pa.table(
        {
            "t": seconds,
            "nested": pa.array([[1], [], None], pa.list_(pa.timestamp("s"))),
            "n": [1, 2, 3],
            "words": pa.array(["a", None, "a"], pa.large_string()).dictionary_encode(),
        }
    )
    table = table.replace_schema_metadata({"origin": "test"})
    with PackagersManager([ArrowTablePackager]) as manager:
        restored, _ = round_trip(manager, table, "table", pa.Table)
        assert restored.equals(table, check_metadata=True)
        package = manager.pack(table, "table")
        item = DataItem(package.artifact.src_path, key="table", manifest=package.manifest)
        only = manager.unpack(item, Annotated[pa.Table, Columns("n", "t")])
    assert only.equals(table.select(["n", "t"]))


@pytest.mark.parametrize("rows", [0, 2])
def test_dictionaries_of_nulls_are_refused_as_parquet_and_kept_by_feather(rows: int) -> None:
    table = pa.table({"c": pa.array([None] * rows).dictionary_encode()})
    with PackagersManager([ArrowTablePackager]) as manager:
        with pytest.raises(PackingError, match="dictionary of nulls.*format='feather'"):
            manager.pack(table, "table")
        restored, _ = round_trip(manager, table, 'table : dataset[format="feather"]', pa.Table)
    assert restored.equals(table, check_metadata=True)


def test_fields_sharing_a_name_get_their_own_types_back() -> None:
    words = pa.array(["a", None], pa.large_string()).dictionary_encode()
    table = pa.table([words, pa.array([1, 2]), words], names=["w", "n", "w"])
    with PackagersManager([ArrowTablePackager]) as manager:
        restored, _ = round_trip(manager, table, "table", pa.Table)
    assert restored.equals(table, check_metadata=True)
